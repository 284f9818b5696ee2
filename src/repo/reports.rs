//! Reports.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::audit::{self, Actor};
use super::organisations::require_exists;
use crate::db::schema::reports;
use crate::db::DbConn;
use crate::domain::organisation::OrganisationId;
use crate::domain::report::{NewReport, ReportChanges, ReportId, ReportKind};
use crate::error::ApiError;
use crate::http::Preconditions;
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

fn not_found(id: ReportId) -> ApiError {
    ApiError::not_found(format!("No report has id {id}"))
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
        audit::record(
            conn,
            actor,
            "report.created",
            "report",
            Some(row.id.0),
            None,
            Some(&row),
        )
        .await?;
        Ok(row)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: ReportId) -> Result<ReportRow, ApiError> {
    reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// A 404 unless report `id` exists: for collections nested under a report.
pub async fn require(conn: &mut DbConn, id: ReportId) -> Result<(), ApiError> {
    let found: i64 = reports::table
        .filter(reports::id.eq(id))
        .count()
        .get_result(conn)
        .await?;
    if found == 0 {
        return Err(not_found(id));
    }
    Ok(())
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
        let published_on = cursor_date(after)?;
        let id = ReportId(after.id);
        query = query.filter(
            reports::published_on
                .lt(published_on)
                .or(reports::published_on.eq(published_on).and(reports::id.lt(id))),
        );
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
    if let Some(from) = filter.published_from {
        query = query.filter(reports::published_on.ge(from));
    }
    if let Some(to) = filter.published_to {
        query = query.filter(reports::published_on.le(to));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor {
        key: Some(row.published_on.to_string()),
        id: row.id.0,
    }))
}

/// The date a cursor's key holds, for lists ordered by a date. Cursors are opaque, not
/// signed: a forged one must still be a date PostgreSQL can compare with.
pub fn cursor_date(cursor: &Cursor) -> Result<NaiveDate, ApiError> {
    cursor
        .key
        .as_deref()
        .and_then(|key| key.parse().ok())
        .and_then(|date| crate::domain::calendar::plausible_date("cursor", date).ok())
        .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor of this list"))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReportId,
    preconditions: &Preconditions,
    changes: &ReportChanges,
) -> Result<ReportRow, ApiError> {
    conn.transaction(async |conn| {
        let before: ReportRow = reports::table
            .find(id)
            .select(ReportRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| not_found(id))?;
        preconditions.check_if_match(before.version)?;
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
                version: before.version + 1,
            })
            .returning(ReportRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            actor,
            "report.updated",
            "report",
            Some(id.0),
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    })
    .await
}
