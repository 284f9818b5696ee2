//! The audit log writer: every successful write calls [`record`] inside its own
//! transaction.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::error::ApiError;

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditEventRow<'a> {
    actor_kind: &'a str,
    actor_id: Option<&'a str>,
    action: &'a str,
    resource_type: &'a str,
    resource_id: Option<Uuid>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: Option<&'a str>,
}

/// Records that `actor` did `action` (`organisation.created`) to a resource, with its
/// state before and after. Call it inside the transaction that made the change.
pub async fn record<T: Serialize>(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    resource_type: &str,
    resource_id: Option<Uuid>,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let snapshot = |value: Option<&T>| -> Result<Option<serde_json::Value>, ApiError> {
        value
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| ApiError::Internal(e.into()))
    };
    diesel::insert_into(audit_events::table)
        .values(NewAuditEventRow {
            actor_kind: actor.kind,
            actor_id: actor.id.as_deref(),
            action,
            resource_type,
            resource_id,
            before: snapshot(before)?,
            after: snapshot(after)?,
            request_id: actor.request_id.as_deref(),
        })
        .execute(conn)
        .await?;
    Ok(())
}
