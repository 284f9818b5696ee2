//! Stored first responses to `Idempotency-Key`d requests, and the leases of requests
//! still being handled.
//!
//! A key is claimed with a lease that its handler renews while it runs
//! ([`renew`]); the change the request makes marks the key with its result in the
//! change's own transaction ([`mark_result`], called by the change log). So when an
//! instance dies mid-request, a retry after the lease has run out finds either that
//! result (the change committed) or nothing (it did not, and the retry runs it).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::schema::idempotency_keys;
use crate::db::DbConn;
use crate::error::ApiError;

/// How long keys are kept: at least the 24 hours API.md promises.
const KEEP_HOURS: i64 = 48;

/// How long a claim holds without renewal: the longest a retry waits for the result
/// of a request whose instance died. Handlers renew it every [`RENEW_EVERY`].
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(30);
/// How often a running handler renews its lease.
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The most keys kept for one signed-in caller, and for one anonymous address. Beyond
/// that the caller's oldest answered keys are forgotten first: a retry comes soon
/// after its request, and storage per caller stays bounded.
pub const KEYS_PER_SUBJECT: i64 = 1_000;
pub const KEYS_PER_ADDRESS: i64 = 100;

/// A key's record.
#[derive(Debug, Queryable)]
pub struct StoredKey {
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_headers: Option<serde_json::Value>,
    /// None when the answer was not kept (it was marked `no-store`).
    pub response_body: Option<Vec<u8>>,
    pub claim_id: Option<Uuid>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub result_type: Option<String>,
    pub result_id: Option<Uuid>,
}

impl StoredKey {
    /// Whether the request is still being handled by a live instance.
    pub fn is_in_flight(&self) -> bool {
        self.response_status.is_none() && self.lease_expires_at.is_some_and(|until| until > Utc::now())
    }
}

/// What [`claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's to handle, under this claim.
    Granted(Uuid),
    /// Someone claimed it first: their record.
    Taken(StoredKey),
}

fn lease_until() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_else(|_| chrono::Duration::seconds(30))
}

/// Claims `key` in `scope` for a request by `caller` with body hash `request_hash`:
/// granted when the key is new, or when its earlier holder's lease ran out with
/// nothing committed; otherwise the record of whoever holds or answered it.
pub async fn claim(
    conn: &mut DbConn,
    caller: &str,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Claim, ApiError> {
    diesel::delete(idempotency_keys::table)
        .filter(idempotency_keys::created_at.lt(Utc::now() - chrono::Duration::hours(KEEP_HOURS)))
        .execute(conn)
        .await?;
    let claim_id = Uuid::now_v7();
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::caller.eq(caller),
            idempotency_keys::claim_id.eq(claim_id),
            idempotency_keys::lease_expires_at.eq(lease_until()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        forget_oldest(conn, caller).await?;
        return Ok(Claim::Granted(claim_id));
    }
    let stored: StoredKey = idempotency_keys::table
        .find((scope, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
            idempotency_keys::claim_id,
            idempotency_keys::lease_expires_at,
            idempotency_keys::result_type,
            idempotency_keys::result_id,
        ))
        .first(conn)
        .await?;
    let abandoned = stored.response_status.is_none() && stored.result_type.is_none() && !stored.is_in_flight();
    if abandoned && stored.request_hash == request_hash {
        // The instance that held it died before committing anything: take it over,
        // unless another retry just did.
        let taken_over = diesel::update(idempotency_keys::table.find((scope, key)))
            .filter(idempotency_keys::claim_id.is_not_distinct_from(stored.claim_id))
            .filter(idempotency_keys::response_status.is_null())
            .filter(idempotency_keys::result_type.is_null())
            .set((
                idempotency_keys::claim_id.eq(claim_id),
                idempotency_keys::lease_expires_at.eq(lease_until()),
            ))
            .execute(conn)
            .await?;
        if taken_over == 1 {
            return Ok(Claim::Granted(claim_id));
        }
    }
    Ok(Claim::Taken(stored))
}

/// Forgets `caller`'s oldest answered keys beyond its cap.
async fn forget_oldest(conn: &mut DbConn, caller: &str) -> Result<(), ApiError> {
    let cap = if caller.starts_with("anonymous:") {
        KEYS_PER_ADDRESS
    } else {
        KEYS_PER_SUBJECT
    };
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE (scope, key) IN (
             SELECT scope, key FROM idempotency_keys
              WHERE caller = $1
              ORDER BY created_at DESC
              OFFSET $2)
           AND response_status IS NOT NULL",
    )
    .bind::<diesel::sql_types::Text, _>(caller)
    .bind::<diesel::sql_types::BigInt, _>(cap)
    .execute(conn)
    .await?;
    Ok(())
}

/// Renews the lease of a request still being handled under `claim_id`.
pub async fn renew(conn: &mut DbConn, claim_id: Uuid) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table)
        .filter(idempotency_keys::claim_id.eq(claim_id))
        .filter(idempotency_keys::response_status.is_null())
        .set(idempotency_keys::lease_expires_at.eq(lease_until()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks the key held under `claim_id` with the resource its request changed. Call it
/// inside the change's transaction: the first change a request makes is its result.
pub async fn mark_result(
    conn: &mut DbConn,
    claim_id: Uuid,
    resource_type: &str,
    resource_id: Uuid,
) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table)
        .filter(idempotency_keys::claim_id.eq(claim_id))
        .filter(idempotency_keys::result_type.is_null())
        .set((
            idempotency_keys::result_type.eq(resource_type),
            idempotency_keys::result_id.eq(resource_id),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps the answer to replay for retries; `body` none when the answer must not be
/// stored (`Cache-Control: no-store`): a retry is then pointed at the result instead.
pub async fn complete(
    conn: &mut DbConn,
    claim_id: Uuid,
    status: u16,
    headers: serde_json::Value,
    body: Option<&[u8]>,
) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table)
        .filter(idempotency_keys::claim_id.eq(claim_id))
        .set((
            idempotency_keys::response_status.eq(Some(i32::from(status))),
            idempotency_keys::response_headers.eq(Some(headers)),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::lease_expires_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the key held under `claim_id` unless its request changed something: a
/// request refused or failed changed nothing, so a retry is handled afresh. Returns
/// whether it was forgotten.
pub async fn release(conn: &mut DbConn, claim_id: Uuid) -> Result<bool, ApiError> {
    let deleted = diesel::delete(idempotency_keys::table)
        .filter(idempotency_keys::claim_id.eq(claim_id))
        .filter(idempotency_keys::result_type.is_null())
        .execute(conn)
        .await?;
    Ok(deleted == 1)
}

/// Where a retry finds the result of an earlier request that changed `resource_type`
/// `resource_id`: the resource's path, or none for a resource with no address of its own.
pub async fn result_location(
    conn: &mut DbConn,
    resource_type: &str,
    resource_id: Uuid,
) -> Result<Option<String>, ApiError> {
    let collection = match resource_type {
        "question" => "questions",
        "response" => "responses",
        "organisation" => "organisations",
        "meeting" => "meetings",
        "report" => "reports",
        "programme" => "programmes",
        "recommendation" => "recommendations",
        "action" => "actions",
        "user" => "users",
        "client" => "clients",
        "webhook" => "webhooks",
        "action_update" => {
            use crate::db::schema::action_updates;
            let action: Option<Uuid> = action_updates::table
                .find(resource_id)
                .select(action_updates::action_id)
                .first(conn)
                .await
                .optional()?;
            return Ok(action.map(|action| format!("/api/v1/actions/{action}/updates")));
        }
        _ => return Ok(None),
    };
    Ok(Some(format!("/api/v1/{collection}/{resource_id}")))
}
