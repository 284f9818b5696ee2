//! `/api/v1/responses/{id}/versions`: a response's history, every version as it stood
//! after a change (the first draft, each edit, the publication, each correction).
//! The public sees only what was published: the publication and each correction,
//! never the drafts before it nor which staff account recorded a version.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::responses::Author;
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::question::{ResponseId, ResponseKind};
use crate::error::{responses, ApiError};
use crate::http::caller::Caller;
use crate::http::listing::{Listing, PageParams, Paged};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::responses::{self as repo, ResponseVersionRow};

/// One version of a response, as it stood after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseVersion {
    /// The response's `version` after the change.
    pub version: i32,
    pub kind: ResponseKind,
    pub body: String,
    pub author: Author,
    pub responded_on: NaiveDate,
    /// Why a published response was corrected; null for other changes.
    pub correction_note: Option<String>,
    /// Whether the response was published when this version was recorded (always true
    /// for anonymous and `integration` callers, who see no drafts).
    pub was_published: bool,
    /// Who recorded it (`user:<id>`, `client:<id>`, `system:<what>` …; null when not
    /// known): present for staff roles only, absent for anonymous and `integration`
    /// callers, to whom staff account ids are not shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub recorded_by: Option<Option<String>>,
    pub recorded_at: DateTime<Utc>,
}

impl ResponseVersion {
    /// The version as a caller with `view` may see it: who recorded it only for staff.
    pub fn render(row: ResponseVersionRow, view: View) -> Self {
        Self {
            version: row.version,
            kind: row.kind,
            body: row.body,
            author: Author {
                name: row.author_name,
                position: row.author_position,
            },
            responded_on: row.responded_on,
            correction_note: row.correction_note,
            was_published: row.was_published,
            recorded_by: view.sees_unpublished().then_some(row.recorded_by),
            recorded_at: row.recorded_at,
        }
    }
}

crate::page_type!(ResponseVersionPage, ResponseVersion);

/// A response's versions take no filters, only paging.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseVersionQuery {}

/// List a response's versions.
///
/// Every version, oldest first. Staff roles see the first draft, each edit, the
/// publication and each correction with its note, and who recorded each. Anonymous and
/// `integration` callers see only what was published (the publication and each
/// correction, so version numbers may start above 1), without `recorded_by`; for them a
/// response that is not published does not exist (404).
#[utoipa::path(
    tag = "responses",
    params(("id" = ResponseId, Path, description = "The response's id."), PageParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of versions.", body = ResponseVersionPage),
        responses::ListWithin,
    )
)]
#[get("/responses/{id}/versions")]
pub async fn list_response_versions(
    caller: Caller,
    id: web::Path<ResponseId>,
    Paged(ResponseVersionQuery {}, page): Paged<ResponseVersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let versions = ResponseVersions {
        id: *id,
        view: caller.view(),
    };
    // JSON only, as documented: a response's history is not a CSV export.
    page.respond_json(&caller, versions).await
}

/// A response's versions, oldest first, as JSON pages.
pub struct ResponseVersions {
    id: ResponseId,
    view: View,
}

impl Listing for ResponseVersions {
    type Item = ResponseVersion;
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "kind",
        "body",
        "author_name",
        "author_position",
        "responded_on",
        "correction_note",
        "was_published",
        "recorded_by",
        "recorded_at",
    ];
    const NAME: &'static str = "response-versions";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<ResponseVersion>, Option<Cursor>), ApiError> {
        let (rows, next) = repo::versions(conn, self.id, self.view.sees_unpublished(), &page).await?;
        let items = rows
            .into_iter()
            .map(|row| ResponseVersion::render(row, self.view))
            .collect();
        Ok((items, next))
    }
}
