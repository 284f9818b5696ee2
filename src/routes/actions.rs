//! `/api/v1/actions` and `/api/v1/actions/{id}/updates`: what is being done about the
//! recommendations, by whom and by when, and the progress reported on it.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::domain::action::{
    self, is_overdue, percent, ActionChanges, ActionId, ActionStatus, NewAction, NewProgressUpdate, Owner,
    ProgressChange, ProgressUpdateId, Schedule,
};
use crate::domain::auth::{Principal, View};
use crate::domain::calendar::plausible_date;
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::OrganisationId;
use crate::domain::report::{RecommendationId, ReportId};
use crate::domain::text::{Body, Name, Reference, Title};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, RecordActions, Require, Requirement as _, UpdateActions};
use crate::http::conditional::{created, ok, ok_unless_current, ETag, IfMatch, IfNoneMatch};
use crate::http::{patch_field, Json, Query};
use crate::pagination::PageRequest;
use crate::repo::actions::{self as repo, ActionFilter, ActionRecord, ActionRow, ProgressUpdateRecord};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;

/// Who answers for an action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionOwner {
    pub organisation_id: OrganisationId,
    /// The post, not the person (`Head of Public Protection`): people move on.
    pub post_title: String,
}

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
    fn from_record(record: ProgressUpdateRecord, view: View) -> Self {
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

/// An action taken on one or more recommendations, with its owner, time frame and
/// progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a77",
    "reference": "CPIP-07",
    "title": "Audit of missing-child referrals",
    "description": "Audit every missing-child referral of the last twelve months against the new risk guidance.",
    "programme": "Child Protection Improvement Programme",
    "recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60"],
    "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Head of Public Protection"},
    "success_measure": "Every referral audited; findings reported to the Strategic Governance Board.",
    "starts_on": "2022-06-13",
    "due_on": "2022-09-30",
    "status": "in_progress",
    "progress_percent": 50,
    "completed_on": null,
    "is_overdue": false,
    "latest_update": null,
    "created_at": "2022-06-10T09:00:00Z",
    "updated_at": "2022-07-14T15:00:00Z",
    "version": 2
}))]
pub struct Action {
    pub id: ActionId,
    /// The programme's own reference (`CPIP-07`), unique across actions.
    pub reference: String,
    pub title: String,
    pub description: String,
    /// The programme it belongs to, if any.
    pub programme: Option<String>,
    /// The recommendations it addresses (at least one).
    pub recommendation_ids: Vec<RecommendationId>,
    pub owner: ActionOwner,
    /// How everyone will know it worked.
    pub success_measure: String,
    pub starts_on: NaiveDate,
    /// Never before `starts_on`.
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: i32,
    /// Set when, and only when, the status is `completed`.
    pub completed_on: Option<NaiveDate>,
    /// Read-only: due before today (UTC) and neither completed nor cancelled.
    pub is_overdue: bool,
    /// Read-only: the update posted last, or null.
    pub latest_update: Option<ProgressUpdate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change, including each update posted; the `ETag`
    /// carries it.
    pub version: i32,
}

impl Action {
    pub fn from_record(record: ActionRecord, view: View, today: NaiveDate) -> Self {
        let row = record.row;
        Self {
            is_overdue: is_overdue(row.status, row.due_on, today),
            latest_update: record.latest_update.map(|u| ProgressUpdate::from_record(u, view)),
            id: row.id,
            reference: row.reference,
            title: row.title,
            description: row.description,
            programme: row.programme,
            recommendation_ids: record.recommendation_ids,
            owner: ActionOwner {
                organisation_id: row.owner_organisation_id,
                post_title: row.owner_post_title,
            },
            success_measure: row.success_measure,
            starts_on: row.starts_on,
            due_on: row.due_on,
            status: row.status,
            progress_percent: row.progress_percent,
            completed_on: row.completed_on,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }

    /// Its `ETag`: the version and a fingerprint, since `is_overdue` changes with the
    /// date while the version stays.
    fn etag(&self) -> ETag {
        ETag::of_representation(self.version, self)
    }
}

crate::page_type!(ActionPage, Action);
crate::page_type!(ProgressUpdatePage, ProgressUpdate);

/// Filters and paging for the action list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions in this status.
    pub status: Option<ActionStatus>,
    /// Only actions addressing this recommendation.
    pub recommendation_id: Option<RecommendationId>,
    /// Only actions addressing a recommendation of this report.
    pub report_id: Option<ReportId>,
    /// Only actions this organisation owns.
    pub owner_organisation_id: Option<OrganisationId>,
    /// Only actions of this programme (exact name).
    pub programme: Option<String>,
    /// Only overdue actions (`true`), or only those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Only actions due before this date.
    pub due_before: Option<NaiveDate>,
    /// Only actions due after this date.
    pub due_after: Option<NaiveDate>,
    /// Only actions whose title, description, success measure or programme is matching this web search (see `GET /api/v1/search`: words after
    /// English stemming, `"phrases"`, `-excluded` words, `or`; whole words, not parts of
    /// words); at most 200 characters. Every match is listed, in the list's usual order.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Paging only.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Who will answer for a new action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerRequest {
    /// An existing organisation.
    pub organisation_id: OrganisationId,
    /// 1 to 200 characters.
    pub post_title: String,
}

/// A new action. It starts `planned` at 0 %; it moves by `PATCH` or, better, by
/// posting updates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference": "CPIP-07",
    "title": "Audit of missing-child referrals",
    "description": "Audit every missing-child referral of the last twelve months against the new risk guidance.",
    "programme": "Child Protection Improvement Programme",
    "recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60"],
    "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Head of Public Protection"},
    "success_measure": "Every referral audited; findings reported to the Strategic Governance Board.",
    "starts_on": "2022-06-13",
    "due_on": "2022-09-30"
}))]
pub struct CreateActionRequest {
    /// 1 to 50 characters on one line; unique across actions (409 otherwise).
    pub reference: String,
    /// 1 to 300 characters.
    pub title: String,
    /// 1 to 20,000 characters.
    pub description: String,
    /// 1 to 200 characters.
    pub programme: Option<String>,
    /// 1 to 100 existing recommendations; an id given twice counts once.
    pub recommendation_ids: Vec<RecommendationId>,
    pub owner: OwnerRequest,
    /// 1 to 20,000 characters.
    pub success_measure: String,
    pub starts_on: NaiveDate,
    /// Required, and not before `starts_on`.
    pub due_on: NaiveDate,
}

/// Changes to an action's owner (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerPatch {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationId, required = false)]
    pub organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub post_title: Option<Option<String>>,
}

/// Changes to an action (JSON merge patch): absent fields stay as they are. `force`
/// users may give only `status`, `progress_percent` and `completed_on`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "completed", "completed_on": "2022-09-28"}))]
pub struct UpdateActionRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub description: Option<Option<String>>,
    /// `null` takes the action out of its programme.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub programme: Option<Option<String>>,
    /// Replaces the set: 1 to 100 existing recommendations; an id given twice counts once.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<RecommendationId>, required = false)]
    pub recommendation_ids: Option<Option<Vec<RecommendationId>>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OwnerPatch, required = false)]
    pub owner: Option<Option<OwnerPatch>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub success_measure: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub due_on: Option<Option<NaiveDate>>,
    /// `planned`, `in_progress` and `blocked` may become anything but `planned` again;
    /// `completed` may only be reopened as `in_progress`; `cancelled` is final (409
    /// with `current_state` otherwise). `completed` sets `progress_percent` to 100 and
    /// `completed_on` (today unless given).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = ActionStatus, required = false)]
    pub status: Option<Option<ActionStatus>>,
    /// 0 to 100; 100 alone does not complete the action.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = i32, required = false, minimum = 0, maximum = 100)]
    pub progress_percent: Option<Option<i32>>,
    /// Only with the action completed.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub completed_on: Option<Option<NaiveDate>>,
}

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

/// The object-level check on an action that is about to change: `admin` and
/// `commissioner_office` may change anything; `force` users only move (status,
/// progress, completion) the actions their own organisation owns.
fn may_change(principal: &Principal, row: &ActionRow, beyond_progress: bool) -> Result<(), ApiError> {
    if !principal.may_move_action_of(row.owner_organisation_id) {
        return Err(ApiError::forbidden(
            "Only admin, commissioner_office and force users of the owning organisation may change this action",
        ));
    }
    if beyond_progress && !principal.has_any(RecordActions::ROLES) {
        return Err(ApiError::forbidden(
            "force users may change only status, progress_percent and completed_on; \
             ask the Commissioner's office to change anything else",
        ));
    }
    Ok(())
}

impl Publishable for ActionRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, view: crate::domain::auth::View) -> Result<serde_json::Value, ApiError> {
        to_json(&Action::from_record(
            self.clone(),
            view,
            crate::domain::calendar::today(),
        ))
    }
}

impl Publishable for ProgressUpdateRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, view: crate::domain::auth::View) -> Result<serde_json::Value, ApiError> {
        to_json(&ProgressUpdate::from_record(self.clone(), view))
    }
}

/// List actions.
///
/// The soonest due first, paged with `cursor`. Public: no token needed (a token sent
/// must be valid). Unknown `status` values are a 422, not an empty list.
#[utoipa::path(
    tag = "actions",
    params(ActionQuery),
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of actions, or with `Accept: text/csv` all that match, as CSV (the latest update flattened into `latest_update_*` columns).",
            content((ActionPage = "application/json"), (String = "text/csv", example = json!(ACTIONS_CSV_EXAMPLE))),
            headers(("Content-Disposition" = String, description = "With `text/csv`: `attachment; filename=\"<collection>-<date>.csv\"`."), ("Link" = String, description = "`<url>; rel=\"next\"` when another page follows."))),
        responses::List,
    )
)]
#[get("/actions")]
pub async fn list_actions(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<ActionQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let (due_before, due_after, programme, text) = (
        query.due_before.map(|d| plausible_date("due_before", d)).transpose(),
        query.due_after.map(|d| plausible_date("due_after", d)).transpose(),
        query
            .programme
            .map(|p| Name::parse("programme", p).map(Name::into_inner))
            .transpose(),
        query.q.as_deref().map(crate::http::search_text).transpose(),
    )
        .collect_fields()?;
    let filter = ActionFilter {
        status: query.status,
        recommendation_id: query.recommendation_id,
        report_id: query.report_id,
        owner_organisation_id: query.owner_organisation_id,
        programme,
        overdue: query.overdue,
        due_before,
        due_after,
        text: text.flatten(),
    };
    if crate::http::csv::wants_csv(&req) {
        let export = ActionExport {
            filter,
            view: caller.view(),
            today: crate::domain::calendar::today(),
        };
        return crate::http::csv::respond(&state, &caller, export, query.limit, query.cursor.as_deref()).await;
    }
    let today = crate::domain::calendar::today();
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let (records, next) = repo::list(&mut conn, &filter, &page, today).await?;
    let view = caller.view();
    Ok(ActionPage::respond(
        &req,
        records
            .into_iter()
            .map(|record| Action::from_record(record, view, today))
            .collect(),
        next,
    ))
}

/// Create an action.
///
/// For `admin` and `commissioner_office`. The action starts `planned` at 0 %.
#[utoipa::path(
    tag = "actions",
    request_body = CreateActionRequest,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 201, description = "The action was created.", body = Action,
            headers(("Location" = String, description = "The new action's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/actions")]
pub async fn create_action(
    auth: Require<RecordActions>,
    state: web::Data<AppState>,
    Json(body): Json<CreateActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (reference, title, description, programme, recommendation_ids, post_title, success_measure, schedule) = (
        Reference::parse("reference", &body.reference),
        Title::parse("title", &body.title),
        Body::parse("description", &body.description),
        body.programme
            .as_deref()
            .map(|p| Name::parse("programme", p))
            .transpose(),
        action::recommendation_ids("recommendation_ids", &body.recommendation_ids),
        Name::parse("owner.post_title", &body.owner.post_title),
        Body::parse("success_measure", &body.success_measure),
        plausible_date("starts_on", body.starts_on).and_then(|starts_on| {
            plausible_date("due_on", body.due_on).and_then(|due_on| Schedule::new(starts_on, due_on, "due_on"))
        }),
    )
        .collect_fields()?;
    let new = NewAction {
        reference,
        title,
        description,
        programme,
        recommendation_ids,
        owner: Owner {
            organisation_id: body.owner.organisation_id,
            post_title,
        },
        success_measure,
        schedule,
    };
    let view = auth.view();
    let mut conn = state.conn().await?;
    let record = repo::insert(&mut conn, &auth.actor(), &new).await?;
    let action = Action::from_record(record, view, crate::domain::calendar::today());
    Ok(created(
        format!("/api/v1/actions/{}", action.id),
        &action.etag(),
        &action,
    ))
}

/// Get an action.
///
/// Public. Sends an `ETag`; with `If-None-Match` naming it, answers 304. The tag
/// changes when the action becomes overdue, although the version does not.
#[utoipa::path(
    tag = "actions",
    params(("id" = ActionId, Path, description = "The action's id.")),
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The action.", body = Action,
            headers(("ETag" = String, description = "Its version and a fingerprint, for `If-Match` and `If-None-Match`."))),
        (status = 304, description = "The caller's copy (`If-None-Match`) is current."),
        responses::Read,
    )
)]
#[get("/actions/{id}")]
pub async fn get_action(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ActionId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let action = Action::from_record(
        repo::find(&mut conn, *id).await?,
        caller.view(),
        crate::domain::calendar::today(),
    );
    Ok(ok_unless_current(&if_none_match, &action.etag(), &action))
}

/// Change an action.
///
/// JSON merge patch: only the fields given change. `admin` and `commissioner_office`
/// may change any action; `force` users only the actions their own organisation owns
/// (403 otherwise), and only their `status`, `progress_percent` and `completed_on`.
/// A status change must be allowed from the current status (409 with `current_state`
/// otherwise); `completed` means 100 % with a `completed_on`. `due_on` may not precede
/// `starts_on` (422). Send `If-Match` with the `ETag` you read (412 when stale).
#[utoipa::path(
    tag = "actions",
    params(
        ("id" = ActionId, Path, description = "The action's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on."),
    ),
    request_body = UpdateActionRequest,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The action as changed.", body = Action,
            headers(("ETag" = String, description = "Its new version."))),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[patch("/actions/{id}")]
pub async fn update_action(
    auth: Require<UpdateActions>,
    state: web::Data<AppState>,
    id: web::Path<ActionId>,
    if_match: IfMatch,
    Json(body): Json<UpdateActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (title, description, programme, recommendation_ids, owner, success_measure, starts_on, due_on) = (
        patch_field("title", body.title).and_then(|t| t.map(|t| Title::parse("title", t)).transpose()),
        patch_field("description", body.description).and_then(|d| d.map(|d| Body::parse("description", d)).transpose()),
        body.programme
            .map(|p| p.map(|p| Name::parse("programme", p)).transpose())
            .transpose(),
        patch_field("recommendation_ids", body.recommendation_ids).and_then(|ids| {
            ids.map(|ids| action::recommendation_ids("recommendation_ids", &ids))
                .transpose()
        }),
        patch_field("owner", body.owner),
        patch_field("success_measure", body.success_measure)
            .and_then(|s| s.map(|s| Body::parse("success_measure", s)).transpose()),
        patch_field("starts_on", body.starts_on).and_then(|d| d.map(|d| plausible_date("starts_on", d)).transpose()),
        patch_field("due_on", body.due_on).and_then(|d| d.map(|d| plausible_date("due_on", d)).transpose()),
    )
        .collect_fields()?;
    let (owner_organisation_id, owner_post_title) = match owner {
        None => (Ok(None), Ok(None)),
        Some(owner) => (
            patch_field("owner.organisation_id", owner.organisation_id),
            patch_field("owner.post_title", owner.post_title)
                .and_then(|p| p.map(|p| Name::parse("owner.post_title", p)).transpose()),
        ),
    };
    let (owner_organisation_id, owner_post_title, status, progress_percent, completed_on) = (
        owner_organisation_id,
        owner_post_title,
        patch_field("status", body.status),
        patch_field("progress_percent", body.progress_percent)
            .and_then(|p| p.map(|p| percent("progress_percent", p)).transpose()),
        patch_field("completed_on", body.completed_on)
            .and_then(|d| d.map(|d| plausible_date("completed_on", d)).transpose()),
    )
        .collect_fields()?;
    let changes = ActionChanges {
        title,
        description,
        programme,
        recommendation_ids,
        owner_organisation_id,
        owner_post_title,
        success_measure,
        starts_on,
        due_on,
        progress: ProgressChange {
            status,
            progress_percent,
            completed_on,
        },
    };
    let beyond_progress = changes.changes_more_than_progress();
    let principal = &auth.principal;
    let view = auth.view();
    let today = crate::domain::calendar::today();
    let mut conn = state.conn().await?;
    let record = repo::update(
        &mut conn,
        &auth.actor(),
        *id,
        &if_match,
        |row| may_change(principal, row, beyond_progress),
        &changes,
        today,
    )
    .await?;
    let action = Action::from_record(record, view, today);
    Ok(ok(&action.etag(), &action))
}

/// List an action's updates.
///
/// In the order they were posted, oldest first, paged with `cursor`. Public. 404 when
/// there is no such action.
#[utoipa::path(
    tag = "actions",
    params(("id" = ActionId, Path, description = "The action's id."), PageQuery),
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of the action's updates, or with `Accept: text/csv` all of them, as CSV.",
            content((ProgressUpdatePage = "application/json"), (String = "text/csv", example = json!(ACTION_UPDATES_CSV_EXAMPLE))),
            headers(("Content-Disposition" = String, description = "With `text/csv`: `attachment; filename=\"<collection>-<date>.csv\"`."), ("Link" = String, description = "`<url>; rel=\"next\"` when another page follows."))),
        responses::Read,
        (status = 422, response = responses::ValidationFailed),
    )
)]
#[get("/actions/{id}/updates")]
pub async fn list_progress_updates(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ActionId>,
    Query(query): Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    if crate::http::csv::wants_csv(&req) {
        let export = ProgressUpdateExport {
            action_id: *id,
            view: caller.view(),
        };
        return crate::http::csv::respond(&state, &caller, export, query.limit, query.cursor.as_deref()).await;
    }
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let (records, next) = repo::list_updates(&mut conn, *id, &page).await?;
    let view = caller.view();
    Ok(ProgressUpdatePage::respond(
        &req,
        records
            .into_iter()
            .map(|record| ProgressUpdate::from_record(record, view))
            .collect(),
        next,
    ))
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
    security(("bearer" = []), ("oauth2" = [])),
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
    let new = NewProgressUpdate {
        reported_on,
        author_name,
        author_position,
        body: text,
        progress_percent,
        status: body.status,
        meeting_id: body.meeting_id,
    };
    let principal = &auth.principal;
    let view = auth.view();
    let mut conn = state.conn().await?;
    let record = repo::post_update(
        &mut conn,
        &auth.actor(),
        *id,
        &if_match,
        |row| may_change(principal, row, false),
        &new,
    )
    .await?;
    let update = ProgressUpdate::from_record(record, view);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/actions/{}/updates", update.action_id),
        ))
        .json(&update))
}

const ACTIONS_CSV_EXAMPLE: &str = concat!(
    "id,reference,title,description,programme,recommendation_ids,owner_organisation_id,owner_post_title,success_measure,starts_on,due_on,status,progress_percent,completed_on,is_overdue,latest_update_id,latest_update_reported_on,latest_update_status,latest_update_progress_percent,latest_update_body,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90,A1,Review safeguarding referrals,\"Audit every referral, and retrain staff.\",,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a80,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a50,Head of Public Protection,All referrals audited,2022-04-01,2022-09-30,in_progress,50,,false,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4aa0,2022-06-01,in_progress,50,Half of the referrals are audited.,2022-03-20T09:00:00Z,2022-06-01T09:00:00Z,3\r\n",
);

/// The action list as CSV (`Accept: text/csv`).
pub struct ActionExport {
    filter: ActionFilter,
    view: View,
    today: NaiveDate,
}

impl crate::http::listing::Listing for ActionExport {
    type Item = Action;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "reference",
        "title",
        "description",
        "programme",
        "recommendation_ids",
        "owner_organisation_id",
        "owner_post_title",
        "success_measure",
        "starts_on",
        "due_on",
        "status",
        "progress_percent",
        "completed_on",
        "is_overdue",
        "latest_update_id",
        "latest_update_reported_on",
        "latest_update_status",
        "latest_update_progress_percent",
        "latest_update_body",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "actions";

    async fn page(
        &self,
        conn: &mut crate::db::DbConn,
        page: PageRequest,
    ) -> Result<(Vec<Action>, Option<crate::pagination::Cursor>), ApiError> {
        let (records, next) = repo::list(conn, &self.filter, &page, self.today).await?;
        let items = records
            .into_iter()
            .map(|record| Action::from_record(record, self.view, self.today))
            .collect();
        Ok((items, next))
    }
}

const ACTION_UPDATES_CSV_EXAMPLE: &str = concat!(
    "id,action_id,reported_on,author_name,author_position,body,progress_percent,status,meeting_id,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4aa0,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90,2022-06-01,Sam Jones,Head of Public Protection,\"Half of the referrals are audited; the rest by August.\",50,in_progress,,2022-06-01T09:00:00Z,2022-06-01T09:00:00Z,1\r\n",
);

/// An action's updates as CSV (`Accept: text/csv`).
pub struct ProgressUpdateExport {
    action_id: ActionId,
    view: View,
}

impl crate::http::listing::Listing for ProgressUpdateExport {
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
        conn: &mut crate::db::DbConn,
        page: PageRequest,
    ) -> Result<(Vec<ProgressUpdate>, Option<crate::pagination::Cursor>), ApiError> {
        let (records, next) = repo::list_updates(conn, self.action_id, &page).await?;
        let items = records
            .into_iter()
            .map(|record| ProgressUpdate::from_record(record, self.view))
            .collect();
        Ok((items, next))
    }
}
