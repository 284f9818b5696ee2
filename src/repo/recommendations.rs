//! Recommendations, and their progress as derived from the actions addressing them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::organisations::require_exists;
use super::versioned::{self, Versioned as _};
use crate::db::schema::{action_recommendations, actions, recommendations};
use crate::db::DbConn;
use crate::domain::action::ActionStatus;
use crate::domain::auth::Actor;
use crate::domain::derived_status::derived_status;
use crate::domain::organisation::OrganisationId;
use crate::domain::progress::RecommendationProgress;
use crate::domain::report::{
    NewRecommendation, RecommendationChanges, RecommendationId, RecommendationKind, RecommendationStatus, ReportId,
    Standing,
};
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A recommendation as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = recommendations, check_for_backend(diesel::pg::Pg))]
pub struct RecommendationRow {
    pub id: RecommendationId,
    pub report_id: ReportId,
    pub reference: String,
    pub kind: RecommendationKind,
    pub text: String,
    pub addressed_to_organisation_id: OrganisationId,
    pub due_on: Option<NaiveDate>,
    pub status: RecommendationStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::versioned_row!(RecommendationRow, "recommendation", recommendations, RecommendationId);

/// A recommendation with its derived progress.
#[derive(Debug, Clone)]
pub struct RecommendationRecord {
    pub row: RecommendationRow,
    pub progress: RecommendationProgress,
}

impl super::changelog::Logged for RecommendationRecord {
    const RESOURCE_TYPE: &'static str = "recommendation";

    fn resource_id(&self) -> uuid::Uuid {
        self.row.id.0
    }

    /// The row: progress is derived from the actions, not stored.
    fn audit_snapshot(&self) -> impl serde::Serialize + '_ {
        &self.row
    }
}

#[derive(Insertable)]
#[diesel(table_name = recommendations)]
struct NewRecommendationRow<'a> {
    id: RecommendationId,
    report_id: ReportId,
    reference: &'a str,
    kind: RecommendationKind,
    text: &'a str,
    addressed_to_organisation_id: OrganisationId,
    due_on: Option<NaiveDate>,
}

#[derive(AsChangeset)]
#[diesel(table_name = recommendations)]
struct RecommendationChangesRow<'a> {
    kind: Option<RecommendationKind>,
    text: Option<&'a str>,
    addressed_to_organisation_id: Option<OrganisationId>,
    due_on: Option<Option<NaiveDate>>,
    status: RecommendationStatus,
    /// Always set (`Some(None)` writes NULL): a new status brings its own reason.
    status_reason: Option<Option<&'a str>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct RecommendationFilter {
    pub report_id: Option<ReportId>,
    pub status: Option<RecommendationStatus>,
    pub kind: Option<RecommendationKind>,
    pub addressed_to_organisation_id: Option<OrganisationId>,
    /// A web search of the reference and text (see [`super::search::matches`]).
    pub text: Option<String>,
}

/// Adds a recommendation to report `report_id` (404 when there is no such report).
pub async fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    report_id: ReportId,
    new: &NewRecommendation,
) -> Result<RecommendationRecord, ApiError> {
    conn.transaction(async |conn| {
        super::reports::require(conn, report_id).await?;
        require_exists(conn, new.addressed_to_organisation_id, "addressed_to_organisation_id").await?;
        let taken: i64 = recommendations::table
            .filter(recommendations::report_id.eq(report_id))
            .filter(recommendations::reference.eq(new.reference.as_str()))
            .count()
            .get_result(conn)
            .await?;
        if taken > 0 {
            return Err(ApiError::conflict(format!(
                "The report already has a recommendation with reference {}",
                new.reference.as_str()
            )));
        }
        // The UNIQUE (report_id, reference) constraint settles a race between two
        // inserts of the same reference: the loser gets a 409 too.
        let row: RecommendationRow = diesel::insert_into(recommendations::table)
            .values(NewRecommendationRow {
                id: RecommendationId::generate(),
                report_id,
                reference: new.reference.as_str(),
                kind: new.kind,
                text: new.text.as_str(),
                addressed_to_organisation_id: new.addressed_to_organisation_id,
                due_on: new.due_on,
            })
            .returning(RecommendationRow::as_returning())
            .get_result(conn)
            .await?;
        // A new recommendation has no actions yet: its progress is the default.
        let record = RecommendationRecord {
            row,
            progress: RecommendationProgress::default(),
        };
        changelog::publish(conn, actor, "recommendation.created", None, &record).await?;
        Ok(record)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: RecommendationId, today: NaiveDate) -> Result<RecommendationRecord, ApiError> {
    let row = versioned::find(conn, id).await?;
    with_progress(conn, row, today).await
}

/// One page of recommendations, in the order they were added.
pub async fn list(
    conn: &mut DbConn,
    filter: &RecommendationFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> Result<(Vec<RecommendationRecord>, Option<Cursor>), ApiError> {
    let mut query = recommendations::table
        .select(RecommendationRow::as_select())
        .order(recommendations::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(recommendations::id.gt(RecommendationId(after.id)));
    }
    if let Some(report) = filter.report_id {
        query = query.filter(recommendations::report_id.eq(report));
    }
    if let Some(status) = filter.status {
        query = query.filter(recommendations::status.eq(status));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(recommendations::kind.eq(kind));
    }
    if let Some(organisation) = filter.addressed_to_organisation_id {
        query = query.filter(recommendations::addressed_to_organisation_id.eq(organisation));
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::search::matches("recommendations", text));
    }
    let rows: Vec<RecommendationRow> = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row| Cursor::by_id(row.id.0));
    Ok((records_of(conn, rows, today).await?, next))
}

/// `rows` with their progress on `today`.
async fn records_of(
    conn: &mut DbConn,
    rows: Vec<RecommendationRow>,
    today: NaiveDate,
) -> Result<Vec<RecommendationRecord>, ApiError> {
    let ids: Vec<RecommendationId> = rows.iter().map(|row| row.id).collect();
    let mut progress = progress_of(conn, &ids, today).await?;
    Ok(rows
        .into_iter()
        .map(|row| RecommendationRecord {
            progress: progress.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// `row` with its progress on `today`.
async fn with_progress(
    conn: &mut DbConn,
    row: RecommendationRow,
    today: NaiveDate,
) -> Result<RecommendationRecord, ApiError> {
    let mut records = records_of(conn, vec![row], today).await?;
    Ok(records.remove(0))
}

/// The progress of each of `ids` on `today` (absent: no actions yet).
pub async fn progress_of(
    conn: &mut DbConn,
    ids: &[RecommendationId],
    today: NaiveDate,
) -> Result<HashMap<RecommendationId, RecommendationProgress>, ApiError> {
    let grouped = actions_of(conn, ids).await?;
    Ok(grouped
        .into_iter()
        .map(|(id, actions)| (id, RecommendationProgress::of(actions, today)))
        .collect())
}

/// The (status, progress percent, due date) of every action addressing each of `ids`:
/// what both a recommendation's progress and its derived status are worked out from.
async fn actions_of(
    conn: &mut DbConn,
    ids: &[RecommendationId],
) -> Result<HashMap<RecommendationId, Vec<(ActionStatus, i32, NaiveDate)>>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links: Vec<(RecommendationId, ActionStatus, i32, NaiveDate)> = action_recommendations::table
        .inner_join(actions::table)
        .filter(action_recommendations::recommendation_id.eq_any(ids))
        .select((
            action_recommendations::recommendation_id,
            actions::status,
            actions::progress_percent,
            actions::due_on,
        ))
        .load(conn)
        .await?;
    let mut grouped: HashMap<RecommendationId, Vec<(ActionStatus, i32, NaiveDate)>> = HashMap::new();
    for (id, status, percent, due_on) in links {
        grouped.entry(id).or_default().push((status, percent, due_on));
    }
    Ok(grouped)
}

/// The (status, progress percent) of every action addressing each of `ids`.
pub async fn action_states(
    conn: &mut DbConn,
    ids: &[RecommendationId],
) -> Result<HashMap<RecommendationId, Vec<(ActionStatus, i32)>>, ApiError> {
    Ok(actions_of(conn, ids)
        .await?
        .into_iter()
        .map(|(id, actions)| {
            let states = actions
                .into_iter()
                .map(|(status, percent, _)| (status, percent))
                .collect();
            (id, states)
        })
        .collect())
}

/// The status the actions addressing recommendation `id` give it now (`open` when it has
/// none), whatever status it has stored: what reopening an `implemented` one leads to.
async fn derived(conn: &mut DbConn, id: RecommendationId) -> Result<RecommendationStatus, ApiError> {
    let mut actions = action_states(conn, &[id]).await?;
    Ok(derived_status(actions.remove(&id).unwrap_or_default()))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version and
/// any change of status is allowed.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: RecommendationId,
    if_match: &IfMatch,
    changes: &RecommendationChanges,
    today: NaiveDate,
) -> Result<RecommendationRecord, ApiError> {
    conn.transaction(async |conn| {
        let before: RecommendationRow = versioned::lock(conn, id, if_match).await?;
        if changes.is_empty() {
            return with_progress(conn, before, today).await;
        }
        let standing = Standing {
            status: before.status,
            reason: before.status_reason.clone(),
        }
        .apply(changes.status, changes.status_reason.clone(), derived(conn, id).await?)?;
        if let Some(organisation) = changes.addressed_to_organisation_id {
            require_exists(conn, organisation, "addressed_to_organisation_id").await?;
        }
        let after: RecommendationRow = diesel::update(recommendations::table.find(id))
            .set(RecommendationChangesRow {
                kind: changes.kind,
                text: changes.text.as_ref().map(|t| t.as_str()),
                addressed_to_organisation_id: changes.addressed_to_organisation_id,
                due_on: changes.due_on,
                status: standing.status,
                status_reason: Some(standing.reason.as_deref()),
                updated_at: Utc::now(),
                version: before.next_version(),
            })
            .returning(RecommendationRow::as_returning())
            .get_result(conn)
            .await?;
        let after = with_progress(conn, after, today).await?;
        // Progress comes from the actions, which this change leaves as they were.
        let before = RecommendationRecord {
            row: before,
            progress: after.progress,
        };
        changelog::publish(conn, actor, "recommendation.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}
