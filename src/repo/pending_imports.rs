//! Imports read but not yet made: the minutes importer's dry run of a document (the
//! public questions item of a meeting's agenda in ModernGov), stored with the meeting it
//! is of and its report, until the secretariat confirms it (the import is then made from
//! the stored text) or dismisses it.
//!
//! The same text for the same meeting is stored once, whatever became of it (the table
//! is unique by meeting and the text's SHA-256): a sync every hour does not queue it
//! again, and a dismissed one stays dismissed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::changelog::{self, Logged};
use crate::db::schema::pending_imports;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::meeting::MeetingId;
use crate::domain::pending_import::PendingImportStatus;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// Waiting for the secretariat.
pub const PENDING: &str = "pending";
/// Confirmed: the import was made.
pub const CONFIRMED: &str = "confirmed";
/// Dismissed: nothing was imported.
pub const DISMISSED: &str = "dismissed";

/// A stored dry run.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = pending_imports, check_for_backend(diesel::pg::Pg))]
pub struct PendingImportRow {
    pub id: Uuid,
    pub meeting_id: MeetingId,
    /// `moderngov`.
    pub origin: String,
    pub source_name: String,
    pub moderngov_url: Option<String>,
    pub moderngov_meeting_id: Option<i64>,
    pub agenda_item_id: Option<i64>,
    pub agenda_item_title: String,
    /// The text the importer read.
    #[serde(skip)]
    pub document: String,
    pub document_hash: String,
    /// The dry run's report.
    pub report: serde_json::Value,
    /// `pending`, `confirmed` or `dismissed`.
    pub status: PendingImportStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    /// The import's report, once confirmed.
    pub result: Option<serde_json::Value>,
}

impl Logged for PendingImportRow {
    const RESOURCE_TYPE: &'static str = "pending_import";

    fn resource_id(&self) -> Uuid {
        self.id
    }

    fn audit_snapshot(&self) -> impl Serialize + '_ {
        self
    }
}

/// A dry run to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = pending_imports)]
pub struct NewPendingImport<'a> {
    pub meeting_id: MeetingId,
    pub source_name: &'a str,
    pub moderngov_url: Option<&'a str>,
    pub moderngov_meeting_id: Option<i64>,
    pub agenda_item_id: Option<i64>,
    pub agenda_item_title: &'a str,
    pub document: &'a str,
    pub document_hash: &'a str,
    pub report: &'a serde_json::Value,
}

/// Whether a dry run of the text with `document_hash` for `meeting` is stored already
/// (pending, confirmed or dismissed).
pub async fn exists(conn: &mut DbConn, meeting: MeetingId, document_hash: &str) -> Result<bool, ApiError> {
    let found: Option<Uuid> = pending_imports::table
        .filter(pending_imports::meeting_id.eq(meeting))
        .filter(pending_imports::document_hash.eq(document_hash))
        .select(pending_imports::id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// Stores `new` as pending, with its audit record, unless the same text for the same
/// meeting is stored already (then `None`, and nothing is written: two syncs at once
/// store it once).
pub async fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewPendingImport<'_>,
) -> Result<Option<PendingImportRow>, ApiError> {
    conn.transaction(async |conn| {
        let row: Option<PendingImportRow> = diesel::insert_into(pending_imports::table)
            .values((
                pending_imports::id.eq(Uuid::now_v7()),
                pending_imports::origin.eq("moderngov"),
                new,
            ))
            .on_conflict_do_nothing()
            .returning(PendingImportRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if let Some(row) = &row {
            changelog::record(conn, actor, "pending_import.created", None, Some(row)).await?;
        }
        Ok(row)
    })
    .await
}

/// The stored dry run `id`, locked for the rest of the transaction, if it is still
/// pending: a 404 when there is none, a 409 when it was confirmed or dismissed.
pub async fn lock_pending(conn: &mut DbConn, id: Uuid) -> Result<PendingImportRow, ApiError> {
    let row: PendingImportRow = pending_imports::table
        .find(id)
        .select(PendingImportRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("No pending import has id {id}.")))?;
    if row.status != PendingImportStatus::Pending {
        return Err(ApiError::conflict(format!(
            "The import was {} already{}.",
            row.status,
            row.decided_at.map_or(String::new(), |at| format!(" ({at})"))
        )));
    }
    Ok(row)
}

/// Marks the pending dry run `before` (locked by [`lock_pending`] in this transaction)
/// `status` (`confirmed`, with the import's report `result`, or `dismissed`), with its
/// audit record.
pub async fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    before: &PendingImportRow,
    status: PendingImportStatus,
    result: Option<serde_json::Value>,
) -> Result<PendingImportRow, ApiError> {
    let decided_by = match (&actor.id, actor.kind) {
        (Some(id), kind) => format!("{kind}:{id}"),
        (None, kind) => kind.to_string(),
    };
    let after: PendingImportRow = diesel::update(pending_imports::table.find(before.id))
        .set((
            pending_imports::status.eq(status),
            pending_imports::decided_at.eq(Utc::now()),
            pending_imports::decided_by.eq(decided_by),
            pending_imports::result.eq(result),
        ))
        .returning(PendingImportRow::as_returning())
        .get_result(conn)
        .await?;
    changelog::record(
        conn,
        actor,
        &format!("pending_import.{status}"),
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// One page of stored dry runs with `status` (all when `None`), oldest first (ids are
/// UUIDv7, so in the order they were stored).
pub async fn list(
    conn: &mut DbConn,
    status: Option<PendingImportStatus>,
    page: &PageRequest,
) -> Result<(Vec<PendingImportRow>, Option<Cursor>), ApiError> {
    let mut query = pending_imports::table
        .select(PendingImportRow::as_select())
        .order(pending_imports::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(pending_imports::id.gt(after.id));
    }
    if let Some(status) = status {
        query = query.filter(pending_imports::status.eq(status));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_id(row.id)))
}
