//! Meetings.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::organisations::require_exists;
use super::versioned::{self, Versioned as _};
use crate::db::schema::meetings;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::calendar::Unvouched;
use crate::domain::meeting::{self, MeetingChanges, MeetingId, MeetingKind, NewMeeting};
use crate::domain::organisation::OrganisationId;
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
}

crate::logged_row!(MeetingRow, "meeting", |row| row.id.0);
crate::versioned_row!(MeetingRow, "meeting", meetings, MeetingId);

impl MeetingRow {
    /// The last day on which public questions for this meeting may arrive (London
    /// time) and the instant from which they are late: none for a meeting that takes no
    /// public questions (only panel meetings do), [`Unvouched`] for a panel meeting
    /// whose deadline the calendar cannot work out (one stored before such meetings
    /// were refused).
    pub fn question_deadline(&self) -> Result<Option<(NaiveDate, DateTime<Utc>)>, Unvouched> {
        meeting::question_deadline(self.kind, self.held_on)
    }
}

/// A 422 naming `held_on` unless a meeting of `kind` on `held_on` has a question
/// deadline the calendar vouches for, when it needs one.
fn require_known_deadline(kind: MeetingKind, held_on: NaiveDate) -> Result<(), ApiError> {
    meeting::require_known_deadline(kind, held_on).map_err(|e| ApiError::validation(vec![e]))
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
}

#[derive(AsChangeset)]
#[diesel(table_name = meetings)]
struct MeetingChangesRow<'a> {
    organisation_id: Option<OrganisationId>,
    kind: Option<MeetingKind>,
    title: Option<&'a str>,
    held_on: Option<NaiveDate>,
    is_public: Option<bool>,
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
    require_known_deadline(new.kind, new.held_on)?;
    conn.transaction(async |conn| {
        require_exists(conn, new.organisation_id, "organisation_id").await?;
        let row: MeetingRow = diesel::insert_into(meetings::table)
            .values(NewMeetingRow {
                id: MeetingId::generate(),
                organisation_id: new.organisation_id,
                kind: new.kind,
                title: new.title.as_str(),
                held_on: new.held_on,
                is_public: new.is_public,
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
        if changes.kind.is_some() || changes.held_on.is_some() {
            require_known_deadline(
                changes.kind.unwrap_or(before.kind),
                changes.held_on.unwrap_or(before.held_on),
            )?;
        }
        if let Some(organisation) = changes.organisation_id {
            require_exists(conn, organisation, "organisation_id").await?;
        }
        let after: MeetingRow = diesel::update(meetings::table.find(id))
            .set(MeetingChangesRow {
                organisation_id: changes.organisation_id,
                kind: changes.kind,
                title: changes.title.as_ref().map(|t| t.as_str()),
                held_on: changes.held_on,
                is_public: changes.is_public,
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
