//! `/api/v1/actions` and `/api/v1/actions/{id}/updates`: what is being done about the
//! recommendations, by whom and by when, and the progress reported on it.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::progress_updates::ProgressUpdate;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::{
    self, is_overdue, percent, ActionChanges, ActionId, ActionStatus, NewAction, Owner, ProgressChange, Schedule,
};
use crate::domain::auth::View;
use crate::domain::calendar::{plausible_date, today};
use crate::domain::organisation::OrganisationId;
use crate::domain::programme::ProgrammeId;
use crate::domain::report::{RecommendationId, ReportId};
use crate::domain::text::{Body, Name, Reference, Title};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, RecordActions, Require, UpdateActions};
use crate::http::conditional::{created, ok, ok_unless_current, ETag, IfMatch, IfNoneMatch};
use crate::http::listing::{ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::actions::{self as repo, ActionFilter, ActionRecord};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;

/// Who answers for an action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionOwner {
    pub organisation_id: OrganisationId,
    /// The post, not the person (`Head of Public Protection`): people move on.
    pub post_title: String,
}

/// An action taken on one or more recommendations, with its owner, time frame and
/// progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a77",
    "reference": "CPIP-07",
    "title": "Audit of missing-child referrals",
    "description": "Audit every missing-child referral of the last twelve months against the new risk guidance.",
    "programme_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "programme_name": "Child Protection Improvement Programme",
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
    /// The programme's own reference (`CPIP-07`), unique within its programme (and
    /// among actions in none).
    pub reference: String,
    pub title: String,
    pub description: String,
    /// The programme it belongs to (`GET /api/v1/programmes/{id}`), or null.
    pub programme_id: Option<ProgrammeId>,
    /// Read-only: that programme's name as it is now, for readers; null when
    /// `programme_id` is.
    pub programme_name: Option<String>,
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
            programme_id: row.programme_id,
            programme_name: record.programme_name,
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

/// Filters for the action list.
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
    /// Only the actions of this programme (an unknown id lists none).
    pub programme_id: Option<ProgrammeId>,
    /// Only overdue actions (`true`), or only those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Only actions due before this date.
    pub due_before: Option<NaiveDate>,
    /// Only actions due after this date.
    pub due_after: Option<NaiveDate>,
    /// Only actions whose title, description or success measure is matching this web search (see `GET /api/v1/search`: words after
    /// English stemming, `"phrases"`, `-excluded` words, `or`; whole words, not parts of
    /// words); at most 200 characters. Every match is listed, in the list's usual order.
    #[param(max_length = 200)]
    pub q: Option<String>,
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
    "programme_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60"],
    "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Head of Public Protection"},
    "success_measure": "Every referral audited; findings reported to the Strategic Governance Board.",
    "starts_on": "2022-06-13",
    "due_on": "2022-09-30"
}))]
pub struct CreateActionRequest {
    /// 1 to 50 characters on one line; unique within `programme_id`, or among actions
    /// in no programme when that is absent or null (409 naming the rule otherwise).
    pub reference: String,
    /// 1 to 300 characters.
    pub title: String,
    /// 1 to 20,000 characters.
    pub description: String,
    /// The programme it belongs to: an existing programme (422 otherwise), or absent or
    /// null for none.
    pub programme_id: Option<ProgrammeId>,
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
    /// Moves the action into this programme (an existing one, 422 otherwise); `null`
    /// takes it out of its programme. Its `reference` must not be used by another action
    /// where it goes (409 naming the rule).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<ProgrammeId>, nullable, required = false)]
    pub programme_id: Option<Option<ProgrammeId>>,
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

impl TryFrom<ActionQuery> for ActionFilter {
    type Error = ApiError;

    fn try_from(query: ActionQuery) -> Result<Self, ApiError> {
        let (due_before, due_after, text) = (
            query.due_before.map(|d| plausible_date("due_before", d)).transpose(),
            query.due_after.map(|d| plausible_date("due_after", d)).transpose(),
            query.q.as_deref().map(search_text).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            status: query.status,
            recommendation_id: query.recommendation_id,
            report_id: query.report_id,
            owner_organisation_id: query.owner_organisation_id,
            programme_id: query.programme_id,
            overdue: query.overdue,
            due_before,
            due_after,
            text: text.flatten(),
        })
    }
}

impl TryFrom<CreateActionRequest> for NewAction {
    type Error = ApiError;

    fn try_from(body: CreateActionRequest) -> Result<Self, ApiError> {
        let (reference, title, description, recommendation_ids, post_title, success_measure, schedule) = (
            Reference::parse("reference", &body.reference),
            Title::parse("title", &body.title),
            Body::parse("description", &body.description),
            action::recommendation_ids("recommendation_ids", &body.recommendation_ids),
            Name::parse("owner.post_title", &body.owner.post_title),
            Body::parse("success_measure", &body.success_measure),
            plausible_date("starts_on", body.starts_on).and_then(|starts_on| {
                plausible_date("due_on", body.due_on).and_then(|due_on| Schedule::new(starts_on, due_on, "due_on"))
            }),
        )
            .collect_fields()?;
        Ok(Self {
            reference,
            title,
            description,
            programme_id: body.programme_id,
            recommendation_ids,
            owner: Owner {
                organisation_id: body.owner.organisation_id,
                post_title,
            },
            success_measure,
            schedule,
        })
    }
}

impl TryFrom<UpdateActionRequest> for ActionChanges {
    type Error = ApiError;

    fn try_from(body: UpdateActionRequest) -> Result<Self, ApiError> {
        let (title, description, recommendation_ids, owner, success_measure, starts_on, due_on) = (
            patch_field("title", body.title).and_then(|t| t.map(|t| Title::parse("title", t)).transpose()),
            patch_field("description", body.description)
                .and_then(|d| d.map(|d| Body::parse("description", d)).transpose()),
            patch_field("recommendation_ids", body.recommendation_ids).and_then(|ids| {
                ids.map(|ids| action::recommendation_ids("recommendation_ids", &ids))
                    .transpose()
            }),
            patch_field("owner", body.owner),
            patch_field("success_measure", body.success_measure)
                .and_then(|s| s.map(|s| Body::parse("success_measure", s)).transpose()),
            patch_field("starts_on", body.starts_on)
                .and_then(|d| d.map(|d| plausible_date("starts_on", d)).transpose()),
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
        Ok(Self {
            title,
            description,
            programme_id: body.programme_id,
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
        })
    }
}

impl Publishable for ActionRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Action::from_record(self.clone(), view, today()))
    }
}

/// List actions.
///
/// The soonest due first, paged with `cursor`. Public: no token needed (a token sent
/// must be valid). Unknown `status` values are a 422, not an empty list; an id that
/// names nothing (`programme_id`, `report_id` …) lists no actions. Each action carries
/// its `programme_id` and, for readers, its `programme_name`.
#[utoipa::path(
    tag = "actions",
    params(ActionQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of actions, or with `Accept: text/csv` all that match, as CSV (the latest update flattened into `latest_update_*` columns).",
            content((ActionPage = "application/json"), (String = "text/csv", example = json!(ACTIONS_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/actions")]
pub async fn list_actions(caller: Caller, Paged(query, page): Paged<ActionQuery>) -> Result<HttpResponse, ApiError> {
    let actions = Actions {
        filter: query.try_into()?,
        view: caller.view(),
        today: today(),
    };
    page.respond(&caller, actions).await
}

/// Create an action.
///
/// For `admin` and `commissioner_office`. The action starts `planned` at 0 %. With
/// `programme_id` it belongs to that programme (422 naming `programme_id` when there is
/// no such programme); its `reference` must be unused in that programme, or among
/// actions in no programme when none is given (409 naming the rule, nothing written).
#[utoipa::path(
    tag = "actions",
    request_body = CreateActionRequest,
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
    let new = NewAction::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::insert(&mut conn, &auth.actor(), &new).await?;
    let action = Action::from_record(record, auth.view(), today());
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
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The action.", body = Action,
            headers(("ETag" = String, description = "Its version and a fingerprint, for `If-Match` and `If-None-Match`."))),
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
    let action = Action::from_record(repo::find(&mut conn, *id).await?, caller.view(), today());
    Ok(ok_unless_current(&if_none_match, &action.etag(), &action))
}

/// Change an action.
///
/// JSON merge patch: only the fields given change. `admin` and `commissioner_office`
/// may change any action; `force` users only the actions their own organisation owns
/// (403 otherwise), and only their `status`, `progress_percent` and `completed_on`.
/// A status change must be allowed from the current status (409 with `current_state`
/// otherwise); `completed` means 100 % with a `completed_on`. `due_on` may not precede
/// `starts_on` (422). `programme_id` moves the action into an existing programme (422
/// naming it otherwise) or, `null`, out of its programme; its `reference` must be unused
/// where it goes (409 naming the rule, nothing changed). Send `If-Match` with the `ETag`
/// you read (412 when stale).
#[utoipa::path(
    tag = "actions",
    params(("id" = ActionId, Path, description = "The action's id.")),
    request_body = UpdateActionRequest,
    responses(
        (status = 200, description = "The action as changed.", body = Action),
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
    let changes = ActionChanges::try_from(body)?;
    let today = today();
    let mut conn = state.conn().await?;
    let record = repo::update(
        &mut conn,
        &auth.actor(),
        *id,
        &if_match,
        |row| changes.allowed_for(&auth.principal, row.owner_organisation_id),
        &changes,
        today,
    )
    .await?;
    let action = Action::from_record(record, auth.view(), today);
    Ok(ok(&action.etag(), &action))
}

const ACTIONS_CSV_EXAMPLE: &str = concat!(
    "id,reference,title,description,programme_id,programme_name,recommendation_ids,owner_organisation_id,owner_post_title,success_measure,starts_on,due_on,status,progress_percent,completed_on,is_overdue,latest_update_id,latest_update_reported_on,latest_update_status,latest_update_progress_percent,latest_update_body,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90,A1,Review safeguarding referrals,\"Audit every referral, and retrain staff.\",01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a9f,Child Protection Improvement Programme,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a80,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a50,Head of Public Protection,All referrals audited,2022-04-01,2022-09-30,in_progress,50,,false,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4aa0,2022-06-01,in_progress,50,Half of the referrals are audited.,2022-03-20T09:00:00Z,2022-06-01T09:00:00Z,3\r\n",
);

/// The action list, as JSON pages or CSV.
pub struct Actions {
    filter: ActionFilter,
    view: View,
    today: NaiveDate,
}

impl Listing for Actions {
    type Item = Action;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "reference",
        "title",
        "description",
        "programme_id",
        "programme_name",
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

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Action>, Option<Cursor>), ApiError> {
        let (records, next) = repo::list(conn, &self.filter, &page, self.today).await?;
        let items = records
            .into_iter()
            .map(|record| Action::from_record(record, self.view, self.today))
            .collect();
        Ok((items, next))
    }
}
