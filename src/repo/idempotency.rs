//! Stored first responses to `Idempotency-Key`d requests.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::schema::idempotency_keys;
use crate::db::DbConn;
use crate::error::ApiError;

/// How long keys are kept: at least the 24 hours API.md promises.
const KEEP_HOURS: i64 = 48;

/// A key's record.
#[derive(Debug, Queryable)]
pub struct StoredKey {
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_headers: Option<serde_json::Value>,
    pub response_body: Option<Vec<u8>>,
}

/// Claims `key` for a request; `None` when it is newly claimed (go ahead), or the
/// record of whoever claimed it first.
pub async fn claim(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<StoredKey>, ApiError> {
    diesel::delete(idempotency_keys::table)
        .filter(idempotency_keys::created_at.lt(Utc::now() - chrono::Duration::hours(KEEP_HOURS)))
        .execute(conn)
        .await?;
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(None);
    }
    let stored = idempotency_keys::table
        .find((scope, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .await?;
    Ok(Some(stored))
}

/// Keeps the response to replay for retries.
pub async fn complete(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    status: u16,
    headers: serde_json::Value,
    body: &[u8],
) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table.find((scope, key)))
        .set((
            idempotency_keys::response_status.eq(Some(i32::from(status))),
            idempotency_keys::response_headers.eq(Some(headers)),
            idempotency_keys::response_body.eq(Some(body)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a key whose request failed in a way worth retrying (5xx).
pub async fn release(conn: &mut DbConn, scope: &str, key: &str) -> Result<(), ApiError> {
    diesel::delete(idempotency_keys::table.find((scope, key)))
        .execute(conn)
        .await?;
    Ok(())
}
