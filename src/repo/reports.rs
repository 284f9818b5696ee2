//! Reports, and the data behind a report's scorecard.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::organisations::require_exists;
use super::versioned::{self, Versioned as _};
use crate::db::schema::{
    action_recommendations, actions, recommendations, reports, response_recommendations, responses,
};
use crate::db::DbConn;
use crate::domain::action::{ActionId, ActionStatus};
use crate::domain::auth::Actor;
use crate::domain::organisation::OrganisationId;
use crate::domain::question::ResponseStatus;
use crate::domain::report::{NewReport, RecommendationId, RecommendationStatus, ReportChanges, ReportId, ReportKind};
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A report as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = reports, check_for_backend(diesel::pg::Pg))]
pub struct ReportRow {
    pub id: ReportId,
    pub title: String,
    pub kind: ReportKind,
    pub publisher_organisation_id: OrganisationId,
    pub subject_organisation_id: OrganisationId,
    pub published_on: NaiveDate,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::logged_row!(ReportRow, "report", |row| row.id.0);
crate::versioned_row!(ReportRow, "report", reports, ReportId);

#[derive(Insertable)]
#[diesel(table_name = reports)]
struct NewReportRow<'a> {
    id: ReportId,
    title: &'a str,
    kind: ReportKind,
    publisher_organisation_id: OrganisationId,
    subject_organisation_id: OrganisationId,
    published_on: NaiveDate,
    url: Option<&'a str>,
    summary: Option<&'a str>,
}

#[derive(AsChangeset)]
#[diesel(table_name = reports)]
struct ReportChangesRow<'a> {
    title: Option<&'a str>,
    kind: Option<ReportKind>,
    publisher_organisation_id: Option<OrganisationId>,
    subject_organisation_id: Option<OrganisationId>,
    published_on: Option<NaiveDate>,
    url: Option<Option<&'a str>>,
    summary: Option<Option<&'a str>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Filters for [`list`]; dates are inclusive.
#[derive(Debug, Default)]
pub struct ReportFilter {
    pub kind: Option<ReportKind>,
    pub publisher_organisation_id: Option<OrganisationId>,
    pub subject_organisation_id: Option<OrganisationId>,
    pub published_from: Option<NaiveDate>,
    pub published_to: Option<NaiveDate>,
}

pub async fn insert(conn: &mut DbConn, actor: &Actor, new: &NewReport) -> Result<ReportRow, ApiError> {
    conn.transaction(async |conn| {
        require_exists(conn, new.publisher_organisation_id, "publisher_organisation_id").await?;
        require_exists(conn, new.subject_organisation_id, "subject_organisation_id").await?;
        let row: ReportRow = diesel::insert_into(reports::table)
            .values(NewReportRow {
                id: ReportId::generate(),
                title: new.title.as_str(),
                kind: new.kind,
                publisher_organisation_id: new.publisher_organisation_id,
                subject_organisation_id: new.subject_organisation_id,
                published_on: new.published_on,
                url: new.url.as_ref().map(|u| u.as_str()),
                summary: new.summary.as_ref().map(|s| s.as_str()),
            })
            .returning(ReportRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "report.created", None, &row).await?;
        Ok(row)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: ReportId) -> Result<ReportRow, ApiError> {
    versioned::find(conn, id).await
}

/// A 404 unless report `id` exists: for collections nested under a report.
pub async fn require(conn: &mut DbConn, id: ReportId) -> Result<(), ApiError> {
    versioned::find::<ReportRow>(conn, id).await.map(drop)
}

/// One page of reports, the most recently published first.
pub async fn list(
    conn: &mut DbConn,
    filter: &ReportFilter,
    page: &PageRequest,
) -> Result<(Vec<ReportRow>, Option<Cursor>), ApiError> {
    let mut query = reports::table
        .select(ReportRow::as_select())
        .order((reports::published_on.desc(), reports::id.desc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(super::keyset_after(
            "reports.published_on, reports.id",
            super::Direction::Descending,
            after,
        )?);
    }
    if let Some(kind) = filter.kind {
        query = query.filter(reports::kind.eq(kind));
    }
    if let Some(organisation) = filter.publisher_organisation_id {
        query = query.filter(reports::publisher_organisation_id.eq(organisation));
    }
    if let Some(organisation) = filter.subject_organisation_id {
        query = query.filter(reports::subject_organisation_id.eq(organisation));
    }
    query = super::dated_within(query, reports::published_on, filter.published_from, filter.published_to);
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_date(row.published_on, row.id.0)))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReportId,
    if_match: &IfMatch,
    changes: &ReportChanges,
) -> Result<ReportRow, ApiError> {
    conn.transaction(async |conn| {
        let before: ReportRow = versioned::lock(conn, id, if_match).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        if let Some(organisation) = changes.publisher_organisation_id {
            require_exists(conn, organisation, "publisher_organisation_id").await?;
        }
        if let Some(organisation) = changes.subject_organisation_id {
            require_exists(conn, organisation, "subject_organisation_id").await?;
        }
        let after: ReportRow = diesel::update(reports::table.find(id))
            .set(ReportChangesRow {
                title: changes.title.as_ref().map(|t| t.as_str()),
                kind: changes.kind,
                publisher_organisation_id: changes.publisher_organisation_id,
                subject_organisation_id: changes.subject_organisation_id,
                published_on: changes.published_on,
                url: changes.url.as_ref().map(|u| u.as_ref().map(|u| u.as_str())),
                summary: changes.summary.as_ref().map(|s| s.as_ref().map(|s| s.as_str())),
                updated_at: Utc::now(),
                version: before.next_version(),
            })
            .returning(ReportRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "report.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}

/// An action addressing one of a report's recommendations, as the scorecard needs it.
#[derive(Debug, Clone, Queryable)]
pub struct ScorecardActionRow {
    pub recommendation_id: RecommendationId,
    pub id: ActionId,
    pub reference: String,
    pub title: String,
    pub owner_organisation_id: OrganisationId,
    pub owner_post_title: String,
    pub status: ActionStatus,
    pub progress_percent: i32,
    pub due_on: NaiveDate,
}

/// What a report's scorecard is computed from.
#[derive(Debug, Clone)]
pub struct ScorecardData {
    pub report: ReportRow,
    pub recommendations: Vec<(RecommendationId, RecommendationStatus)>,
    /// One row per (recommendation, action) link: an action addressing two of the
    /// report's recommendations appears twice.
    pub actions: Vec<ScorecardActionRow>,
    /// Whether a published response cites any of the report's recommendations.
    pub has_published_response: bool,
}

/// Everything [`ScorecardData`] holds, read in one transaction so the numbers agree.
pub async fn scorecard(conn: &mut DbConn, id: ReportId) -> Result<ScorecardData, ApiError> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| {
            let report = find(conn, id).await?;
            let recommendations = recommendations::table
                .filter(recommendations::report_id.eq(id))
                .order(recommendations::id.asc())
                .select((recommendations::id, recommendations::status))
                .load::<(RecommendationId, RecommendationStatus)>(conn)
                .await?;
            let actions = action_recommendations::table
                .inner_join(recommendations::table)
                .inner_join(actions::table)
                .filter(recommendations::report_id.eq(id))
                .order((actions::due_on.asc(), actions::id.asc()))
                .select((
                    action_recommendations::recommendation_id,
                    actions::id,
                    actions::reference,
                    actions::title,
                    actions::owner_organisation_id,
                    actions::owner_post_title,
                    actions::status,
                    actions::progress_percent,
                    actions::due_on,
                ))
                .load::<ScorecardActionRow>(conn)
                .await?;
            let has_published_response = diesel::select(diesel::dsl::exists(
                response_recommendations::table
                    .inner_join(responses::table)
                    .inner_join(recommendations::table)
                    .filter(recommendations::report_id.eq(id))
                    .filter(responses::status.eq(ResponseStatus::Published.as_str())),
            ))
            .get_result::<bool>(conn)
            .await?;
            Ok(ScorecardData {
                report,
                recommendations,
                actions,
                has_published_response,
            })
        })
        .await
}
