//! `/api/v1/actions/{id}/updates`: the progress reported on an action, an append-only
//! trail; posting an update moves the action with it.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::{percent, ActionId, ActionStatus, NewProgressUpdate, ProgressUpdateId};
use crate::domain::auth::View;
use crate::domain::calendar::plausible_date;
use crate::domain::meeting::MeetingId;
use crate::domain::text::{Body, Name};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, Require, UpdateActions};
use crate::http::conditional::IfMatch;
use crate::http::listing::{ExportParams, Listing, PageParams, Paged};
use crate::http::Json;
use crate::pagination::{Cursor, PageRequest};
use crate::repo::actions::{self as repo, ProgressUpdateRecord};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;

/// Who wrote an update.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Author {
    pub name: String,
    pub position: String,
}

/// A progress report on an action. Updates are never changed or deleted; a mistake is
/// corrected by a later update.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "action_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a77",
    "reported_on": "2022-07-14",
    "author": {"name": "Chief Constable", "position": "Chief Constable, Staffordshire Police"},
    "body": "Training for all public protection staff is half complete.",
    "progress_percent": 50,
    "status": "in_progress",
    "meeting_id": null,
    "created_at": "2022-07-14T15:00:00Z",
    "updated_at": "2022-07-14T15:00:00Z",
    "version": 1
}))]
pub struct ProgressUpdate {
    pub id: ProgressUpdateId,
    pub action_id: ActionId,
    /// When the progress was reported (at a meeting, say).
    pub reported_on: NaiveDate,
    pub author: Author,
    pub body: String,
    /// The action's progress as this update gave it, if it did.
    pub progress_percent: Option<i32>,
    /// The action's status as this update gave it, if it did.
    pub status: Option<ActionStatus>,
    /// The meeting it was reported at. Anonymous and `integration` callers see it only
    /// when the meeting is public.
    pub meeting_id: Option<MeetingId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Always 1: updates do not change.
    pub version: i32,
}

impl ProgressUpdate {
    pub fn from_record(record: ProgressUpdateRecord, view: View) -> Self {
        let row = record.row;
        let meeting_visible = view.sees_unpublished() || record.meeting_is_public == Some(true);
        Self {
            id: row.id,
            action_id: row.action_id,
            reported_on: row.reported_on,
            author: Author {
                name: row.author_name,
                position: row.author_position,
            },
            body: row.body,
            progress_percent: row.progress_percent,
            status: row.status,
            meeting_id: row.meeting_id.filter(|_| meeting_visible),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(ProgressUpdatePage, ProgressUpdate);

/// The update list takes no filters, only paging (an unknown parameter is a 422).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressUpdateQuery {}

/// Who wrote a new update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorRequest {
    /// 1 to 200 characters.
    pub name: String,
    /// 1 to 200 characters.
    pub position: String,
}

/// A new progress update on an action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reported_on": "2022-07-14",
    "author": {"name": "Chief Constable", "position": "Chief Constable, Staffordshire Police"},
    "body": "Training for all public protection staff is half complete.",
    "progress_percent": 50,
    "status": "in_progress"
}))]
pub struct CreateProgressUpdateRequest {
    pub reported_on: NaiveDate,
    pub author: AuthorRequest,
    /// 1 to 20,000 characters.
    pub body: String,
    /// The action's new progress, 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: Option<i32>,
    /// The action's new status, under the same rules as a `PATCH`; `completed` sets the
    /// progress to 100 and `completed_on` to `reported_on`.
    pub status: Option<ActionStatus>,
    /// The meeting it was reported at: an existing meeting.
    pub meeting_id: Option<MeetingId>,
}

impl TryFrom<CreateProgressUpdateRequest> for NewProgressUpdate {
    type Error = ApiError;

    fn try_from(body: CreateProgressUpdateRequest) -> Result<Self, ApiError> {
        let (reported_on, author_name, author_position, text, progress_percent) = (
            plausible_date("reported_on", body.reported_on),
            Name::parse("author.name", &body.author.name),
            Name::parse("author.position", &body.author.position),
            Body::parse("body", &body.body),
            body.progress_percent
                .map(|p| percent("progress_percent", p))
                .transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            reported_on,
            author_name,
            author_position,
            body: text,
            progress_percent,
            status: body.status,
            meeting_id: body.meeting_id,
        })
    }
}

impl Publishable for ProgressUpdateRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&ProgressUpdate::from_record(self.clone(), view))
    }
}

/// List an action's updates.
///
/// In the order they were posted, oldest first, paged with `cursor`. Public. 404 when
/// there is no such action.
#[utoipa::path(
    tag = "actions",
    params(("id" = ActionId, Path, description = "The action's id."), PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of the action's updates, or with `Accept: text/csv` all of them, as CSV.",
            content((ProgressUpdatePage = "application/json"), (String = "text/csv", example = json!(ACTION_UPDATES_CSV_EXAMPLE)))),
        responses::ListWithin,
    )
)]
#[get("/actions/{id}/updates")]
pub async fn list_progress_updates(
    caller: Caller,
    id: web::Path<ActionId>,
    Paged(ProgressUpdateQuery {}, page): Paged<ProgressUpdateQuery>,
) -> Result<HttpResponse, ApiError> {
    let updates = ProgressUpdates {
        action_id: *id,
        view: caller.view(),
    };
    page.respond(&caller, updates).await
}

/// Post an update on an action.
///
/// Moves the action in the same transaction: its `progress_percent` and `status` take
/// the values given (a status change must be allowed, 409 with `current_state`
/// otherwise; `completed` sets 100 % and `completed_on` to `reported_on`), and its
/// version goes up. For `admin`, `commissioner_office`, and `force` users of the
/// organisation that owns the action (403 otherwise). `If-Match` with the action's
/// `ETag` makes the update conditional on the action being as you read it (412).
/// Updates cannot be changed or deleted: a mistake is corrected by a later update.
#[utoipa::path(
    tag = "actions",
    params(
        ("id" = ActionId, Path, description = "The action's id."),
        ("If-Match" = Option<String>, Header, description = "The action's `ETag` the update is based on."),
    ),
    request_body = CreateProgressUpdateRequest,
    responses(
        (status = 201, description = "The update was posted and the action moved.", body = ProgressUpdate,
            headers(("Location" = String, description = "The action's updates (an update has no URL of its own)."))),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/actions/{id}/updates")]
pub async fn create_progress_update(
    auth: Require<UpdateActions>,
    state: web::Data<AppState>,
    id: web::Path<ActionId>,
    if_match: IfMatch,
    Json(body): Json<CreateProgressUpdateRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewProgressUpdate::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::post_update(
        &mut conn,
        &auth.actor(),
        *id,
        &if_match,
        |row| new.allowed_for(&auth.principal, row.owner_organisation_id),
        &new,
    )
    .await?;
    let update = ProgressUpdate::from_record(record, auth.view());
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/actions/{}/updates", update.action_id),
        ))
        .json(&update))
}

const ACTION_UPDATES_CSV_EXAMPLE: &str = concat!(
    "id,action_id,reported_on,author_name,author_position,body,progress_percent,status,meeting_id,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4aa0,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90,2022-06-01,Sam Jones,Head of Public Protection,\"Half of the referrals are audited; the rest by August.\",50,in_progress,,2022-06-01T09:00:00Z,2022-06-01T09:00:00Z,1\r\n",
);

/// An action's updates, as JSON pages or CSV.
pub struct ProgressUpdates {
    action_id: ActionId,
    view: View,
}

impl Listing for ProgressUpdates {
    type Item = ProgressUpdate;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "action_id",
        "reported_on",
        "author_name",
        "author_position",
        "body",
        "progress_percent",
        "status",
        "meeting_id",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "action-updates";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<ProgressUpdate>, Option<Cursor>), ApiError> {
        let (records, next) = repo::list_updates(conn, self.action_id, &page).await?;
        let items = records
            .into_iter()
            .map(|record| ProgressUpdate::from_record(record, self.view))
            .collect();
        Ok((items, next))
    }
}
