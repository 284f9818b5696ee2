//! `/api/v1/reports`: inspections, re-inspections, panel reports and audits, where
//! recommendations come from.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::auth::{Caller, ReportManagers, Require};
use crate::domain::calendar::{plausible_date, response_due_on};
use crate::domain::organisation::OrganisationId;
use crate::domain::report::{NewReport, ReportChanges, ReportId, ReportKind};
use crate::domain::text::{Body, HttpUrl, Title};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::{created, ok_with_etag, patch_field, Json, Preconditions, Query};
use crate::pagination::PageRequest;
use crate::repo::reports::{self as repo, ReportFilter, ReportRow};

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

/// Filters and paging for the report list.
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
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
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
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<ReportKind>)]
    pub kind: Option<Option<ReportKind>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<OrganisationId>)]
    pub publisher_organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<OrganisationId>)]
    pub subject_organisation_id: Option<Option<OrganisationId>>,
    /// Moves `response_due_on` with it.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub published_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub url: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub summary: Option<Option<String>>,
}

/// List reports.
///
/// The most recently published first, paged with `cursor`. Public: no token needed (a
/// token sent must be valid). An unknown `kind` is a 422, not an empty list.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of reports.", body = ReportPage,
            headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows."))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::Unavailable),
    )
)]
#[get("/reports")]
pub async fn list_reports(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
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
    let filter = ReportFilter {
        kind: query.kind,
        publisher_organisation_id: query.publisher_organisation_id,
        subject_organisation_id: query.subject_organisation_id,
        published_from,
        published_to,
    };
    let mut conn = state.conn().await?;
    let (rows, next) = repo::list(&mut conn, &filter, &page).await?;
    Ok(ReportPage::respond(
        &req,
        rows.into_iter().map(Into::into).collect(),
        next,
    ))
}

/// Create a report.
///
/// For `admin`, `secretariat` and `commissioner_office`. `response_due_on` is worked
/// out from `published_on`.
#[utoipa::path(
    tag = "reports",
    request_body = CreateReportRequest,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 201, description = "The report was created.", body = Report,
            headers(("Location" = String, description = "The new report's URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::Unavailable),
    )
)]
#[post("/reports")]
pub async fn create_report(
    auth: Require<ReportManagers>,
    state: web::Data<AppState>,
    Json(body): Json<CreateReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let (title, published_on, url, summary) = (
        Title::parse("title", &body.title),
        plausible_date("published_on", body.published_on),
        body.url.as_deref().map(|u| HttpUrl::parse("url", u)).transpose(),
        body.summary.as_deref().map(|s| Body::parse("summary", s)).transpose(),
    )
        .collect_fields()?;
    let new = NewReport {
        title,
        kind: body.kind,
        publisher_organisation_id: body.publisher_organisation_id,
        subject_organisation_id: body.subject_organisation_id,
        published_on,
        url,
        summary,
    };
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
    security((), ("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The report.", body = Report,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        (status = 304, description = "The caller's copy (`If-None-Match`) is current."),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::Unavailable),
    )
)]
#[get("/reports/{id}")]
pub async fn get_report(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    preconditions: Preconditions,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = repo::find(&mut conn, *id).await?;
    Ok(ok_with_etag(&preconditions, row.version, &Report::from(row)))
}

/// Change a report.
///
/// JSON merge patch: only the fields given change. Send `If-Match` with the `ETag` you
/// read to be sure you are not overwriting someone else's change (412 if you would be).
/// For `admin`, `secretariat` and `commissioner_office`.
#[utoipa::path(
    tag = "reports",
    params(
        ("id" = ReportId, Path, description = "The report's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on."),
    ),
    request_body = UpdateReportRequest,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The report as changed.", body = Report,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::Unavailable),
    )
)]
#[patch("/reports/{id}")]
pub async fn update_report(
    auth: Require<ReportManagers>,
    state: web::Data<AppState>,
    id: web::Path<ReportId>,
    preconditions: Preconditions,
    Json(body): Json<UpdateReportRequest>,
) -> Result<HttpResponse, ApiError> {
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
    let changes = ReportChanges {
        title,
        kind,
        publisher_organisation_id,
        subject_organisation_id,
        published_on,
        url,
        summary,
    };
    let mut conn = state.conn().await?;
    let row = repo::update(&mut conn, &auth.actor(), *id, &preconditions, &changes).await?;
    Ok(ok_with_etag(&Preconditions::default(), row.version, &Report::from(row)))
}
