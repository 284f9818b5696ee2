//! `/api/v1/programmes`: improvement programmes, the named sets of actions a force or
//! the Commissioner runs in answer to reports, and each programme's progress.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::actions::{ActionOwner, OwnerPatch, OwnerRequest};
use super::reports::OverdueAction;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::{is_overdue, ActionStatus, Owner};
use crate::domain::auth::View;
use crate::domain::meeting::MeetingKind;
use crate::domain::programme::{self, NewProgramme, ProgrammeChanges, ProgrammeId, ProgrammeStatus};
use crate::domain::progress::RecommendationProgress;
use crate::domain::report::ReportId;
use crate::domain::text::{Body, Name};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageProgrammes, Require};
use crate::http::conditional::{created, ok, ok_unless_current, ok_unless_same, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::programmes::{self as repo, ProgrammeFilter, ProgrammeRecord, ProgressActionRow};

/// An improvement programme: a named set of actions with an owner, the reports it
/// responds to, and the meeting where its progress is reported.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "name": "Child Protection Improvement Programme",
    "description": "The force's answer to the 2022 national child protection inspection.",
    "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Assistant Chief Constable"},
    "report_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"],
    "progress_meeting_kind": "strategic_governance_board",
    "status": "active",
    "created_at": "2022-06-10T09:00:00Z",
    "updated_at": "2022-06-10T09:00:00Z",
    "version": 1
}))]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub description: Option<String>,
    /// Who answers for the programme as a whole.
    pub owner: ActionOwner,
    /// The reports it responds to, in id order.
    pub report_ids: Vec<ReportId>,
    /// The kind of meeting where its progress is reported, if settled.
    pub progress_meeting_kind: Option<MeetingKind>,
    pub status: ProgrammeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change; the `ETag` carries it.
    pub version: i32,
}

impl From<ProgrammeRecord> for Programme {
    fn from(record: ProgrammeRecord) -> Self {
        let row = record.row;
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            owner: ActionOwner {
                organisation_id: row.owner_organisation_id,
                post_title: row.owner_post_title,
            },
            report_ids: record.report_ids,
            progress_meeting_kind: row.progress_meeting_kind,
            status: row.status,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(ProgrammePage, Programme);

/// Filters for the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Only programmes in this status.
    pub status: Option<ProgrammeStatus>,
    /// Only programmes responding to this report.
    pub report_id: Option<ReportId>,
    /// Only programmes whose name or description contains this text, ignoring letter
    /// case; at most 200 characters.
    pub q: Option<String>,
}

impl TryFrom<ProgrammeQuery> for ProgrammeFilter {
    type Error = ApiError;

    fn try_from(query: ProgrammeQuery) -> Result<Self, ApiError> {
        let (text,) = (query.q.as_deref().map(search_text).transpose(),).collect_fields()?;
        Ok(Self {
            status: query.status,
            report_id: query.report_id,
            text: text.flatten(),
        })
    }
}

/// A new programme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Child Protection Improvement Programme",
    "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Assistant Chief Constable"},
    "report_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"],
    "progress_meeting_kind": "strategic_governance_board"
}))]
pub struct CreateProgrammeRequest {
    /// 1 to 200 characters.
    pub name: String,
    /// Up to 20,000 characters.
    pub description: Option<String>,
    pub owner: OwnerRequest,
    /// Existing reports, at most 100; an id given twice counts once. None by default.
    #[serde(default)]
    pub report_ids: Vec<ReportId>,
    pub progress_meeting_kind: Option<MeetingKind>,
    /// `active` unless given.
    pub status: Option<ProgrammeStatus>,
}

/// Changes to a programme (JSON merge patch): absent fields stay as they are; `null`
/// removes `description` or `progress_meeting_kind`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "completed"}))]
pub struct UpdateProgrammeRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OwnerPatch, required = false)]
    pub owner: Option<Option<OwnerPatch>>,
    /// Replaces the set: existing reports, at most 100.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<ReportId>, required = false)]
    pub report_ids: Option<Option<Vec<ReportId>>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<MeetingKind>, nullable)]
    pub progress_meeting_kind: Option<Option<MeetingKind>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = ProgrammeStatus, required = false)]
    pub status: Option<Option<ProgrammeStatus>>,
}

impl TryFrom<CreateProgrammeRequest> for NewProgramme {
    type Error = ApiError;

    fn try_from(body: CreateProgrammeRequest) -> Result<Self, ApiError> {
        let (name, description, post_title, report_ids) = (
            Name::parse("name", &body.name),
            body.description
                .as_deref()
                .map(|d| Body::parse("description", d))
                .transpose(),
            Name::parse("owner.post_title", &body.owner.post_title),
            programme::report_ids("report_ids", &body.report_ids),
        )
            .collect_fields()?;
        Ok(Self {
            name,
            description,
            owner: Owner {
                organisation_id: body.owner.organisation_id,
                post_title,
            },
            report_ids,
            progress_meeting_kind: body.progress_meeting_kind,
            status: body.status.unwrap_or(ProgrammeStatus::Active),
        })
    }
}

impl TryFrom<UpdateProgrammeRequest> for ProgrammeChanges {
    type Error = ApiError;

    fn try_from(body: UpdateProgrammeRequest) -> Result<Self, ApiError> {
        let (name, description, owner, report_ids, status) = (
            patch_field("name", body.name).and_then(|n| n.map(|n| Name::parse("name", n)).transpose()),
            body.description
                .map(|d| d.map(|d| Body::parse("description", d)).transpose())
                .transpose(),
            patch_field("owner", body.owner),
            patch_field("report_ids", body.report_ids)
                .and_then(|ids| ids.map(|ids| programme::report_ids("report_ids", &ids)).transpose()),
            patch_field("status", body.status),
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
        let (owner_organisation_id, owner_post_title) = (owner_organisation_id, owner_post_title).collect_fields()?;
        Ok(Self {
            name,
            description,
            owner_organisation_id,
            owner_post_title,
            report_ids,
            progress_meeting_kind: body.progress_meeting_kind,
            status,
        })
    }
}

impl Publishable for ProgrammeRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Programme::from(self.clone()))
    }
}

/// List programmes.
///
/// The oldest first, paged with `cursor`. Public: no token needed (a token sent must be
/// valid). An unknown `status` is a 422, not an empty list.
#[utoipa::path(
    tag = "programmes",
    params(ProgrammeQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of programmes, or with `Accept: text/csv` all that match, as CSV.",
            content((ProgrammePage = "application/json"), (String = "text/csv", example = json!(PROGRAMMES_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/programmes")]
pub async fn list_programmes(
    caller: Caller,
    Paged(query, page): Paged<ProgrammeQuery>,
) -> Result<HttpResponse, ApiError> {
    let programmes = Programmes(query.try_into()?);
    page.respond(&caller, programmes).await
}

/// Create a programme.
///
/// For `admin` and `commissioner_office`. The owner's organisation and every report must
/// exist (422 naming the field otherwise).
#[utoipa::path(
    tag = "programmes",
    request_body = CreateProgrammeRequest,
    responses(
        (status = 201, description = "The programme was created.", body = Programme,
            headers(("Location" = String, description = "The new programme's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    auth: Require<ManageProgrammes>,
    state: web::Data<AppState>,
    Json(body): Json<CreateProgrammeRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewProgramme::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::insert(&mut conn, &auth.actor(), &new).await?;
    Ok(created(
        format!("/api/v1/programmes/{}", record.row.id),
        record.row.version,
        &Programme::from(record),
    ))
}

/// Get a programme.
///
/// Public. Sends an `ETag`; with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "programmes",
    params(("id" = ProgrammeId, Path, description = "The programme's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The programme.", body = Programme,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/programmes/{id}")]
pub async fn get_programme(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ProgrammeId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let record = repo::find(&mut conn, *id).await?;
    Ok(ok_unless_current(
        &if_none_match,
        record.row.version,
        &Programme::from(record),
    ))
}

/// Change a programme.
///
/// JSON merge patch: only the fields given change. Send `If-Match` with the `ETag` you
/// read to be sure you are not overwriting someone else's change (412 if you would be).
/// For `admin` and `commissioner_office`.
#[utoipa::path(
    tag = "programmes",
    params(("id" = ProgrammeId, Path, description = "The programme's id.")),
    request_body = UpdateProgrammeRequest,
    responses(
        (status = 200, description = "The programme as changed.", body = Programme),
        responses::Update,
    )
)]
#[patch("/programmes/{id}")]
pub async fn update_programme(
    auth: Require<ManageProgrammes>,
    state: web::Data<AppState>,
    id: web::Path<ProgrammeId>,
    if_match: IfMatch,
    Json(body): Json<UpdateProgrammeRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = ProgrammeChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes).await?;
    Ok(ok(record.row.version, &Programme::from(record)))
}

/// How many of a programme's actions are in each status; every status is present.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ActionCounts {
    pub planned: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub blocked: i64,
    pub cancelled: i64,
}

impl ActionCounts {
    fn count(&mut self, status: ActionStatus) {
        let slot = match status {
            ActionStatus::Planned => &mut self.planned,
            ActionStatus::InProgress => &mut self.in_progress,
            ActionStatus::Completed => &mut self.completed,
            ActionStatus::Blocked => &mut self.blocked,
            ActionStatus::Cancelled => &mut self.cancelled,
        };
        *slot += 1;
    }
}

/// Where a programme's actions stand, on one page.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "as_of": "2022-10-03",
    "actions_total": 12,
    "actions_by_status": {"planned": 2, "in_progress": 6, "completed": 3, "blocked": 1, "cancelled": 0},
    "actions_overdue": 1,
    "percent_complete": 48,
    "overdue_actions": [{
        "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a77", "reference": "CPIP-07",
        "title": "Audit of missing-child referrals",
        "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Head of Public Protection"},
        "due_on": "2022-09-30", "days_overdue": 3
    }]
}))]
pub struct ProgrammeProgress {
    pub programme_id: ProgrammeId,
    /// The day the summary was worked out for (today, in the service's time zone).
    pub as_of: NaiveDate,
    /// Every action in the programme, cancelled ones included.
    pub actions_total: i64,
    pub actions_by_status: ActionCounts,
    /// Past their due date and neither completed nor cancelled.
    pub actions_overdue: i64,
    /// The average `progress_percent` of its actions that are not cancelled, rounded;
    /// 0 when there are none.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
    /// The overdue actions, the longest overdue first.
    pub overdue_actions: Vec<OverdueAction>,
}

impl ProgrammeProgress {
    fn compute(programme_id: ProgrammeId, actions: Vec<ProgressActionRow>, today: NaiveDate) -> Self {
        let mut by_status = ActionCounts::default();
        for action in &actions {
            by_status.count(action.status);
        }
        let summary =
            RecommendationProgress::of(actions.iter().map(|a| (a.status, a.progress_percent, a.due_on)), today);
        let overdue_actions: Vec<OverdueAction> = actions
            .into_iter()
            .filter(|a| is_overdue(a.status, a.due_on, today))
            .map(|a| OverdueAction {
                id: a.id,
                days_overdue: (today - a.due_on).num_days(),
                reference: a.reference,
                title: a.title,
                owner: ActionOwner {
                    organisation_id: a.owner_organisation_id,
                    post_title: a.owner_post_title,
                },
                due_on: a.due_on,
            })
            .collect();
        Self {
            programme_id,
            as_of: today,
            actions_total: summary.actions_total,
            actions_by_status: by_status,
            actions_overdue: summary.actions_overdue,
            percent_complete: summary.percent_complete,
            overdue_actions,
        }
    }
}

/// Get a programme's progress.
///
/// Its actions by status, how many are overdue (and which), and how complete they are
/// on average, as a report's scorecard counts them. Public; computed on each request,
/// and tagged by a digest of its body: with `If-None-Match` naming that `ETag`, answers
/// 304.
#[utoipa::path(
    tag = "programmes",
    params(("id" = ProgrammeId, Path, description = "The programme's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The progress summary.", body = ProgrammeProgress,
            headers(("ETag" = String, description = "A digest of this body, for `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/programmes/{id}/progress")]
pub async fn get_programme_progress(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ProgrammeId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let today = crate::domain::calendar::today();
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let (programme, actions) = repo::progress(&mut conn, *id).await?;
    Ok(ok_unless_same(
        &if_none_match,
        &ProgrammeProgress::compute(programme.id, actions, today),
    ))
}

const PROGRAMMES_CSV_EXAMPLE: &str = concat!(
    "id,name,description,owner_organisation_id,owner_post_title,report_ids,progress_meeting_kind,status,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90,Child Protection Improvement Programme,,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02,Assistant Chief Constable,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b,strategic_governance_board,active,2022-06-10T09:00:00Z,2022-06-10T09:00:00Z,1\r\n",
);

/// The programme list, as JSON pages or CSV.
pub struct Programmes(ProgrammeFilter);

impl Listing for Programmes {
    type Item = Programme;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "description",
        "owner_organisation_id",
        "owner_post_title",
        "report_ids",
        "progress_meeting_kind",
        "status",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "programmes";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Programme>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list(conn, &self.0, &page).await?))
    }
}
