//! Webhook subscriptions, their deliveries and every attempt to send them.
//!
//! The change feed is the outbox: [`fan_out`] copies each sequenced event a
//! subscription wants into a delivery row, at most once (the subscription's
//! `feed_position` moves in the same transaction, and `(webhook_id, event_id)` is
//! unique). [`claim`] hands due deliveries to one sender at a time: `FOR UPDATE SKIP
//! LOCKED` and a lease, so instances sharing the database never send one delivery at
//! once, and a delivery whose sender died is picked up again when its lease expires.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::changelog;
use super::events::{self, EventFilter};
use super::versioned::{self, Versioned as _};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::auth::View;
use crate::domain::version::IfMatch;
use crate::domain::webhook::{subscribes_to, DeliveryId, DeliveryStatus, PayloadView, WebhookId};
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A subscription as stored. The secret is never serialised (not even into the audit log).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
pub struct WebhookRow {
    pub id: WebhookId,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub is_active: bool,
    #[serde(skip)]
    pub secret: String,
    pub view: PayloadView,
    pub owner: String,
    pub feed_position: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::logged_row!(WebhookRow, "webhook", |row| row.id.0);
crate::versioned_row!(WebhookRow, "webhook", webhooks, WebhookId);

/// Who owns a subscription: the actor's kind and id, as `client:<id>`.
pub fn owner_of(actor: &Actor) -> String {
    format!("{}:{}", actor.kind, actor.id.as_deref().unwrap_or(""))
}

/// A new subscription, validated.
#[derive(Debug)]
pub struct NewWebhook {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub is_active: bool,
}

impl PayloadView {
    /// What a subscription made by a caller who sees `view` shows: staff callers'
    /// show everything staff see, everyone else's what the public sees.
    pub fn of(view: View) -> Self {
        if view.sees_unpublished() {
            PayloadView::Staff
        } else {
            PayloadView::Public
        }
    }

    /// The view the change feed is read with for such a subscription.
    pub fn view(self) -> View {
        match self {
            PayloadView::Public => View::Public,
            PayloadView::Staff => View::Staff,
        }
    }
}

/// Creates a subscription that receives the events sequenced from now on, signed with
/// `secret`, showing what `view` shows.
pub async fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewWebhook,
    view: PayloadView,
    secret: &str,
) -> Result<WebhookRow, ApiError> {
    conn.transaction(async |conn| {
        let (head, _) = events::head(conn).await?;
        let row: WebhookRow = diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(WebhookId::generate()),
                webhooks::url.eq(&new.url),
                webhooks::description.eq(&new.description),
                webhooks::event_types.eq(&new.event_types),
                webhooks::is_active.eq(new.is_active),
                webhooks::secret.eq(secret),
                webhooks::view.eq(view),
                webhooks::owner.eq(owner_of(actor)),
                webhooks::feed_position.eq(head),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::record(conn, actor, "webhook.created", None, Some(&row)).await?;
        Ok(row)
    })
    .await
}

/// `row` unless it is someone else's (`owner: None`: anyone's). Someone else's is "not
/// found", so a caller cannot learn that another system's subscription exists.
fn owned_by(row: Option<WebhookRow>, owner: Option<&str>) -> Option<WebhookRow> {
    row.filter(|row| owner.is_none_or(|owner| row.owner == owner))
}

/// The subscription `id`, if `owner` may see it (`None`: any owner).
pub async fn find(conn: &mut DbConn, id: WebhookId, owner: Option<&str>) -> Result<WebhookRow, ApiError> {
    let row = versioned::get(conn, id).await?;
    owned_by(row, owner).ok_or_else(|| versioned::not_found::<WebhookRow>(id))
}

/// `owner`'s subscription `id`, locked for a change: 404 when it is missing or someone
/// else's, 412 when the caller's `If-Match` names another version.
async fn lock(
    conn: &mut DbConn,
    id: WebhookId,
    owner: Option<&str>,
    if_match: &IfMatch,
) -> Result<WebhookRow, ApiError> {
    let row = versioned::get_locked(conn, id).await?;
    versioned::locked(owned_by(row, owner), id, if_match)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct WebhookFilter {
    /// Only this owner's subscriptions (`None`: anyone's).
    pub owner: Option<String>,
    pub is_active: Option<bool>,
}

/// Subscriptions in creation order.
pub async fn list(
    conn: &mut DbConn,
    filter: &WebhookFilter,
    page: &PageRequest,
) -> Result<(Vec<WebhookRow>, Option<Cursor>), ApiError> {
    let mut query = webhooks::table
        .select(WebhookRow::as_select())
        .order(webhooks::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(webhooks::id.gt(WebhookId(after.id)));
    }
    if let Some(owner) = &filter.owner {
        query = query.filter(webhooks::owner.eq(owner.clone()));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(webhooks::is_active.eq(active));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_id(row.id.0)))
}

/// Changes to a subscription; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub secret: Option<String>,
}

/// Applies `changes` (`action` names them in the audit log) to `owner`'s subscription
/// `id` (`owner: None`: anyone's).
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    id: WebhookId,
    owner: Option<&str>,
    if_match: &IfMatch,
    changes: WebhookChanges,
) -> Result<WebhookRow, ApiError> {
    conn.transaction(async |conn| {
        let before = lock(conn, id, owner, if_match).await?;
        let after: WebhookRow = diesel::update(webhooks::table.find(id))
            .set((
                changes,
                webhooks::updated_at.eq(Utc::now()),
                webhooks::version.eq(before.next_version()),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::record(conn, actor, action, Some(&before), Some(&after)).await?;
        Ok(after)
    })
    .await
}

/// Deletes `owner`'s subscription `id`, with its deliveries and their attempts.
pub async fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    id: WebhookId,
    owner: Option<&str>,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    conn.transaction(async |conn| {
        let before = lock(conn, id, owner, if_match).await?;
        diesel::delete(webhooks::table.find(id)).execute(conn).await?;
        changelog::record(conn, actor, "webhook.deleted", Some(&before), None).await
    })
    .await
}

/// Whether any subscription is active: the worker does nothing more while none is.
pub async fn any_active(conn: &mut DbConn) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        webhooks::table.filter(webhooks::is_active.eq(true)),
    ))
    .get_result(conn)
    .await?)
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct NewDeliveryRow {
    id: DeliveryId,
    webhook_id: WebhookId,
    event_id: i64,
    event_type: String,
    payload: serde_json::Value,
}

/// Copies up to `batch` sequenced events per active subscription into its deliveries,
/// and moves the subscription's position past them, in one transaction. Subscriptions
/// another instance is fanning out are skipped (`SKIP LOCKED`). Returns how many
/// deliveries were made.
pub async fn fan_out(conn: &mut DbConn, batch: i64) -> Result<usize, ApiError> {
    conn.transaction(async |conn| {
        let hooks: Vec<(WebhookId, Vec<String>, PayloadView, i64)> = webhooks::table
            .filter(webhooks::is_active.eq(true))
            .select((
                webhooks::id,
                webhooks::event_types,
                webhooks::view,
                webhooks::feed_position,
            ))
            .order(webhooks::id.asc())
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        let mut made = 0;
        for (id, patterns, view, position) in hooks {
            let events = events::list(conn, view.view(), position, batch, &EventFilter::default()).await?;
            let Some(last) = events.last().map(|event| event.id) else {
                continue;
            };
            let rows: Vec<NewDeliveryRow> = events
                .into_iter()
                .filter(|event| subscribes_to(&patterns, &event.event_type))
                .map(|event| {
                    Ok(NewDeliveryRow {
                        id: DeliveryId::generate(),
                        webhook_id: id,
                        event_id: event.id,
                        payload: payload(&event)?,
                        event_type: event.event_type,
                    })
                })
                .collect::<Result<_, ApiError>>()?;
            if !rows.is_empty() {
                made += diesel::insert_into(webhook_deliveries::table)
                    .values(&rows)
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
            }
            diesel::update(webhooks::table.find(id))
                .set(webhooks::feed_position.eq(last))
                .execute(conn)
                .await?;
        }
        Ok(made)
    })
    .await
}

/// A delivery's body, in the Standard Webhooks shape: `type`, `timestamp` and `data`,
/// where `data` is the event exactly as the change feed shows it.
fn payload(event: &events::EventRow) -> Result<serde_json::Value, ApiError> {
    let snapshot: Option<serde_json::Value> = event
        .snapshot
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(serde_json::json!({
        "type": event.event_type,
        "timestamp": event.occurred_at,
        "data": {
            "id": event.id,
            "type": event.event_type,
            "resource_type": event.resource_type,
            "resource_id": event.resource_id,
            "occurred_at": event.occurred_at,
            "snapshot": snapshot,
        }
    }))
}

/// A delivery handed to one sender, with where and how to send it.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    pub retry_from: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
}

/// Takes up to `limit` due deliveries of active subscriptions, leased for `lease`:
/// until then no other sender takes them. The attempt is counted now, so a sender that
/// dies mid-send still counts it.
///
/// At most one delivery per subscription is out at a time, across every instance: a
/// subscription with a delivery under lease gets none, and of the others each offers
/// only its first due delivery (oldest due, then oldest made, so in feed order). A slow
/// or silent receiver so holds up its own queue only. Two senders racing for the same
/// first delivery settle it through `SKIP LOCKED` and the re-checked lease condition;
/// neither takes the next one instead.
pub async fn claim(conn: &mut DbConn, limit: i64, lease: Duration) -> Result<Vec<Claimed>, ApiError> {
    Ok(diesel::sql_query(
        "WITH busy AS (
            SELECT DISTINCT webhook_id FROM webhook_deliveries
            WHERE status = 'pending' AND leased_until >= now()),
         first_due AS (
            SELECT DISTINCT ON (d.webhook_id) d.id, d.next_attempt_at
            FROM webhook_deliveries d
            JOIN webhooks w ON w.id = d.webhook_id AND w.is_active
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
              AND (d.leased_until IS NULL OR d.leased_until < now())
              AND d.webhook_id NOT IN (SELECT webhook_id FROM busy)
            ORDER BY d.webhook_id, d.next_attempt_at, d.id),
         due AS (
            SELECT d.id FROM webhook_deliveries d
            JOIN first_due f ON f.id = d.id
            -- Checked again on the row as locked: another sender may have just leased it.
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
              AND (d.leased_until IS NULL OR d.leased_until < now())
            ORDER BY f.next_attempt_at, d.id
            LIMIT $1
            FOR UPDATE OF d SKIP LOCKED)
         UPDATE webhook_deliveries d
            SET leased_until = now() + make_interval(secs => $2::double precision / 1000),
                attempts = d.attempts + 1, updated_at = now()
           FROM due, webhooks w
          WHERE d.id = due.id AND w.id = d.webhook_id
         RETURNING d.id, d.attempts, d.payload, d.retry_from, w.url, w.secret",
    )
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
    .load(conn)
    .await?)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's status code, if it answered.
    pub status_code: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    pub duration: Duration,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|code| (200..300).contains(&code))
    }
}

/// Records an attempt and what follows: delivered, another try at `retry_at`, or
/// (`retry_at: None` after a failure) given up.
pub async fn record_attempt(
    conn: &mut DbConn,
    delivery: DeliveryId,
    attempt: &Attempt,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    let status = if attempt.succeeded() {
        DeliveryStatus::Succeeded
    } else if retry_at.is_some() {
        DeliveryStatus::Pending
    } else {
        DeliveryStatus::Failed
    };
    let status_code = attempt.status_code.map(i32::from);
    let error = attempt.error.as_ref().map(|e| e.chars().take(500).collect::<String>());
    conn.transaction(async |conn| {
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(delivery.0),
                webhook_attempts::status_code.eq(status_code),
                webhook_attempts::error.eq(&error),
                webhook_attempts::duration_ms.eq(i32::try_from(attempt.duration.as_millis()).unwrap_or(i32::MAX)),
            ))
            .execute(conn)
            .await?;
        diesel::update(webhook_deliveries::table.find(delivery.0))
            .set((
                webhook_deliveries::status.eq(status.as_str()),
                webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
                webhook_deliveries::next_attempt_at.eq(retry_at.unwrap_or_else(Utc::now)),
                webhook_deliveries::last_status_code.eq(status_code),
                webhook_deliveries::last_error.eq(&error),
                webhook_deliveries::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// A delivery as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event_id: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One attempt as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg))]
pub struct AttemptRow {
    pub delivery_id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// Which deliveries [`list_deliveries`] reads.
#[derive(Debug)]
pub struct DeliveryFilter {
    /// The subscription's.
    pub webhook: WebhookId,
    /// Only those in this state.
    pub status: Option<DeliveryStatus>,
}

/// A subscription's deliveries, newest first, each with its attempts (oldest first).
pub async fn list_deliveries(
    conn: &mut DbConn,
    filter: &DeliveryFilter,
    page: &PageRequest,
) -> Result<(Vec<(DeliveryRow, Vec<AttemptRow>)>, Option<Cursor>), ApiError> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(filter.webhook))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(webhook_deliveries::id.lt(DeliveryId(after.id)));
    }
    if let Some(status) = filter.status {
        query = query.filter(webhook_deliveries::status.eq(status.as_str()));
    }
    let rows: Vec<DeliveryRow> = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row| Cursor::by_id(row.id.0));
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id.0).collect();
    let mut attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order(webhook_attempts::id.asc())
        .select(AttemptRow::as_select())
        .load(conn)
        .await?;
    let with_attempts = rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = attempts.drain(..).partition(|a| a.delivery_id == row.id.0);
            attempts = rest;
            (row, mine)
        })
        .collect();
    Ok((with_attempts, next))
}

/// A delivery's attempts, oldest first.
pub async fn attempts_of(conn: &mut DbConn, delivery: DeliveryId) -> Result<Vec<AttemptRow>, ApiError> {
    Ok(webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery.0))
        .order(webhook_attempts::id.asc())
        .select(AttemptRow::as_select())
        .load(conn)
        .await?)
}

/// Makes a delivery due now, with a fresh retry window, whatever its state: the
/// receiver gets it again with the same `webhook-id`. A delivery being sent right now
/// keeps its lease, so it is never sent twice at once.
pub async fn redeliver(
    conn: &mut DbConn,
    actor: &Actor,
    webhook: WebhookId,
    delivery: DeliveryId,
) -> Result<DeliveryRow, ApiError> {
    conn.transaction(async |conn| {
        let row: DeliveryRow = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq(delivery))
                .filter(webhook_deliveries::webhook_id.eq(webhook)),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::next_attempt_at.eq(Utc::now()),
            webhook_deliveries::retry_from.eq(Utc::now()),
            webhook_deliveries::updated_at.eq(Utc::now()),
        ))
        .returning(DeliveryRow::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("Webhook {webhook} has no delivery {delivery}")))?;
        changelog::note(
            conn,
            actor,
            "webhook_delivery.redelivered",
            "webhook_delivery",
            Some(delivery.0),
            None,
        )
        .await?;
        Ok(row)
    })
    .await
}

/// How many deliveries wait to be sent (for the metrics).
pub async fn pending(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .count()
        .get_result(conn)
        .await?)
}
