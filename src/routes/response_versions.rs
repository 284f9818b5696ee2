//! `/api/v1/responses/{id}/versions`: a response's history, every version as it stood
//! after a change (the first draft, each edit, the publication, each correction).

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::responses::Author;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::question::{ResponseId, ResponseKind};
use crate::error::{responses, ApiError};
use crate::http::caller::Caller;
use crate::http::listing::{self, Listing, PageParams, Paged};
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
    /// Whether the response was published when this version was recorded.
    pub was_published: bool,
    /// Who recorded it (`user:<id>`, `client:<id>` …).
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<ResponseVersionRow> for ResponseVersion {
    fn from(row: ResponseVersionRow) -> Self {
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
            recorded_by: row.recorded_by,
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
/// Every version, oldest first: the first draft, each edit, the publication and each
/// correction with its note. Public for a published response; a draft's history is for
/// staff only (404 for anonymous and `integration` callers).
#[utoipa::path(
    tag = "responses",
    params(("id" = ResponseId, Path, description = "The response's id."), PageParams),
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of versions.", body = ResponseVersionPage,
            headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows."))),
        responses::Read,
        (status = 422, response = responses::ValidationFailed),
    )
)]
#[get("/responses/{id}/versions")]
pub async fn list_response_versions(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ResponseId>,
    Paged(ResponseVersionQuery {}, paging): Paged<ResponseVersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let versions = ResponseVersions {
        id: *id,
        sees_unpublished: caller.view().sees_unpublished(),
    };
    // JSON only, as documented: a response's history is not a CSV export.
    listing::respond_json(&req, &state, &caller, versions, &paging).await
}

/// A response's versions, oldest first, as JSON pages.
pub struct ResponseVersions {
    id: ResponseId,
    sees_unpublished: bool,
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
        let (rows, next) = repo::versions(conn, self.id, self.sees_unpublished, &page).await?;
        Ok((rows.into_iter().map(Into::into).collect(), next))
    }
}
