//! Actions, the recommendations they address, and their append-only progress updates.
//!
//! The functions that change an action take an `authorise` check (the change's own
//! `allowed_for`, see [`crate::domain::action`]), called on the row right after it is
//! locked and [`versioned::locked`] has passed it, so that "is this your organisation's
//! action?" is decided on the row that is then changed, not on an earlier read that
//! another request could have made stale.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog::{self, Logged};
use super::organisations::require_exists;
use super::programmes::{names as programme_names, require_exists_as as require_programme};
use super::versioned::{self, Versioned as _};
use crate::db::schema::{action_recommendations, action_updates, actions, meetings, recommendations};
use crate::db::DbConn;
use crate::domain::action::{
    ActionChanges, ActionId, ActionProgress, ActionStatus, NewAction, NewProgressUpdate, ProgressChange,
    ProgressUpdateId, Schedule,
};
use crate::domain::auth::Actor;
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::OrganisationId;
use crate::domain::programme::ProgrammeId;
use crate::domain::report::{RecommendationId, ReportId};
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// An action as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = actions, check_for_backend(diesel::pg::Pg))]
pub struct ActionRow {
    pub id: ActionId,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub programme_id: Option<ProgrammeId>,
    pub owner_organisation_id: OrganisationId,
    pub owner_post_title: String,
    pub success_measure: String,
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub progress_percent: i32,
    pub completed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::versioned_row!(ActionRow, "action", actions, ActionId);

impl ActionRow {
    fn progress(&self) -> ActionProgress {
        ActionProgress {
            status: self.status,
            progress_percent: self.progress_percent,
            completed_on: self.completed_on,
        }
    }
}

/// An action update as stored. Never updated or deleted.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = action_updates, check_for_backend(diesel::pg::Pg))]
pub struct ProgressUpdateRow {
    pub id: ProgressUpdateId,
    pub action_id: ActionId,
    pub reported_on: NaiveDate,
    pub author_name: String,
    pub author_position: String,
    pub body: String,
    pub progress_percent: Option<i32>,
    pub status: Option<ActionStatus>,
    pub meeting_id: Option<MeetingId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An update with whether the meeting it was reported at is public (none: no meeting).
#[derive(Debug, Clone)]
pub struct ProgressUpdateRecord {
    pub row: ProgressUpdateRow,
    pub meeting_is_public: Option<bool>,
}

impl Logged for ProgressUpdateRecord {
    const RESOURCE_TYPE: &'static str = "action_update";

    fn resource_id(&self) -> uuid::Uuid {
        self.row.id.0
    }

    fn audit_snapshot(&self) -> impl serde::Serialize + '_ {
        &self.row
    }
}

/// An action with what is derived from other tables.
#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub row: ActionRow,
    /// The name of its programme (`row.programme_id`), if it is in one.
    pub programme_name: Option<String>,
    pub recommendation_ids: Vec<RecommendationId>,
    /// The update posted last, if any.
    pub latest_update: Option<ProgressUpdateRecord>,
}

impl Logged for ActionRecord {
    const RESOURCE_TYPE: &'static str = "action";

    fn resource_id(&self) -> uuid::Uuid {
        self.row.id.0
    }

    /// The row and the recommendations it addresses; the latest update is logged as
    /// its own record.
    fn audit_snapshot(&self) -> impl serde::Serialize + '_ {
        ActionSnapshot {
            row: &self.row,
            recommendation_ids: &self.recommendation_ids,
        }
    }
}

/// What the audit log keeps of an action: its row and the recommendations it addresses.
#[derive(Serialize)]
struct ActionSnapshot<'a> {
    #[serde(flatten)]
    row: &'a ActionRow,
    recommendation_ids: &'a [RecommendationId],
}

#[derive(Insertable)]
#[diesel(table_name = actions)]
struct NewActionRow<'a> {
    id: ActionId,
    reference: &'a str,
    title: &'a str,
    description: &'a str,
    programme_id: Option<ProgrammeId>,
    owner_organisation_id: OrganisationId,
    owner_post_title: &'a str,
    success_measure: &'a str,
    starts_on: NaiveDate,
    due_on: NaiveDate,
}

#[derive(AsChangeset)]
#[diesel(table_name = actions)]
struct ActionChangesRow<'a> {
    title: Option<&'a str>,
    description: Option<&'a str>,
    programme_id: Option<Option<ProgrammeId>>,
    owner_organisation_id: Option<OrganisationId>,
    owner_post_title: Option<&'a str>,
    success_measure: Option<&'a str>,
    starts_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    status: ActionStatus,
    progress_percent: i32,
    /// Always set (`Some(None)` writes NULL): leaving `completed` clears the date.
    completed_on: Option<Option<NaiveDate>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = action_updates)]
struct NewProgressUpdateRow<'a> {
    id: ProgressUpdateId,
    action_id: ActionId,
    reported_on: NaiveDate,
    author_name: &'a str,
    author_position: &'a str,
    body: &'a str,
    progress_percent: Option<i32>,
    status: Option<ActionStatus>,
    meeting_id: Option<MeetingId>,
}

/// Filters for [`list`]. `due_before` and `due_after` are exclusive.
#[derive(Debug, Default)]
pub struct ActionFilter {
    pub status: Option<ActionStatus>,
    pub recommendation_id: Option<RecommendationId>,
    pub report_id: Option<ReportId>,
    pub owner_organisation_id: Option<OrganisationId>,
    /// Only the actions of this programme (none, for a programme that does not exist).
    pub programme_id: Option<ProgrammeId>,
    pub overdue: Option<bool>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    /// A web search of the title, description and success measure (see
    /// [`super::search::matches`]).
    pub text: Option<String>,
}

/// The statuses in which an action counts against its due date.
fn open_statuses() -> Vec<ActionStatus> {
    ActionStatus::ALL.iter().copied().filter(|s| s.is_open()).collect()
}

/// A 422 naming `field` unless every one of `ids` is a recommendation.
async fn require_recommendations(conn: &mut DbConn, ids: &[RecommendationId], field: &str) -> Result<(), ApiError> {
    let found: Vec<RecommendationId> = recommendations::table
        .filter(recommendations::id.eq_any(ids))
        .select(recommendations::id)
        .load(conn)
        .await?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(ApiError::invalid(field, format!("no recommendation has id {missing}"))),
        None => Ok(()),
    }
}

diesel::define_sql_function! {
    /// PostgreSQL's `lower`: the form in which action references are unique.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A 409 if another action than `except` in `programme` (or, for none, outside any
/// programme) has `reference`, ignoring letter case: references are unique within a
/// programme, and among actions in none ("1.1a" and "1.1A" are one reference). The
/// unique index on `(programme_id, lower(reference))`, nulls not distinct, settles a
/// race between two writes: the loser gets a 409 too.
async fn require_unique_reference(
    conn: &mut DbConn,
    programme: Option<ProgrammeId>,
    reference: &str,
    except: Option<ActionId>,
) -> Result<(), ApiError> {
    let mut query = actions::table
        .filter(lower(actions::reference).eq(lower(reference)))
        .select(actions::id)
        .into_boxed();
    query = match programme {
        Some(programme) => query.filter(actions::programme_id.eq(programme)),
        None => query.filter(actions::programme_id.is_null()),
    };
    if let Some(except) = except {
        query = query.filter(actions::id.ne(except));
    }
    let taken: Option<(ActionId, String)> = query
        .select((actions::id, actions::reference))
        .first(conn)
        .await
        .optional()?;
    let Some((_, existing)) = taken else {
        return Ok(());
    };
    Err(ApiError::conflict(match programme {
        Some(programme) => format!(
            "An action with reference {existing} already exists in programme {programme} \
             (references are unique within a programme, ignoring letter case: {reference} is the same reference)"
        ),
        None => format!(
            "An action with reference {existing} already exists outside any programme \
             (references are unique within a programme, and among actions in none, ignoring letter case: {reference} is the same reference)"
        ),
    }))
}

async fn link(conn: &mut DbConn, id: ActionId, recommendation_ids: &[RecommendationId]) -> Result<(), ApiError> {
    let links: Vec<_> = recommendation_ids
        .iter()
        .map(|recommendation| {
            (
                action_recommendations::action_id.eq(id),
                action_recommendations::recommendation_id.eq(*recommendation),
            )
        })
        .collect();
    diesel::insert_into(action_recommendations::table)
        .values(links)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates an action (`planned`, 0 %) addressing its recommendations.
pub async fn insert(conn: &mut DbConn, actor: &Actor, new: &NewAction) -> Result<ActionRecord, ApiError> {
    conn.transaction(async |conn| {
        require_exists(conn, new.owner.organisation_id, "owner.organisation_id").await?;
        require_recommendations(conn, &new.recommendation_ids, "recommendation_ids").await?;
        if let Some(programme) = new.programme_id {
            require_programme(conn, programme, "programme_id").await?;
            super::programmes::require_taking_actions(conn, programme).await?;
        }
        require_unique_reference(conn, new.programme_id, new.reference.as_str(), None).await?;
        let row: ActionRow = diesel::insert_into(actions::table)
            .values(NewActionRow {
                id: ActionId::generate(),
                reference: new.reference.as_str(),
                title: new.title.as_str(),
                description: new.description.as_str(),
                programme_id: new.programme_id,
                owner_organisation_id: new.owner.organisation_id,
                owner_post_title: new.owner.post_title.as_str(),
                success_measure: new.success_measure.as_str(),
                starts_on: new.schedule.starts_on,
                due_on: new.schedule.due_on,
            })
            .returning(ActionRow::as_returning())
            .get_result(conn)
            .await?;
        link(conn, row.id, &new.recommendation_ids).await?;
        let record = with_derived_one(conn, row).await?;
        changelog::publish(conn, actor, "action.created", None, &record).await?;
        let today = crate::domain::calendar::today();
        super::recommendation_status::follow_actions(conn, actor, record.recommendation_ids.clone(), today).await?;
        Ok(record)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: ActionId) -> Result<ActionRecord, ApiError> {
    let row = versioned::find(conn, id).await?;
    with_derived_one(conn, row).await
}

/// One row with its recommendations and latest update.
async fn with_derived_one(conn: &mut DbConn, row: ActionRow) -> Result<ActionRecord, ApiError> {
    let id = row.id;
    let mut records = with_derived(conn, vec![row]).await?;
    records.pop().ok_or_else(|| versioned::not_found::<ActionRow>(id))
}

/// The rows with their programmes' names, recommendations and latest updates, read in
/// three queries.
async fn with_derived(conn: &mut DbConn, rows: Vec<ActionRow>) -> Result<Vec<ActionRecord>, ApiError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<ActionId> = rows.iter().map(|row| row.id).collect();
    let mut programme_ids: Vec<ProgrammeId> = rows.iter().filter_map(|row| row.programme_id).collect();
    programme_ids.sort_unstable();
    programme_ids.dedup();
    let programme_names = programme_names(conn, &programme_ids).await?;
    let links: Vec<(ActionId, RecommendationId)> = action_recommendations::table
        .filter(action_recommendations::action_id.eq_any(&ids))
        .order((
            action_recommendations::action_id,
            action_recommendations::recommendation_id,
        ))
        .select((
            action_recommendations::action_id,
            action_recommendations::recommendation_id,
        ))
        .load(conn)
        .await?;
    let mut recommendation_ids: HashMap<ActionId, Vec<RecommendationId>> = HashMap::new();
    for (action, recommendation) in links {
        recommendation_ids.entry(action).or_default().push(recommendation);
    }
    let latest: Vec<(ProgressUpdateRow, Option<bool>)> = action_updates::table
        .left_join(meetings::table)
        .filter(action_updates::action_id.eq_any(&ids))
        .distinct_on(action_updates::action_id)
        .order((action_updates::action_id, action_updates::id.desc()))
        .select((ProgressUpdateRow::as_select(), meetings::is_public.nullable()))
        .load(conn)
        .await?;
    let mut latest: HashMap<ActionId, ProgressUpdateRecord> = latest
        .into_iter()
        .map(|(row, meeting_is_public)| (row.action_id, ProgressUpdateRecord { row, meeting_is_public }))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ActionRecord {
            programme_name: row.programme_id.and_then(|p| programme_names.get(&p).cloned()),
            recommendation_ids: recommendation_ids.remove(&row.id).unwrap_or_default(),
            latest_update: latest.remove(&row.id),
            row,
        })
        .collect())
}

/// One page of actions, the soonest due first.
pub async fn list(
    conn: &mut DbConn,
    filter: &ActionFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> Result<(Vec<ActionRecord>, Option<Cursor>), ApiError> {
    list_ordered(conn, filter, page, today, false).await
}

/// The first `limit` actions [`list`] would show for `filter`, most recently updated
/// first (by `updated_at`, then id): what a feed shows.
pub async fn latest_updated(
    conn: &mut DbConn,
    filter: &ActionFilter,
    limit: i64,
    today: NaiveDate,
) -> Result<Vec<ActionRecord>, ApiError> {
    let page = PageRequest { limit, after: None };
    Ok(list_ordered(conn, filter, &page, today, true).await?.0)
}

async fn list_ordered(
    conn: &mut DbConn,
    filter: &ActionFilter,
    page: &PageRequest,
    today: NaiveDate,
    by_updated: bool,
) -> Result<(Vec<ActionRecord>, Option<Cursor>), ApiError> {
    let mut query = actions::table
        .select(ActionRow::as_select())
        .limit(page.fetch())
        .into_boxed();
    query = if by_updated {
        query.order((actions::updated_at.desc(), actions::id.desc()))
    } else {
        query.order((actions::due_on.asc(), actions::id.asc()))
    };
    if let Some(after) = &page.after {
        query = query.filter(super::keyset_after(
            "actions.due_on, actions.id",
            super::Direction::Ascending,
            after,
        )?);
    }
    if let Some(status) = filter.status {
        query = query.filter(actions::status.eq(status));
    }
    if let Some(recommendation) = filter.recommendation_id {
        query = query.filter(
            actions::id.eq_any(
                action_recommendations::table
                    .filter(action_recommendations::recommendation_id.eq(recommendation))
                    .select(action_recommendations::action_id),
            ),
        );
    }
    if let Some(report) = filter.report_id {
        query = query.filter(
            actions::id.eq_any(
                action_recommendations::table
                    .inner_join(recommendations::table)
                    .filter(recommendations::report_id.eq(report))
                    .select(action_recommendations::action_id),
            ),
        );
    }
    if let Some(organisation) = filter.owner_organisation_id {
        query = query.filter(actions::owner_organisation_id.eq(organisation));
    }
    if let Some(programme) = filter.programme_id {
        query = query.filter(actions::programme_id.eq(programme));
    }
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(actions::status.eq_any(open_statuses()))
                .filter(actions::due_on.lt(today));
        }
        Some(false) => {
            query = query.filter(actions::status.ne_all(open_statuses()).or(actions::due_on.ge(today)));
        }
        None => {}
    }
    if let Some(before) = filter.due_before {
        query = query.filter(actions::due_on.lt(before));
    }
    if let Some(after) = filter.due_after {
        query = query.filter(actions::due_on.gt(after));
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::search::matches("actions", text));
    }
    let rows = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row: &ActionRow| Cursor::by_date(row.due_on, row.id.0));
    Ok((with_derived(conn, rows).await?, next))
}

/// Action `id` locked for a change, as it stands: 404 when there is none, 412 when
/// `if_match` names another version ([`versioned::locked`]), then `authorise` on the row
/// (403), right after loading.
async fn lock(
    conn: &mut DbConn,
    id: ActionId,
    if_match: &IfMatch,
    authorise: impl Fn(&ActionRow) -> Result<(), ApiError>,
) -> Result<ActionRecord, ApiError> {
    let row = versioned::lock(conn, id, if_match).await?;
    authorise(&row)?;
    with_derived_one(conn, row).await
}

/// Applies `changes` to an action: `authorise` passes on the locked row, `If-Match`
/// (if any) names its version, status moves are allowed and dates still make sense.
/// `today` is the completion date when the action becomes completed without one.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: ActionId,
    if_match: &IfMatch,
    authorise: impl Fn(&ActionRow) -> Result<(), ApiError> + Send + Sync,
    changes: &ActionChanges,
    today: NaiveDate,
) -> Result<ActionRecord, ApiError> {
    conn.transaction(async |conn| {
        let before = lock(conn, id, if_match, &authorise).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        let progress = before.row.progress().apply(changes.progress, today)?;
        if changes.starts_on.is_some() || changes.due_on.is_some() {
            let blame = if changes.due_on.is_some() {
                "due_on"
            } else {
                "starts_on"
            };
            Schedule::new(
                changes.starts_on.unwrap_or(before.row.starts_on),
                changes.due_on.unwrap_or(before.row.due_on),
                blame,
            )
            .map_err(|e| ApiError::validation(vec![e]))?;
        }
        if let Some(organisation) = changes.owner_organisation_id {
            require_exists(conn, organisation, "owner.organisation_id").await?;
        }
        if let Some(ids) = &changes.recommendation_ids {
            require_recommendations(conn, ids, "recommendation_ids").await?;
        }
        if let Some(programme) = changes.programme_id {
            if let Some(programme) = programme {
                require_programme(conn, programme, "programme_id").await?;
                if Some(programme) != before.row.programme_id {
                    super::programmes::require_taking_actions(conn, programme).await?;
                }
            }
            if programme != before.row.programme_id {
                require_unique_reference(conn, programme, &before.row.reference, Some(id)).await?;
            }
        }
        diesel::update(actions::table.find(id))
            .set(ActionChangesRow {
                title: changes.title.as_ref().map(|t| t.as_str()),
                description: changes.description.as_ref().map(|d| d.as_str()),
                programme_id: changes.programme_id,
                owner_organisation_id: changes.owner_organisation_id,
                owner_post_title: changes.owner_post_title.as_ref().map(|p| p.as_str()),
                success_measure: changes.success_measure.as_ref().map(|s| s.as_str()),
                starts_on: changes.starts_on,
                due_on: changes.due_on,
                status: progress.status,
                progress_percent: progress.progress_percent,
                completed_on: Some(progress.completed_on),
                updated_at: Utc::now(),
                version: before.row.next_version(),
            })
            .execute(conn)
            .await?;
        if let Some(ids) = &changes.recommendation_ids {
            diesel::delete(action_recommendations::table.filter(action_recommendations::action_id.eq(id)))
                .execute(conn)
                .await?;
            link(conn, id, ids).await?;
        }
        let after = find(conn, id).await?;
        changelog::publish(conn, actor, "action.updated", Some(&before), &after).await?;
        // The recommendations it addressed before and after: one it left may move back.
        let addressed = before
            .recommendation_ids
            .iter()
            .chain(&after.recommendation_ids)
            .copied();
        super::recommendation_status::follow_actions(conn, actor, addressed, today).await?;
        Ok(after)
    })
    .await
}

/// Posts an update on an action and moves the action with it, in one transaction:
/// `authorise` passes on the locked action, `If-Match` (if any) names its version, the
/// meeting exists, and the status move is allowed. The action's version goes up even
/// when only words were posted, since its `latest_update` changed.
pub async fn post_update(
    conn: &mut DbConn,
    actor: &Actor,
    action_id: ActionId,
    if_match: &IfMatch,
    authorise: impl Fn(&ActionRow) -> Result<(), ApiError> + Send + Sync,
    new: &NewProgressUpdate,
) -> Result<ProgressUpdateRecord, ApiError> {
    conn.transaction(async |conn| {
        let before = lock(conn, action_id, if_match, &authorise).await?;
        let meeting_is_public = match new.meeting_id {
            None => None,
            Some(meeting) => Some(
                meetings::table
                    .find(meeting)
                    .select(meetings::is_public)
                    .first::<bool>(conn)
                    .await
                    .optional()?
                    .ok_or_else(|| ApiError::invalid("meeting_id", format!("no meeting has id {meeting}")))?,
            ),
        };
        let progress = before.row.progress().apply(
            ProgressChange {
                status: new.status,
                progress_percent: new.progress_percent,
                completed_on: None,
            },
            new.reported_on,
        )?;
        let update: ProgressUpdateRow = diesel::insert_into(action_updates::table)
            .values(NewProgressUpdateRow {
                id: ProgressUpdateId::generate(),
                action_id,
                reported_on: new.reported_on,
                author_name: new.author_name.as_str(),
                author_position: new.author_position.as_str(),
                body: new.body.as_str(),
                progress_percent: new.progress_percent,
                status: new.status,
                meeting_id: new.meeting_id,
            })
            .returning(ProgressUpdateRow::as_returning())
            .get_result(conn)
            .await?;
        diesel::update(actions::table.find(action_id))
            .set((
                actions::status.eq(progress.status),
                actions::progress_percent.eq(progress.progress_percent),
                actions::completed_on.eq(progress.completed_on),
                actions::updated_at.eq(Utc::now()),
                actions::version.eq(before.row.next_version()),
            ))
            .execute(conn)
            .await?;
        let record = ProgressUpdateRecord {
            row: update,
            meeting_is_public,
        };
        changelog::publish(conn, actor, "action_update.posted", None, &record).await?;
        let after = find(conn, action_id).await?;
        changelog::publish(conn, actor, "action.updated", Some(&before), &after).await?;
        let today = crate::domain::calendar::today();
        super::recommendation_status::follow_actions(conn, actor, after.recommendation_ids.clone(), today).await?;
        Ok(record)
    })
    .await
}

/// One page of an action's updates, in the order they were posted (404 when there is
/// no such action).
pub async fn list_updates(
    conn: &mut DbConn,
    action_id: ActionId,
    page: &PageRequest,
) -> Result<(Vec<ProgressUpdateRecord>, Option<Cursor>), ApiError> {
    versioned::find::<ActionRow>(conn, action_id).await?;
    let mut query = action_updates::table
        .left_join(meetings::table)
        .filter(action_updates::action_id.eq(action_id))
        .order(action_updates::id.asc())
        .limit(page.fetch())
        .select((ProgressUpdateRow::as_select(), meetings::is_public.nullable()))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(action_updates::id.gt(ProgressUpdateId(after.id)));
    }
    let rows: Vec<(ProgressUpdateRow, Option<bool>)> = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |(row, _)| Cursor::by_id(row.id.0));
    Ok((
        rows.into_iter()
            .map(|(row, meeting_is_public)| ProgressUpdateRecord { row, meeting_is_public })
            .collect(),
        next,
    ))
}
