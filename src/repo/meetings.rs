//! Meetings.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::organisations::require_exists;
use super::question_rules::{self, PanelRules};
use super::versioned::{self, Versioned as _};
use crate::db::schema::meetings;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::calendar::{uk_offset_at, Unvouched};
use crate::domain::meeting::{self, MeetingChanges, MeetingId, MeetingKind, NewMeeting};
use crate::domain::organisation::OrganisationId;
use crate::domain::question_rules::QuestionRules;
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A meeting as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = meetings, check_for_backend(diesel::pg::Pg))]
pub struct MeetingRow {
    pub id: MeetingId,
    pub organisation_id: OrganisationId,
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The instant from which public questions are late, under the panel's rules when
    /// the meeting was scheduled or last moved (or the panel last changed its rules
    /// before it was held); none for a meeting that takes no public questions.
    pub question_deadline: Option<DateTime<Utc>>,
}

crate::logged_row!(MeetingRow, "meeting", |row| row.id.0);
crate::versioned_row!(MeetingRow, "meeting", meetings, MeetingId);

impl MeetingRow {
    /// The last day on which public questions for this meeting may arrive (London
    /// time), under `rules`, and the instant from which they are late: none for a
    /// meeting that takes no public questions (only panel meetings do). The instant
    /// stored in [`MeetingRow::question_deadline`] is the one that counts; this gives
    /// the day to quote beside it.
    pub fn deadline_day(&self, rules: &QuestionRules) -> Result<Option<(NaiveDate, DateTime<Utc>)>, Unvouched> {
        meeting::question_deadline(self.kind, self.held_on, rules)
    }
}

/// The question deadline of a meeting of `kind` on `held_on` of `organisation`, under
/// that panel's rules: a 422 naming `held_on` when it would be a panel meeting whose
/// deadline the calendar cannot vouch for.
async fn deadline_for(
    conn: &mut DbConn,
    organisation: OrganisationId,
    kind: MeetingKind,
    held_on: NaiveDate,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    if kind != MeetingKind::PanelMeeting {
        return Ok(None);
    }
    let rules = question_rules::governing(conn, organisation).await?;
    meeting::require_known_deadline(kind, held_on, &rules).map_err(|e| ApiError::validation(vec![e]))
}

#[derive(Insertable)]
#[diesel(table_name = meetings)]
struct NewMeetingRow<'a> {
    id: MeetingId,
    organisation_id: OrganisationId,
    kind: MeetingKind,
    title: &'a str,
    held_on: NaiveDate,
    is_public: bool,
    question_deadline: Option<DateTime<Utc>>,
}

#[derive(AsChangeset)]
#[diesel(table_name = meetings)]
struct MeetingChangesRow<'a> {
    organisation_id: Option<OrganisationId>,
    kind: Option<MeetingKind>,
    title: Option<&'a str>,
    held_on: Option<NaiveDate>,
    is_public: Option<bool>,
    question_deadline: Option<Option<DateTime<Utc>>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct MeetingFilter {
    pub organisation_id: Option<OrganisationId>,
    pub kind: Option<MeetingKind>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    pub is_public: Option<bool>,
    /// Whether meetings that are not public are included (staff views).
    pub include_private: bool,
}

pub async fn insert(conn: &mut DbConn, actor: &Actor, new: &NewMeeting) -> Result<MeetingRow, ApiError> {
    conn.transaction(async |conn| {
        require_exists(conn, new.organisation_id, "organisation_id").await?;
        let question_deadline = deadline_for(conn, new.organisation_id, new.kind, new.held_on).await?;
        let row: MeetingRow = diesel::insert_into(meetings::table)
            .values(NewMeetingRow {
                id: MeetingId::generate(),
                organisation_id: new.organisation_id,
                kind: new.kind,
                title: new.title.as_str(),
                held_on: new.held_on,
                is_public: new.is_public,
                question_deadline,
            })
            .returning(MeetingRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "meeting.created", None, &row).await?;
        Ok(row)
    })
    .await
}

/// The meeting `id`; a meeting that is not public is not found unless
/// `include_private`.
pub async fn find(conn: &mut DbConn, id: MeetingId, include_private: bool) -> Result<MeetingRow, ApiError> {
    versioned::get(conn, id)
        .await?
        .filter(|row: &MeetingRow| row.is_public || include_private)
        .ok_or_else(|| versioned::not_found::<MeetingRow>(id))
}

/// One page of meetings, earliest first (by date, then id).
pub async fn list(
    conn: &mut DbConn,
    filter: &MeetingFilter,
    page: &PageRequest,
) -> Result<(Vec<MeetingRow>, Option<Cursor>), ApiError> {
    let mut query = meetings::table
        .select(MeetingRow::as_select())
        .order((meetings::held_on.asc(), meetings::id.asc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(super::keyset_after(
            "meetings.held_on, meetings.id",
            super::Direction::Ascending,
            after,
        )?);
    }
    if !filter.include_private {
        query = query.filter(meetings::is_public.eq(true));
    }
    if let Some(organisation) = filter.organisation_id {
        query = query.filter(meetings::organisation_id.eq(organisation));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(meetings::kind.eq(kind));
    }
    query = super::dated_within(query, meetings::held_on, filter.held_from, filter.held_to);
    if let Some(is_public) = filter.is_public {
        query = query.filter(meetings::is_public.eq(is_public));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_date(row.held_on, row.id.0)))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: MeetingId,
    if_match: &IfMatch,
    changes: &MeetingChanges,
) -> Result<MeetingRow, ApiError> {
    conn.transaction(async |conn| {
        let before: MeetingRow = versioned::lock(conn, id, if_match).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        if let Some(organisation) = changes.organisation_id {
            require_exists(conn, organisation, "organisation_id").await?;
        }
        let question_deadline =
            if changes.kind.is_some() || changes.held_on.is_some() || changes.organisation_id.is_some() {
                Some(
                    deadline_for(
                        conn,
                        changes.organisation_id.unwrap_or(before.organisation_id),
                        changes.kind.unwrap_or(before.kind),
                        changes.held_on.unwrap_or(before.held_on),
                    )
                    .await?,
                )
            } else {
                None
            };
        let after: MeetingRow = diesel::update(meetings::table.find(id))
            .set(MeetingChangesRow {
                organisation_id: changes.organisation_id,
                kind: changes.kind,
                title: changes.title.as_ref().map(|t| t.as_str()),
                held_on: changes.held_on,
                is_public: changes.is_public,
                question_deadline,
                updated_at: Utc::now(),
                version: before.next_version(),
            })
            .returning(MeetingRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "meeting.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}

/// Replaces panel `panel`'s rules for public questions with `rules` if the caller's
/// `If-Match` (if any) names their current version (412 otherwise; 404 for an
/// organisation that is not a panel), with its audit record, and gives every panel
/// meeting of the panel held today or later (London time) the deadline the new rules
/// give it, as a change to that meeting (new version, audit record, event). A meeting
/// already held keeps the deadline it had, and so does one whose new deadline the
/// calendar cannot vouch for (only possible for one stored before such meetings were
/// refused).
pub async fn apply_question_rules(
    conn: &mut DbConn,
    actor: &Actor,
    panel: OrganisationId,
    if_match: &IfMatch,
    rules: &QuestionRules,
) -> Result<PanelRules, ApiError> {
    conn.transaction(async |conn| {
        let (stored, changed) = question_rules::store(conn, actor, panel, if_match, rules).await?;
        if !changed {
            return Ok(stored);
        }
        let now = Utc::now();
        let today = now.with_timezone(&uk_offset_at(now)).date_naive();
        let coming: Vec<MeetingRow> = meetings::table
            .filter(meetings::organisation_id.eq(panel))
            .filter(meetings::kind.eq(MeetingKind::PanelMeeting))
            .filter(meetings::held_on.ge(today))
            .select(MeetingRow::as_select())
            .for_update()
            .load(conn)
            .await?;
        for before in coming {
            let Ok(deadline) = meeting::require_known_deadline(before.kind, before.held_on, rules) else {
                continue;
            };
            if deadline == before.question_deadline {
                continue;
            }
            let after: MeetingRow = diesel::update(meetings::table.find(before.id))
                .set((
                    meetings::question_deadline.eq(deadline),
                    meetings::updated_at.eq(now),
                    meetings::version.eq(before.next_version()),
                ))
                .returning(MeetingRow::as_returning())
                .get_result(conn)
                .await?;
            changelog::publish(conn, actor, "meeting.updated", Some(&before), &after).await?;
        }
        Ok(stored)
    })
    .await
}
