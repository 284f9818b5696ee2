//! `/api/v1/imports/pending`: imports read but not yet made, for the secretariat to
//! confirm or dismiss. The scheduled ModernGov sync (and `scrutiny sync-meetings
//! --agendas`) stores the minutes importer's dry run of each held meeting's public
//! questions agenda item here, with the meeting it is of; confirming makes the import
//! from the stored text, exactly as `POST /api/v1/imports?meeting_id=…` would.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::imports::{import_minutes, ImportOutcome, ImportQuery, ImportResult};
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::meeting::MeetingId;
use crate::domain::pending_import::PendingImportStatus;
use crate::error::{responses, ApiError};
use crate::http::caller::{ManageQuestions, Require};
use crate::http::listing::{Listing, PageParams, Paged};
use crate::import::minutes::parse_minutes;
use crate::pagination::{Cursor, PageRequest};
use crate::repo::pending_imports::{self as repo, PendingImportRow};

/// A dry run stored for confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingImport {
    pub id: Uuid,
    /// The meeting the document is of; confirming imports its questions into it.
    pub meeting_id: MeetingId,
    /// Where the document came from: `moderngov`.
    #[schema(example = "moderngov")]
    pub origin: String,
    /// The name the import is made under (the questions' `source.name`).
    #[schema(example = "ModernGov meeting 4567 item 5: Public Questions")]
    pub source_name: String,
    /// The ModernGov site, its meeting id and its agenda item id.
    pub moderngov_url: Option<String>,
    pub moderngov_meeting_id: Option<i64>,
    pub agenda_item_id: Option<i64>,
    /// The agenda item's title.
    #[schema(example = "Public Questions")]
    pub agenda_item_title: String,
    /// The text the importer read (the item's minutes, or its agenda text), as plain
    /// text.
    pub document: String,
    /// The SHA-256 (hex) of `document`: the same text for the same meeting is stored once.
    pub document_hash: String,
    pub status: PendingImportStatus,
    /// The dry run's report, as `POST /api/v1/imports?dry_run=true` answers it.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// When and by whom it was confirmed or dismissed.
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    /// The import's report, once confirmed.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

impl From<PendingImportRow> for PendingImport {
    fn from(row: PendingImportRow) -> Self {
        Self {
            id: row.id,
            meeting_id: row.meeting_id,
            origin: row.origin,
            source_name: row.source_name,
            moderngov_url: row.moderngov_url,
            moderngov_meeting_id: row.moderngov_meeting_id,
            agenda_item_id: row.agenda_item_id,
            agenda_item_title: row.agenda_item_title,
            document: row.document,
            document_hash: row.document_hash,
            status: row.status,
            report: row.report,
            created_at: row.created_at,
            decided_at: row.decided_at,
            decided_by: row.decided_by,
            result: row.result,
        }
    }
}

crate::page_type!(PendingImportPage, PendingImport);

/// Filters for the stored dry runs.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PendingImportQuery {
    /// Only those in this state (all by default).
    pub status: Option<PendingImportStatus>,
}

/// List the imports waiting for confirmation.
///
/// The dry runs the ModernGov sync stored (with agendas on): a meeting's public
/// questions item, read by the minutes importer, with the meeting it is of, the text read
/// and the dry run's report (each question, what was recognised and guessed). Oldest
/// first. For `admin` and `secretariat`.
#[utoipa::path(
    tag = "imports",
    params(PendingImportQuery, PageParams),
    responses(
        (status = 200, description = "A page of stored dry runs, oldest first.", body = PendingImportPage),
        responses::ListProtected,
    )
)]
#[get("/imports/pending")]
pub async fn list_pending_imports(
    auth: Require<ManageQuestions>,
    Paged(query, page): Paged<PendingImportQuery>,
) -> Result<HttpResponse, ApiError> {
    page.respond_json(auth.caller(), PendingImports { status: query.status })
        .await
}

/// The stored dry runs under a filter, as JSON pages.
pub struct PendingImports {
    status: Option<PendingImportStatus>,
}

impl Listing for PendingImports {
    type Item = PendingImport;
    const COLUMNS: &'static [&'static str] = &[];
    const NAME: &'static str = "pending-imports";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<PendingImport>, Option<Cursor>), ApiError> {
        let (rows, next) = repo::list(conn, self.status, &page).await?;
        Ok((rows.into_iter().map(Into::into).collect(), next))
    }
}

/// What confirming did: the stored dry run, now confirmed, and the import's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmedImport {
    pub pending_import: PendingImport,
    pub result: ImportResult,
}

/// Confirm an import waiting for confirmation.
///
/// Imports the stored text into its meeting, exactly as `POST /api/v1/imports` with
/// `meeting_id` would (each question in a transaction of its own, by its key, so a
/// question imported since is not imported twice), and marks the dry run `confirmed`
/// with the import's report, all in one transaction. 201 when a question was created,
/// 200 when all had been imported before. A dry run that was confirmed or dismissed
/// already is a 409; one of which no question can now be imported (the meeting changed,
/// say) a 422 naming each question, and it stays pending. For `admin` and
/// `secretariat`.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The stored dry run's id.")),
    responses(
        (status = 201, description = "Confirmed; at least one question was created.", body = ConfirmedImport),
        (status = 200, description = "Confirmed; every question had been imported before.", body = ConfirmedImport),
        responses::Transition,
    )
)]
#[post("/imports/pending/{id}/confirm")]
pub async fn confirm_pending_import(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = auth.actor();
    let mut conn = state.conn().await?;
    let (row, result) = conn
        .transaction(async |conn| {
            let before = repo::lock_pending(conn, id).await?;
            let minutes = parse_minutes(&before.document).ok_or_else(|| {
                ApiError::invalid("document", "the stored text no longer reads as minutes: dismiss it")
            })?;
            let query = ImportQuery {
                dry_run: Some(false),
                meeting_id: Some(before.meeting_id),
                meeting_date: None,
            };
            let result = import_minutes(conn, &actor, &minutes, &before.source_name, &query, false).await?;
            let report = serde_json::to_value(&result).map_err(|e| ApiError::Internal(e.into()))?;
            let after = repo::decide(conn, &actor, &before, PendingImportStatus::Confirmed, Some(report)).await?;
            Ok::<_, ApiError>((after, result))
        })
        .await?;
    let created = result.outcome == ImportOutcome::Created;
    let body = ConfirmedImport {
        pending_import: row.into(),
        result,
    };
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Dismiss an import waiting for confirmation.
///
/// Nothing is imported; the dry run stays on record as `dismissed`, and the same text
/// for the same meeting is not stored again. A dry run confirmed or dismissed already
/// is a 409. For `admin` and `secretariat`.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The stored dry run's id.")),
    responses(
        (status = 200, description = "Dismissed.", body = PendingImport),
        responses::Transition,
    )
)]
#[post("/imports/pending/{id}/dismiss")]
pub async fn dismiss_pending_import(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = auth.actor();
    let mut conn = state.conn().await?;
    let row = conn
        .transaction(async |conn| {
            let before = repo::lock_pending(conn, id).await?;
            repo::decide(conn, &actor, &before, PendingImportStatus::Dismissed, None).await
        })
        .await?;
    Ok(HttpResponse::Ok().json(PendingImport::from(row)))
}
