//! The audit log read back: every recorded write, newest first, under filters, with
//! contact details and secrets taken out of the states it kept.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// An audit record as stored, `before` and `after` already [`redacted`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEventRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

/// Filters for [`list`]; each given one must match.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    /// `user`, `client`, `anonymous`, `external`, `system`.
    pub actor_kind: Option<&'static str>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    /// Recorded at or after this instant.
    pub occurred_from: Option<DateTime<Utc>>,
    /// Recorded at or before this instant.
    pub occurred_to: Option<DateTime<Utc>>,
}

/// The keys under which a state could hold contact details or a secret. The writers
/// leave these out already (a question's snapshot keeps only `has_asker_contact`,
/// account and webhook rows never serialise their secrets); the reader takes them out
/// again at any depth, so that a record written before that rule, or by a writer that
/// forgets it, still never shows them.
const WITHHELD: &[&str] = &[
    "asker_contact",
    "contact",
    "email",
    "phone",
    "address",
    "password",
    "password_hash",
    "secret",
    "secret_hash",
];

/// `value` without any [`WITHHELD`] key, at any depth.
pub fn redacted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(key, _)| !WITHHELD.contains(&key.as_str()))
            .map(|(key, value)| (key, redacted(value)))
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(redacted).collect(),
        other => other,
    }
}

/// A cursor's position in the log: the record's id, kept in the cursor's id (a bigint
/// outgrows the cursor's seven-digit key). Any cursor of the right shape is a position.
fn cursor_of(id: i64) -> Cursor {
    Cursor::by_id(Uuid::from_u64_pair(0, u64::try_from(id).unwrap_or(0)))
}

fn position(cursor: &Cursor) -> i64 {
    let (high, low) = cursor.id.as_u64_pair();
    if high != 0 {
        return i64::MAX;
    }
    i64::try_from(low).unwrap_or(i64::MAX)
}

/// One page of the audit log, newest first (by id, the order of recording).
pub async fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<(Vec<AuditEventRow>, Option<Cursor>), ApiError> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .order(audit_events::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(audit_events::id.lt(position(after)));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(resource_type));
    }
    if let Some(resource_id) = filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(resource_id));
    }
    if let Some(kind) = filter.actor_kind {
        query = query.filter(audit_events::actor_kind.eq(kind));
    }
    if let Some(actor_id) = &filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor_id));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action));
    }
    if let Some(from) = filter.occurred_from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.occurred_to {
        query = query.filter(audit_events::occurred_at.le(to));
    }
    let rows: Vec<AuditEventRow> = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row| cursor_of(row.id));
    let rows = rows
        .into_iter()
        .map(|row| AuditEventRow {
            before: row.before.map(redacted),
            after: row.after.map(redacted),
            ..row
        })
        .collect();
    Ok((rows, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contact_details_and_secrets_are_withheld_at_any_depth() {
        let state = json!({
            "title": "Street lighting",
            "asker_contact": {"email": "ann@example.org"},
            "nested": [{"email": "bob@example.org", "phone": "01632 960000", "kept": 1}],
            "secret_hash": "x",
        });
        assert_eq!(
            redacted(state),
            json!({"title": "Street lighting", "nested": [{"kept": 1}]})
        );
    }

    #[test]
    fn a_cursor_keeps_the_whole_bigint() {
        for id in [1, 9_999_999, 10_000_000, i64::MAX] {
            assert_eq!(position(&cursor_of(id)), id);
            assert_eq!(position(&Cursor::decode(&cursor_of(id).encode()).unwrap()), id);
        }
        assert_eq!(
            position(&Cursor::by_id(Uuid::max())),
            i64::MAX,
            "any shape is a position"
        );
    }
}
