//! `/api/v1/reports`: inspections, re-inspections, panel reports and audits, where
//! recommendations come from; and each report's scorecard.

use std::collections::{HashMap, HashSet};

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::actions::ActionOwner;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::{is_overdue, ActionId};
use crate::domain::auth::View;
use crate::domain::calendar::{plausible_date, response_due_on};
use crate::domain::organisation::OrganisationId;
use crate::domain::progress::{rounded_mean, RecommendationProgress};
use crate::domain::report::{NewReport, RecommendationStatus, ReportChanges, ReportId, ReportKind};
use crate::domain::text::{Body, HttpUrl, Title};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageReports, Require};
use crate::http::conditional::{created, ok, ok_unless_current, ok_unless_same, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::reports::{self as repo, ReportFilter, ReportRow, ScorecardData};

/// A report: an inspection, re-inspection, panel report or audit, and where its
/// recommendations come from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "title": "National child protection inspection: Staffordshire Police",
    "kind": "inspection",
    "publisher_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a01",
    "subject_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02",
    "published_on": "2022-04-07",
    "url": "https://www.justiceinspectorates.gov.uk/hmicfrs/",
    "summary": "The force is not effectively safeguarding children. 15 recommendations.",
    "response_due_on": "2022-06-02",
    "created_at": "2022-04-08T09:00:00Z",
    "updated_at": "2022-04-08T09:00:00Z",
    "version": 1
}))]
pub struct Report {
    pub id: ReportId,
    pub title: String,
    pub kind: ReportKind,
    /// Who published it (an inspectorate, the panel …).
    pub publisher_organisation_id: OrganisationId,
    /// Whom it is about (usually the force or fire service).
    pub subject_organisation_id: OrganisationId,
    pub published_on: NaiveDate,
    /// Where the report can be read.
    pub url: Option<String>,
    pub summary: Option<String>,
    /// Read-only: 56 calendar days after `published_on`, when the Commissioner's
    /// published response to an inspection report is due (Police Act 1996, s.55).
    /// Weekends and bank holidays do not extend it.
    pub response_due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change; the `ETag` carries it.
    pub version: i32,
}

impl From<ReportRow> for Report {
    fn from(row: ReportRow) -> Self {
        Self {
            id: row.id,
            title: row.title,
            kind: row.kind,
            publisher_organisation_id: row.publisher_organisation_id,
            subject_organisation_id: row.subject_organisation_id,
            response_due_on: response_due_on(row.published_on),
            published_on: row.published_on,
            url: row.url,
            summary: row.summary,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(ReportPage, Report);

/// Filters for the report list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Only reports of this kind.
    pub kind: Option<ReportKind>,
    /// Only reports published by this organisation.
    pub publisher_organisation_id: Option<OrganisationId>,
    /// Only reports about this organisation.
    pub subject_organisation_id: Option<OrganisationId>,
    /// Only reports published on or after this date.
    pub published_from: Option<NaiveDate>,
    /// Only reports published on or before this date.
    pub published_to: Option<NaiveDate>,
}

impl TryFrom<ReportQuery> for ReportFilter {
    type Error = ApiError;

    fn try_from(query: ReportQuery) -> Result<Self, ApiError> {
        let (published_from, published_to) = (
            query
                .published_from
                .map(|d| plausible_date("published_from", d))
                .transpose(),
            query
                .published_to
                .map(|d| plausible_date("published_to", d))
                .transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            kind: query.kind,
            publisher_organisation_id: query.publisher_organisation_id,
            subject_organisation_id: query.subject_organisation_id,
            published_from,
            published_to,
        })
    }
}

/// A new report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "National child protection inspection: Staffordshire Police",
    "kind": "inspection",
    "publisher_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a01",
    "subject_organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02",
    "published_on": "2022-04-07",
    "url": "https://www.justiceinspectorates.gov.uk/hmicfrs/"
}))]
pub struct CreateReportRequest {
    /// 1 to 300 characters.
    pub title: String,
    pub kind: ReportKind,
    /// An existing organisation.
    pub publisher_organisation_id: OrganisationId,
    /// An existing organisation.
    pub subject_organisation_id: OrganisationId,
    /// A date from 1900 to 2199.
    pub published_on: NaiveDate,
    /// An absolute `http` or `https` URL of at most 2000 characters, without a user
    /// name or password.
    pub url: Option<String>,
    /// Up to 20,000 characters.
    pub summary: Option<String>,
}

/// Changes to a report (JSON merge patch): absent fields stay as they are; `null`
/// removes `url` or `summary`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "The force is not effectively safeguarding children."}))]
pub struct UpdateReportRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = ReportKind, required = false)]
    pub kind: Option<Option<ReportKind>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationId, required = false)]
    pub publisher_organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationId, required = false)]
    pub subject_organisation_id: Option<Option<OrganisationId>>,
    /// Moves `response_due_on` with it.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub published_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub url: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub summary: Option<Option<String>>,
}

impl TryFrom<CreateReportRequest> for NewReport {
    type Error = ApiError;

    fn try_from(body: CreateReportRequest) -> Result<Self, ApiError> {
        let (title, published_on, url, summary) = (
            Title::parse("title", &body.title),
            plausible_date("published_on", body.published_on),
            body.url.as_deref().map(|u| HttpUrl::parse("url", u)).transpose(),
            body.summary.as_deref().map(|s| Body::parse("summary", s)).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            title,
            kind: body.kind,
            publisher_organisation_id: body.publisher_organisation_id,
            subject_organisation_id: body.subject_organisation_id,
            published_on,
            url,
            summary,
        })
    }
}

impl TryFrom<UpdateReportRequest> for ReportChanges {
    type Error = ApiError;

    /// The required fields are checked first, then `url` and `summary`.
    fn try_from(body: UpdateReportRequest) -> Result<Self, ApiError> {
        let (title, kind, publisher_organisation_id, subject_organisation_id, published_on) = (
            patch_field("title", body.title).and_then(|t| t.map(|t| Title::parse("title", t)).transpose()),
            patch_field("kind", body.kind),
            patch_field("publisher_organisation_id", body.publisher_organisation_id),
            patch_field("subject_organisation_id", body.subject_organisation_id),
            patch_field("published_on", body.published_on)
                .and_then(|d| d.map(|d| plausible_date("published_on", d)).transpose()),
        )
            .collect_fields()?;
        let (url, summary) = (
            body.url
                .map(|u| u.map(|u| HttpUrl::parse("url", u)).transpose())
                .transpose(),
            body.summary
                .map(|s| s.map(|s| Body::parse("summary", s)).transpose())
                .transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            title,
            kind,
            publisher_organisation_id,
            subject_organisation_id,
            published_on,
            url,
            summary,
        })
    }
}

impl Publishable for ReportRow {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Report::from(self.clone()))
    }
}

/// List reports.
///
/// The most recently published first, paged with `cursor`. Public: no token needed (a
/// token sent must be valid). An unknown `kind` is a 422, not an empty list.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of reports, or with `Accept: text/csv` all that match, as CSV.",
            content((ReportPage = "application/json"), (String = "text/csv", example = json!(REPORTS_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/reports")]
pub async fn list_reports(caller: Caller, Paged(query, page): Paged<ReportQuery>) -> Result<HttpResponse, ApiError> {
    let reports = Reports(query.try_into()?);
    page.respond(&caller, reports).await
}

/// Create a report.
///
/// For `admin`, `secretariat` and `commissioner_office`. `response_due_on` is worked
/// out from `published_on`.
#[utoipa::path(
    tag = "reports",
    request_body = CreateReportRequest,
    responses(
        (status = 201, description = "The report was created.", body = Report,
            headers(("Location" = String, description = "The new report's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/reports")]
pub async fn create_report(
    auth: Require<ManageReports>,
    state: web::Data<AppState>,
    Json(body): Json<CreateReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewReport::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::insert(&mut conn, &auth.actor(), &new).await?;
    Ok(created(
        format!("/api/v1/reports/{}", row.id),
        row.version,
        &Report::from(row),
    ))
}

/// Get a report.
///
/// Public. Sends an `ETag`; with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "reports",
    params(("id" = ReportId, Path, description = "The report's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The report.", body = Report,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/reports/{id}")]
pub async fn get_report(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let row = repo::find(&mut conn, *id).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &Report::from(row)))
}

/// Change a report.
///
/// JSON merge patch: only the fields given change. Send `If-Match` with the `ETag` you
/// read to be sure you are not overwriting someone else's change (412 if you would be).
/// For `admin`, `secretariat` and `commissioner_office`.
#[utoipa::path(
    tag = "reports",
    params(("id" = ReportId, Path, description = "The report's id.")),
    request_body = UpdateReportRequest,
    responses(
        (status = 200, description = "The report as changed.", body = Report),
        responses::Update,
    )
)]
#[patch("/reports/{id}")]
pub async fn update_report(
    auth: Require<ManageReports>,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    if_match: IfMatch,
    Json(body): Json<UpdateReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = ReportChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes).await?;
    Ok(ok(row.version, &Report::from(row)))
}

/// How many of a report's recommendations are in each status; every status is present.
/// `open`, `in_progress` and `actions_complete` are derived from the actions;
/// `implemented`, `closed` and `superseded` are decisions recorded with a reason.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RecommendationCounts {
    pub open: i64,
    pub in_progress: i64,
    /// Every action on them (cancelled ones aside) is completed, and nobody has yet
    /// recorded a decision.
    pub actions_complete: i64,
    pub implemented: i64,
    pub closed: i64,
    pub superseded: i64,
}

impl RecommendationCounts {
    fn count(&mut self, status: RecommendationStatus) {
        let slot = match status {
            RecommendationStatus::Open => &mut self.open,
            RecommendationStatus::InProgress => &mut self.in_progress,
            RecommendationStatus::ActionsComplete => &mut self.actions_complete,
            RecommendationStatus::Implemented => &mut self.implemented,
            RecommendationStatus::Closed => &mut self.closed,
            RecommendationStatus::Superseded => &mut self.superseded,
        };
        *slot += 1;
    }
}

/// An action past its due date and neither completed nor cancelled.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueAction {
    pub id: ActionId,
    pub reference: String,
    pub title: String,
    pub owner: ActionOwner,
    pub due_on: NaiveDate,
    /// Days from `due_on` to `as_of`.
    pub days_overdue: i64,
}

/// Where a report's recommendations and the actions on them stand, on one page.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "report_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "as_of": "2022-10-03",
    "recommendations_total": 15,
    "recommendations_by_status": {"open": 2, "in_progress": 8, "actions_complete": 2, "implemented": 2, "closed": 1, "superseded": 0},
    "percent_complete": 46,
    "actions_total": 41,
    "actions_overdue": 1,
    "overdue_actions": [{
        "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a77", "reference": "CPIP-07",
        "title": "Audit of missing-child referrals",
        "owner": {"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a02", "post_title": "Head of Public Protection"},
        "due_on": "2022-09-30", "days_overdue": 3
    }],
    "response_due_on": "2022-06-02",
    "response_overdue": false
}))]
pub struct Scorecard {
    pub report_id: ReportId,
    /// The date (UTC) the figures are for: overdue means due before it.
    pub as_of: NaiveDate,
    pub recommendations_total: i64,
    pub recommendations_by_status: RecommendationCounts,
    /// The average of the recommendations' `progress.percent_complete`, rounded; 0
    /// when the report has none.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
    /// Actions addressing any of the report's recommendations, each counted once.
    pub actions_total: i64,
    pub actions_overdue: i64,
    /// The overdue actions, the longest overdue first.
    pub overdue_actions: Vec<OverdueAction>,
    /// 56 calendar days after the report was published.
    pub response_due_on: NaiveDate,
    /// True when `as_of` is after `response_due_on` and no published response cites any
    /// of the report's recommendations.
    pub response_overdue: bool,
}

impl Scorecard {
    fn compute(data: ScorecardData, today: NaiveDate) -> Self {
        let mut by_status = RecommendationCounts::default();
        for (_, status) in &data.recommendations {
            by_status.count(*status);
        }
        let mut actions_of = HashMap::<_, Vec<_>>::new();
        for action in &data.actions {
            actions_of.entry(action.recommendation_id).or_default().push((
                action.status,
                action.progress_percent,
                action.due_on,
            ));
        }
        let percent_sum: i64 = data
            .recommendations
            .iter()
            .map(|(id, _)| {
                let actions = actions_of.remove(id).unwrap_or_default();
                i64::from(RecommendationProgress::of(actions, today).percent_complete)
            })
            .sum();
        let recommendations_total = data.recommendations.len() as i64;
        let mut seen = HashSet::new();
        let distinct: Vec<_> = data.actions.into_iter().filter(|a| seen.insert(a.id)).collect();
        let overdue_actions: Vec<OverdueAction> = distinct
            .iter()
            .filter(|a| is_overdue(a.status, a.due_on, today))
            .map(|a| OverdueAction {
                id: a.id,
                reference: a.reference.clone(),
                title: a.title.clone(),
                owner: ActionOwner {
                    organisation_id: a.owner_organisation_id,
                    post_title: a.owner_post_title.clone(),
                },
                due_on: a.due_on,
                days_overdue: (today - a.due_on).num_days(),
            })
            .collect();
        let due = response_due_on(data.report.published_on);
        Self {
            report_id: data.report.id,
            as_of: today,
            recommendations_total,
            recommendations_by_status: by_status,
            percent_complete: rounded_mean(percent_sum, recommendations_total),
            actions_total: distinct.len() as i64,
            actions_overdue: overdue_actions.len() as i64,
            overdue_actions,
            response_due_on: due,
            response_overdue: today > due && !data.has_published_response,
        }
    }
}

/// Get a report's scorecard.
///
/// Its recommendations by status, how complete the actions on them are, which actions
/// are overdue, and whether the Commissioner's response is overdue: due 56 days after
/// publication, it counts as given once a published response cites any of the report's
/// recommendations. Public; computed on each request, and tagged by a digest of its body:
/// with `If-None-Match` naming that `ETag`, answers 304.
#[utoipa::path(
    tag = "reports",
    params(("id" = ReportId, Path, description = "The report's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The scorecard.", body = Scorecard,
            headers(("ETag" = String, description = "A digest of this body, for `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/reports/{id}/scorecard")]
pub async fn get_report_scorecard(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let today = crate::domain::calendar::today();
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let data = repo::scorecard(&mut conn, *id).await?;
    Ok(ok_unless_same(&if_none_match, &Scorecard::compute(data, today)))
}

const REPORTS_CSV_EXAMPLE: &str = concat!(
    "id,title,kind,publisher_organisation_id,subject_organisation_id,published_on,url,summary,response_due_on,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70,National child protection inspection,inspection,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a52,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a50,2022-03-15,https://www.justiceinspectorates.gov.uk/,\"The force is not effectively safeguarding children.\",2022-05-10,2022-03-16T09:00:00Z,2022-03-16T09:00:00Z,1\r\n",
);

/// The report list, as JSON pages or CSV.
pub struct Reports(ReportFilter);

impl Listing for Reports {
    type Item = Report;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "title",
        "kind",
        "publisher_organisation_id",
        "subject_organisation_id",
        "published_on",
        "url",
        "summary",
        "response_due_on",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "reports";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Report>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list(conn, &self.0, &page).await?))
    }
}
