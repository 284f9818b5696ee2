//! `/api/v1/recommendations` and `/api/v1/reports/{id}/recommendations`: what a report
//! asks to be done, and how far the actions on it have got.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::calendar::{plausible_date, today};
use crate::domain::organisation::OrganisationId;
use crate::domain::progress::RecommendationProgress;
use crate::domain::report::{
    NewRecommendation, RecommendationChanges, RecommendationId, RecommendationKind, RecommendationStatus, ReportId,
};
use crate::domain::text::{Body, Reference};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageReports, Require};
use crate::http::conditional::{created, ok, ok_unless_current, ETag, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::recommendations::{self as repo, RecommendationFilter, RecommendationRecord};

/// A recommendation (or cause of concern, or area for improvement) of a report, with
/// the progress of the actions addressing it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60",
    "report_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "reference": "R1",
    "kind": "recommendation",
    "text": "Within six months, the force should review how it identifies and records risk to children.",
    "addressed_to_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02",
    "due_on": "2022-10-07",
    "status": "in_progress",
    "status_reason": null,
    "progress": {"actions_total": 3, "actions_completed": 1, "actions_overdue": 0, "percent_complete": 58},
    "created_at": "2022-04-08T09:00:00Z",
    "updated_at": "2022-06-01T09:00:00Z",
    "version": 2
}))]
pub struct Recommendation {
    pub id: RecommendationId,
    pub report_id: ReportId,
    /// The report's own reference (`R1`), unique within the report.
    pub reference: String,
    pub kind: RecommendationKind,
    pub text: String,
    pub addressed_to_organisation_id: OrganisationId,
    pub due_on: Option<NaiveDate>,
    /// `open`, `in_progress` and `actions_complete` follow the actions addressing it
    /// (none or none started; some started; every one not cancelled completed) and
    /// change with every action write; `implemented`, `closed` and `superseded` are
    /// decisions recorded with `PATCH`, with a reason, and stay until someone changes
    /// them.
    pub status: RecommendationStatus,
    /// Why it has its status: given for a decision (`implemented`, `closed`,
    /// `superseded`), null while the status follows the actions.
    pub status_reason: Option<String>,
    /// Read-only, derived from the actions addressing it, as of today (UTC).
    pub progress: RecommendationProgress,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change to the recommendation itself (not to its
    /// actions); the `ETag` carries it.
    pub version: i32,
}

impl From<RecommendationRecord> for Recommendation {
    fn from(record: RecommendationRecord) -> Self {
        let row = record.row;
        Self {
            id: row.id,
            report_id: row.report_id,
            reference: row.reference,
            kind: row.kind,
            text: row.text,
            addressed_to_organisation_id: row.addressed_to_organisation_id,
            due_on: row.due_on,
            status: row.status,
            status_reason: row.status_reason,
            progress: record.progress,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

impl Recommendation {
    /// Its `ETag`: the version and a fingerprint, since `progress` changes with the
    /// actions while the version stays.
    fn etag(&self) -> ETag {
        ETag::of_representation(self.version, self)
    }
}

crate::page_type!(RecommendationPage, Recommendation);

/// Filters for the recommendation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecommendationQuery {
    /// Only recommendations of this report.
    pub report_id: Option<ReportId>,
    /// Only recommendations in this status.
    pub status: Option<RecommendationStatus>,
    /// Only recommendations of this kind.
    pub kind: Option<RecommendationKind>,
    /// Only recommendations addressed to this organisation.
    pub addressed_to_organisation_id: Option<OrganisationId>,
    /// Only recommendations whose reference or text is matching this web search (see `GET /api/v1/search`: words after
    /// English stemming, `"phrases"`, `-excluded` words, `or`; whole words, not parts of
    /// words); at most 200 characters. Every match is listed, in the list's usual order.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl TryFrom<RecommendationQuery> for RecommendationFilter {
    type Error = ApiError;

    fn try_from(query: RecommendationQuery) -> Result<Self, ApiError> {
        let (text,) = (query.q.as_deref().map(search_text).transpose(),).collect_fields()?;
        Ok(Self {
            report_id: query.report_id,
            status: query.status,
            kind: query.kind,
            addressed_to_organisation_id: query.addressed_to_organisation_id,
            text: text.flatten(),
        })
    }
}

/// Filters for a report's recommendations.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportRecommendationQuery {
    /// Only recommendations in this status.
    pub status: Option<RecommendationStatus>,
    /// Only recommendations of this kind.
    pub kind: Option<RecommendationKind>,
    /// Only recommendations addressed to this organisation.
    pub addressed_to_organisation_id: Option<OrganisationId>,
}

/// The filters within report `report_id`.
impl From<(ReportId, ReportRecommendationQuery)> for RecommendationFilter {
    fn from((report_id, query): (ReportId, ReportRecommendationQuery)) -> Self {
        Self {
            report_id: Some(report_id),
            status: query.status,
            kind: query.kind,
            addressed_to_organisation_id: query.addressed_to_organisation_id,
            text: None,
        }
    }
}

/// A new recommendation of a report. It starts `open`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reference": "R1",
    "kind": "recommendation",
    "text": "Within six months, the force should review how it identifies and records risk to children.",
    "addressed_to_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02",
    "due_on": "2022-10-07"
}))]
pub struct CreateRecommendationRequest {
    /// 1 to 50 characters on one line, as the report gives it (`R1`); unique within the
    /// report (409 otherwise).
    pub reference: String,
    pub kind: RecommendationKind,
    /// 1 to 20,000 characters.
    pub text: String,
    /// An existing organisation.
    pub addressed_to_organisation_id: OrganisationId,
    /// When the report expects it done, if it says.
    pub due_on: Option<NaiveDate>,
}

/// Changes to a recommendation (JSON merge patch): absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "implemented", "status_reason": "Evidence of the new risk assessment sent to HMICFRS", "due_on": "2023-03-31"}))]
pub struct UpdateRecommendationRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = RecommendationKind, required = false)]
    pub kind: Option<Option<RecommendationKind>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub text: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationId, required = false)]
    pub addressed_to_organisation_id: Option<Option<OrganisationId>>,
    /// `null` removes the due date.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub due_on: Option<Option<NaiveDate>>,
    /// A decision: `implemented`, `closed` or `superseded`, from a status that follows
    /// the actions; `implemented` may become `closed` or `superseded`; `closed` and
    /// `superseded` are final (409 with `current_state` otherwise). `open`,
    /// `in_progress` and `actions_complete` are derived from the actions and cannot be
    /// set by hand (422 naming the status the actions give), except to reopen an
    /// `implemented` recommendation, naming the status its actions give it, after which
    /// it follows them again. Giving the current status again is not a transition, so
    /// never a 409.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = RecommendationStatus, required = false)]
    pub status: Option<Option<RecommendationStatus>>,
    /// Why: required (422) when the status becomes or is a decision (`implemented`,
    /// `closed`, `superseded`), refused (422) while it follows the actions. A new status
    /// replaces the reason with the one given alongside it, or none.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub status_reason: Option<Option<String>>,
}

impl TryFrom<CreateRecommendationRequest> for NewRecommendation {
    type Error = ApiError;

    fn try_from(body: CreateRecommendationRequest) -> Result<Self, ApiError> {
        let (reference, text, due_on) = (
            Reference::parse("reference", &body.reference),
            Body::parse("text", &body.text),
            body.due_on.map(|d| plausible_date("due_on", d)).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            reference,
            kind: body.kind,
            text,
            addressed_to_organisation_id: body.addressed_to_organisation_id,
            due_on,
        })
    }
}

impl TryFrom<UpdateRecommendationRequest> for RecommendationChanges {
    type Error = ApiError;

    fn try_from(body: UpdateRecommendationRequest) -> Result<Self, ApiError> {
        let (kind, text, addressed_to_organisation_id, due_on, status, status_reason) = (
            patch_field("kind", body.kind),
            patch_field("text", body.text).and_then(|t| t.map(|t| Body::parse("text", t)).transpose()),
            patch_field("addressed_to_organisation_id", body.addressed_to_organisation_id),
            body.due_on
                .map(|d| d.map(|d| plausible_date("due_on", d)).transpose())
                .transpose(),
            patch_field("status", body.status),
            body.status_reason
                .map(|r| r.map(|r| Body::parse("status_reason", r)).transpose())
                .transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            kind,
            text,
            addressed_to_organisation_id,
            due_on,
            status,
            status_reason,
        })
    }
}

impl Publishable for RecommendationRecord {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Recommendation::from(self.clone()))
    }
}

/// List recommendations.
///
/// In the order they were added, paged with `cursor`. Public: no token needed (a token
/// sent must be valid). Unknown `status` or `kind` values are a 422, not an empty list.
#[utoipa::path(
    tag = "recommendations",
    params(RecommendationQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of recommendations, or with `Accept: text/csv` all that match, as CSV.",
            content((RecommendationPage = "application/json"), (String = "text/csv", example = json!(RECOMMENDATIONS_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    caller: Caller,
    Paged(query, page): Paged<RecommendationQuery>,
) -> Result<HttpResponse, ApiError> {
    let recommendations = Recommendations::new(query.try_into()?);
    page.respond(&caller, recommendations).await
}

/// List a report's recommendations.
///
/// In the order they were added, paged with `cursor`. Public. 404 when there is no such
/// report.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = ReportId, Path, description = "The report's id."), ReportRecommendationQuery, PageParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of the report's recommendations.", body = RecommendationPage),
        responses::ListWithin,
    )
)]
#[get("/reports/{id}/recommendations")]
pub async fn list_report_recommendations(
    caller: Caller,
    id: web::Path<ReportId>,
    Paged(query, page): Paged<ReportRecommendationQuery>,
) -> Result<HttpResponse, ApiError> {
    let recommendations = Recommendations {
        report: Some(*id),
        ..Recommendations::new((*id, query).into())
    };
    // The API gives this sub-list as JSON only; `/recommendations?report_id=` has CSV.
    page.respond_json(&caller, recommendations).await
}

/// Add a recommendation to a report.
///
/// For `admin`, `secretariat` and `commissioner_office`. The reference must be new
/// within the report (409 otherwise).
#[utoipa::path(
    tag = "recommendations",
    params(("id" = ReportId, Path, description = "The report's id.")),
    request_body = CreateRecommendationRequest,
    responses(
        (status = 201, description = "The recommendation was added.", body = Recommendation,
            headers(("Location" = String, description = "The new recommendation's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
        (status = 404, response = responses::NotFound),
    )
)]
#[post("/reports/{id}/recommendations")]
pub async fn create_recommendation(
    auth: Require<ManageReports>,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    Json(body): Json<CreateRecommendationRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewRecommendation::try_from(body)?;
    let mut conn = state.conn().await?;
    let recommendation = Recommendation::from(repo::insert(&mut conn, &auth.actor(), *id, &new).await?);
    Ok(created(
        format!("/api/v1/recommendations/{}", recommendation.id),
        &recommendation.etag(),
        &recommendation,
    ))
}

/// Get a recommendation.
///
/// Public. Sends an `ETag`; with `If-None-Match` naming it, answers 304. The tag
/// changes when the progress of its actions does, although the version does not.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = RecommendationId, Path, description = "The recommendation's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The recommendation.", body = Recommendation,
            headers(("ETag" = String, description = "Its version and a fingerprint, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/recommendations/{id}")]
pub async fn get_recommendation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<RecommendationId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let recommendation = Recommendation::from(repo::find(&mut conn, *id, today()).await?);
    Ok(ok_unless_current(
        &if_none_match,
        &recommendation.etag(),
        &recommendation,
    ))
}

/// Change a recommendation.
///
/// JSON merge patch of `kind`, `text`, `addressed_to_organisation_id`, `due_on`,
/// `status` and `status_reason`. Only decisions are recorded here (`implemented`,
/// `closed`, `superseded`, each with a `status_reason`, 422 otherwise); `open`,
/// `in_progress` and `actions_complete` follow the actions (422 when set by hand,
/// except to reopen an `implemented` one). A change of status must be allowed from the
/// current one (409 with `current_state` otherwise). Send `If-Match` with the `ETag` you read (412 when stale).
/// For `admin`, `secretariat` and `commissioner_office`.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = RecommendationId, Path, description = "The recommendation's id.")),
    request_body = UpdateRecommendationRequest,
    responses(
        (status = 200, description = "The recommendation as changed.", body = Recommendation),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[patch("/recommendations/{id}")]
pub async fn update_recommendation(
    auth: Require<ManageReports>,
    state: web::Data<AppState>,
    id: web::Path<RecommendationId>,
    if_match: IfMatch,
    Json(body): Json<UpdateRecommendationRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = RecommendationChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes, today()).await?;
    let recommendation = Recommendation::from(record);
    Ok(ok(&recommendation.etag(), &recommendation))
}

const RECOMMENDATIONS_CSV_EXAMPLE: &str = concat!(
    "id,report_id,reference,kind,text,addressed_to_organisation_id,due_on,status,status_reason,progress_actions_total,progress_actions_completed,progress_actions_overdue,progress_percent_complete,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a80,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70,R1,recommendation,\"Within three months, the force should review its safeguarding processes.\",01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a50,2022-06-15,in_progress,,4,2,1,50,2022-03-16T09:00:00Z,2022-05-01T09:00:00Z,2\r\n",
);

/// The recommendation list (or a report's), as JSON pages or CSV, with each
/// recommendation's progress as of one day.
pub struct Recommendations {
    filter: RecommendationFilter,
    today: NaiveDate,
    /// For `/reports/{id}/recommendations`: the report, which must exist (404
    /// otherwise).
    report: Option<ReportId>,
}

impl Recommendations {
    fn new(filter: RecommendationFilter) -> Self {
        Self {
            filter,
            today: today(),
            report: None,
        }
    }
}

impl Listing for Recommendations {
    type Item = Recommendation;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "report_id",
        "reference",
        "kind",
        "text",
        "addressed_to_organisation_id",
        "due_on",
        "status",
        "status_reason",
        "progress_actions_total",
        "progress_actions_completed",
        "progress_actions_overdue",
        "progress_percent_complete",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "recommendations";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<Recommendation>, Option<Cursor>), ApiError> {
        if let Some(report) = self.report {
            crate::repo::reports::require(conn, report).await?;
        }
        Ok(converted(repo::list(conn, &self.filter, &page, self.today).await?))
    }
}
