//! The change feed: an event per committed change, in an order a consumer can follow
//! without missing or repeating one.
//!
//! Writers emit an event through [`super::changelog::publish`] inside the transaction that makes the change, so an event
//! exists exactly when its change committed. The row has no position yet. [`sequence`]
//! gives positions, one caller at a time (an advisory lock), and only to events whose
//! transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`: every transaction
//! below it has ended, so an event that is still unsequenced and invisible can only
//! belong to a transaction at or above it, and will get a larger position than any
//! given so far. A plain sequence column would not do: a transaction that took id 7
//! can commit after one that took id 8, and a consumer that already read 8 would
//! skip 7 for ever.
//!
//! The cost of the guarantee is latency: an event becomes visible only once every
//! transaction older than its own has ended (normally milliseconds; a long-running
//! transaction anywhere on the server holds the feed back, never reorders it).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::db::schema::events;
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::error::ApiError;

/// The advisory lock key under which positions are given (`"scrutiny.events"` in ASCII, folded).
const SEQUENCER_LOCK: i64 = 0x5343_5255_4556_4e54;

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = Bool)]
    held: bool,
}

#[derive(QueryableByName)]
struct Sequenced {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Gives positions to every event whose transaction has ended, in transaction order,
/// and returns how many it gave. When another caller (in this or another instance)
/// is already sequencing, returns 0 at once: its run covers the same events.
pub async fn sequence(conn: &mut DbConn) -> Result<i64, ApiError> {
    use diesel_async::AsyncConnection;
    conn.transaction(async |conn| {
        let held: Held = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS held")
            .bind::<BigInt, _>(SEQUENCER_LOCK)
            .get_result(conn)
            .await?;
        if !held.held {
            return Ok(0);
        }
        // A new statement, so a snapshot taken under the lock: it sees every position
        // given so far, and `nextval` only grows, so positions follow commit order.
        let sequenced: Sequenced = diesel::sql_query(
            "WITH ready AS (
                SELECT entry FROM events
                WHERE id IS NULL AND txid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY entry
                FOR UPDATE),
              numbered AS (SELECT entry, nextval('event_positions') AS position FROM ready),
              updated AS (
                UPDATE events SET id = numbered.position FROM numbered
                WHERE events.entry = numbered.entry RETURNING 1)
             SELECT count(*) AS count FROM updated",
        )
        .get_result(conn)
        .await?;
        if sequenced.count > 0 {
            // Wakes every instance's webhook worker when this transaction commits.
            diesel::sql_query("SELECT pg_notify($1, '')")
                .bind::<diesel::sql_types::Text, _>(FEED_CHANNEL)
                .execute(conn)
                .await?;
        }
        Ok(sequenced.count)
    })
    .await
}

/// The channel notified when an event is written (a trigger, see the migration
/// `notify_on_change`).
pub const EVENTS_CHANNEL: &str = "scrutiny_events";
/// The channel notified when the feed grows (by [`sequence`]).
pub const FEED_CHANNEL: &str = "scrutiny_feed";
/// The channel notified when a webhook delivery is queued or made due (a trigger).
pub const DELIVERIES_CHANNEL: &str = "scrutiny_deliveries";

/// Subscribes `conn` to every channel above; its notifications then arrive on
/// `conn.notifications_stream()` (see [`crate::wakeups`]).
pub async fn listen(conn: &mut DbConn) -> Result<(), ApiError> {
    for channel in [EVENTS_CHANNEL, FEED_CHANNEL, DELIVERIES_CHANNEL] {
        diesel::sql_query(format!("LISTEN {channel}")).execute(conn).await?;
    }
    Ok(())
}

diesel::define_sql_function! {
    /// `text(jsonb)`: the document as JSON text, as PostgreSQL writes it. A typed
    /// function rather than a `::text` fragment, so that the query stays a cached
    /// prepared statement.
    #[sql_name = "text"]
    fn jsonb_text(value: diesel::sql_types::Nullable<diesel::sql_types::Jsonb>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// One event of the feed as stored.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub event_type: String,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// The snapshot as JSON text, passed through as it is stored: parsing a page of a
    /// thousand snapshots into values only to write them out again cost most of the
    /// feed's time and memory.
    pub snapshot: Option<String>,
}

/// Which events a page holds.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only these `resource_type`s (all when empty).
    pub resource_types: Vec<String>,
    /// Only these event types (all when empty).
    pub event_types: Vec<String>,
}

/// Up to `limit` sequenced events after position `after`, oldest first, as `view`
/// sees them: public callers get public events only, with the public snapshot.
pub async fn list(
    conn: &mut DbConn,
    view: View,
    after: i64,
    limit: i64,
    filter: &EventFilter,
) -> Result<Vec<EventRow>, ApiError> {
    let mut query = events::table
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .into_boxed();
    if !filter.resource_types.is_empty() {
        query = query.filter(events::resource_type.eq_any(&filter.resource_types));
    }
    if !filter.event_types.is_empty() {
        query = query.filter(events::event_type.eq_any(&filter.event_types));
    }
    let snapshot: Box<dyn BoxableExpression<events::table, Pg, SqlType = Nullable<Text>>> = if view.sees_unpublished() {
        Box::new(jsonb_text(events::snapshot.nullable()))
    } else {
        query = query.filter(events::public.eq(true));
        Box::new(jsonb_text(events::public_snapshot))
    };
    let rows = query
        .select((
            events::id.assume_not_null(),
            events::event_type,
            events::resource_type,
            events::resource_id,
            events::occurred_at,
            snapshot,
        ))
        .load::<EventRow>(conn)
        .await?;
    Ok(rows)
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = BigInt)]
    head: i64,
    #[diesel(sql_type = BigInt)]
    pending: i64,
}

/// The last position given (0 when none) and how many events await one.
pub async fn head(conn: &mut DbConn) -> Result<(i64, i64), ApiError> {
    let head: Head = diesel::sql_query(
        "SELECT coalesce((SELECT max(id) FROM events), 0) AS head,
                (SELECT count(*) FROM events WHERE id IS NULL) AS pending",
    )
    .get_result(conn)
    .await?;
    Ok((head.head, head.pending))
}

/// A representation as JSON, for [`Publishable::represent`].
pub fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))
}
