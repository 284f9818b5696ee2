//! Improvement programmes, the reports they respond to, and the data behind a
//! programme's progress summary.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog::{self, Logged};
use super::organisations::require_exists;
use super::versioned::{self, Versioned as _};
use crate::db::schema::{actions, programme_reports, programmes, reports};
use crate::db::DbConn;
use crate::domain::action::{ActionId, ActionStatus};
use crate::domain::auth::Actor;
use crate::domain::meeting::MeetingKind;
use crate::domain::organisation::OrganisationId;
use crate::domain::programme::{NewProgramme, ProgrammeChanges, ProgrammeId, ProgrammeStatus};
use crate::domain::report::ReportId;
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A programme as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = programmes, check_for_backend(diesel::pg::Pg))]
pub struct ProgrammeRow {
    pub id: ProgrammeId,
    pub name: String,
    pub description: Option<String>,
    pub owner_organisation_id: OrganisationId,
    pub owner_post_title: String,
    pub progress_meeting_kind: Option<MeetingKind>,
    pub status: ProgrammeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::versioned_row!(ProgrammeRow, "programme", programmes, ProgrammeId);

/// A programme with the reports it responds to.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeRecord {
    #[serde(flatten)]
    pub row: ProgrammeRow,
    pub report_ids: Vec<ReportId>,
}

impl Logged for ProgrammeRecord {
    const RESOURCE_TYPE: &'static str = "programme";

    fn resource_id(&self) -> uuid::Uuid {
        self.row.id.0
    }

    fn audit_snapshot(&self) -> impl Serialize + '_ {
        self
    }
}

#[derive(Insertable)]
#[diesel(table_name = programmes)]
struct NewProgrammeRow<'a> {
    id: ProgrammeId,
    name: &'a str,
    description: Option<&'a str>,
    owner_organisation_id: OrganisationId,
    owner_post_title: &'a str,
    progress_meeting_kind: Option<MeetingKind>,
    status: ProgrammeStatus,
}

#[derive(AsChangeset)]
#[diesel(table_name = programmes)]
struct ProgrammeChangesRow<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
    owner_organisation_id: Option<OrganisationId>,
    owner_post_title: Option<&'a str>,
    progress_meeting_kind: Option<Option<MeetingKind>>,
    status: Option<ProgrammeStatus>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ProgrammeFilter {
    pub status: Option<ProgrammeStatus>,
    pub report_id: Option<ReportId>,
    /// Part of the name or description, ignoring letter case.
    pub text: Option<String>,
}

/// A 422 naming `field` unless every one of `ids` is a report.
async fn require_reports(conn: &mut DbConn, ids: &[ReportId], field: &str) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<ReportId> = reports::table
        .filter(reports::id.eq_any(ids))
        .select(reports::id)
        .load(conn)
        .await?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(ApiError::invalid(field, format!("no report has id {missing}"))),
        None => Ok(()),
    }
}

/// A 422 naming `field` unless programme `id` exists: for an action naming its programme.
pub async fn require_exists_as(conn: &mut DbConn, id: ProgrammeId, field: &str) -> Result<(), ApiError> {
    let found: i64 = programmes::table
        .filter(programmes::id.eq(id))
        .count()
        .get_result(conn)
        .await?;
    if found == 0 {
        return Err(ApiError::invalid(field, format!("no programme has id {id}")));
    }
    Ok(())
}

/// A 409 naming its status unless programme `id` (which exists) is `active`: a
/// `completed` or `closed` programme takes no new actions, and no action moves into it
/// (make it active again first). The programme row is locked for share, so it cannot
/// be closed while the action joins it.
pub async fn require_taking_actions(conn: &mut DbConn, id: ProgrammeId) -> Result<(), ApiError> {
    let (name, status): (String, ProgrammeStatus) = programmes::table
        .find(id)
        .select((programmes::name, programmes::status))
        .for_share()
        .first(conn)
        .await?;
    if status == ProgrammeStatus::Active {
        return Ok(());
    }
    Err(ApiError::illegal_transition(
        format!(
            "Programme {name} ({id}) is {status}: it takes no new actions. Make it active again first, or put the action in another programme"
        ),
        status.as_str(),
    ))
}

/// The names of the programmes `ids` that exist, by id: for an action naming its
/// programme. No query for no ids.
pub async fn names(conn: &mut DbConn, ids: &[ProgrammeId]) -> Result<HashMap<ProgrammeId, String>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(programmes::table
        .filter(programmes::id.eq_any(ids))
        .select((programmes::id, programmes::name))
        .load::<(ProgrammeId, String)>(conn)
        .await?
        .into_iter()
        .collect())
}

async fn link(conn: &mut DbConn, id: ProgrammeId, report_ids: &[ReportId]) -> Result<(), ApiError> {
    if report_ids.is_empty() {
        return Ok(());
    }
    let links: Vec<_> = report_ids
        .iter()
        .map(|report| {
            (
                programme_reports::programme_id.eq(id),
                programme_reports::report_id.eq(*report),
            )
        })
        .collect();
    diesel::insert_into(programme_reports::table)
        .values(links)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert(conn: &mut DbConn, actor: &Actor, new: &NewProgramme) -> Result<ProgrammeRecord, ApiError> {
    conn.transaction(async |conn| {
        require_exists(conn, new.owner.organisation_id, "owner.organisation_id").await?;
        require_reports(conn, &new.report_ids, "report_ids").await?;
        let row: ProgrammeRow = diesel::insert_into(programmes::table)
            .values(NewProgrammeRow {
                id: ProgrammeId::generate(),
                name: new.name.as_str(),
                description: new.description.as_ref().map(|d| d.as_str()),
                owner_organisation_id: new.owner.organisation_id,
                owner_post_title: new.owner.post_title.as_str(),
                progress_meeting_kind: new.progress_meeting_kind,
                status: new.status,
            })
            .returning(ProgrammeRow::as_returning())
            .get_result(conn)
            .await?;
        link(conn, row.id, &new.report_ids).await?;
        let mut report_ids = new.report_ids.clone();
        report_ids.sort();
        let record = ProgrammeRecord { row, report_ids };
        changelog::publish(conn, actor, "programme.created", None, &record).await?;
        Ok(record)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: ProgrammeId) -> Result<ProgrammeRecord, ApiError> {
    let row: ProgrammeRow = versioned::find(conn, id).await?;
    Ok(with_reports(conn, vec![row]).await?.remove(0))
}

/// The rows with the reports they respond to, in one more query.
async fn with_reports(conn: &mut DbConn, rows: Vec<ProgrammeRow>) -> Result<Vec<ProgrammeRecord>, ApiError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<ProgrammeId> = rows.iter().map(|row| row.id).collect();
    let links: Vec<(ProgrammeId, ReportId)> = programme_reports::table
        .filter(programme_reports::programme_id.eq_any(&ids))
        .order((programme_reports::programme_id, programme_reports::report_id))
        .select((programme_reports::programme_id, programme_reports::report_id))
        .load(conn)
        .await?;
    let mut report_ids: HashMap<ProgrammeId, Vec<ReportId>> = HashMap::new();
    for (programme, report) in links {
        report_ids.entry(programme).or_default().push(report);
    }
    Ok(rows
        .into_iter()
        .map(|row| ProgrammeRecord {
            report_ids: report_ids.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// One page of programmes, the oldest first.
pub async fn list(
    conn: &mut DbConn,
    filter: &ProgrammeFilter,
    page: &PageRequest,
) -> Result<(Vec<ProgrammeRecord>, Option<Cursor>), ApiError> {
    let mut query = programmes::table
        .select(ProgrammeRow::as_select())
        .order(programmes::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(programmes::id.gt(ProgrammeId(after.id)));
    }
    if let Some(status) = filter.status {
        query = query.filter(programmes::status.eq(status));
    }
    if let Some(report) = filter.report_id {
        query = query.filter(
            programmes::id.eq_any(
                programme_reports::table
                    .filter(programme_reports::report_id.eq(report))
                    .select(programme_reports::programme_id),
            ),
        );
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", super::escape_like(text));
        query = query.filter(
            programmes::name
                .ilike(pattern.clone())
                .or(programmes::description.ilike(pattern)),
        );
    }
    let rows = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row| Cursor::by_id(row.id.0));
    Ok((with_reports(conn, rows).await?, next))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: ProgrammeId,
    if_match: &IfMatch,
    changes: &ProgrammeChanges,
) -> Result<ProgrammeRecord, ApiError> {
    conn.transaction(async |conn| {
        let locked: ProgrammeRow = versioned::lock(conn, id, if_match).await?;
        let before = with_reports(conn, vec![locked]).await?.remove(0);
        if changes.is_empty() {
            return Ok(before);
        }
        if let Some(organisation) = changes.owner_organisation_id {
            require_exists(conn, organisation, "owner.organisation_id").await?;
        }
        if let Some(report_ids) = &changes.report_ids {
            require_reports(conn, report_ids, "report_ids").await?;
        }
        let row: ProgrammeRow = diesel::update(programmes::table.find(id))
            .set(ProgrammeChangesRow {
                name: changes.name.as_ref().map(|n| n.as_str()),
                description: changes.description.as_ref().map(|d| d.as_ref().map(|d| d.as_str())),
                owner_organisation_id: changes.owner_organisation_id,
                owner_post_title: changes.owner_post_title.as_ref().map(|p| p.as_str()),
                progress_meeting_kind: changes.progress_meeting_kind,
                status: changes.status,
                updated_at: Utc::now(),
                version: before.row.next_version(),
            })
            .returning(ProgrammeRow::as_returning())
            .get_result(conn)
            .await?;
        let report_ids = match &changes.report_ids {
            Some(report_ids) => {
                diesel::delete(programme_reports::table.filter(programme_reports::programme_id.eq(id)))
                    .execute(conn)
                    .await?;
                link(conn, id, report_ids).await?;
                let mut report_ids = report_ids.clone();
                report_ids.sort();
                report_ids
            }
            None => before.report_ids.clone(),
        };
        let after = ProgrammeRecord { row, report_ids };
        changelog::publish(conn, actor, "programme.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}

/// An action in a programme, as its progress summary needs it.
#[derive(Debug, Clone, Queryable)]
pub struct ProgressActionRow {
    pub id: ActionId,
    pub reference: String,
    pub title: String,
    pub owner_organisation_id: OrganisationId,
    pub owner_post_title: String,
    pub status: ActionStatus,
    pub progress_percent: i32,
    pub due_on: NaiveDate,
}

/// A programme and its actions, read in one transaction so the numbers agree.
pub async fn progress(conn: &mut DbConn, id: ProgrammeId) -> Result<(ProgrammeRow, Vec<ProgressActionRow>), ApiError> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| {
            let programme: ProgrammeRow = versioned::find(conn, id).await?;
            let actions = actions::table
                .filter(actions::programme_id.eq(id))
                .order((actions::due_on.asc(), actions::id.asc()))
                .select((
                    actions::id,
                    actions::reference,
                    actions::title,
                    actions::owner_organisation_id,
                    actions::owner_post_title,
                    actions::status,
                    actions::progress_percent,
                    actions::due_on,
                ))
                .load::<ProgressActionRow>(conn)
                .await?;
            Ok((programme, actions))
        })
        .await
}
