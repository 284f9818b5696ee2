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
    /// Whether the meeting was cancelled: kept, so the public sees it was, with no
    /// question deadline.
    pub cancelled: bool,
    /// The ModernGov site it came from (`scrutiny sync-meetings`), if any.
    pub moderngov_url: Option<String>,
    /// Its id on that ModernGov site.
    pub moderngov_meeting_id: Option<i64>,
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

/// What has been recorded as happening at meeting `id` (a verbal answer given there, a
/// supplementary question asked there), described for a 409, or `None`. Such a
/// meeting's date, kind, organisation and cancellation are part of that record: a
/// verbal answer is dated the day of its meeting, a supplementary is asked on it.
async fn recorded_at(conn: &mut DbConn, id: MeetingId) -> Result<Option<String>, ApiError> {
    use crate::db::schema::{questions, responses};
    use crate::domain::question::{QuestionStatus, ResponseKind};
    let verbal: Option<uuid::Uuid> = responses::table
        .filter(responses::meeting_id.eq(id))
        .filter(responses::kind.eq(ResponseKind::Verbal))
        .select(responses::id)
        .first(conn)
        .await
        .optional()?;
    if let Some(response) = verbal {
        return Ok(Some(format!("a verbal answer was given there (response {response})")));
    }
    let supplementary: Option<String> = questions::table
        .filter(questions::meeting_id.eq(id))
        .filter(questions::parent_question_id.is_not_null())
        .filter(questions::status.ne_all([QuestionStatus::Rejected, QuestionStatus::Withdrawn]))
        .select(questions::reference)
        .first(conn)
        .await
        .optional()?;
    Ok(supplementary.map(|reference| format!("a supplementary question was asked there ({reference})")))
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
        let question_deadline = if before.cancelled {
            None
        } else if changes.kind.is_some() || changes.held_on.is_some() || changes.organisation_id.is_some() {
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
        // Checked after the new values (a 422 for a bad date comes first).
        let moved = changes.held_on.is_some_and(|on| on != before.held_on)
            || changes.kind.is_some_and(|kind| kind != before.kind)
            || changes.organisation_id.is_some_and(|org| org != before.organisation_id);
        if moved {
            if let Some(reason) = recorded_at(conn, id).await? {
                return Err(ApiError::conflict(format!(
                    "The meeting's date, kind and organisation are on the record: {reason}"
                )));
            }
        }
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
            .filter(meetings::cancelled.eq(false))
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

/// A meeting as a council's ModernGov lists it, for [`sync_moderngov`].
#[derive(Debug, Clone)]
pub struct ListedMeeting {
    /// ModernGov's meeting id.
    pub moderngov_meeting_id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub cancelled: bool,
}

/// What [`sync_moderngov`] did (or, in a dry run, would do) with one listed meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    Created,
    /// Changed: `changes` says what (`held_on 2024-01-08 -> 2024-01-15`, …).
    Updated,
    Unchanged,
    /// Newly marked cancelled (created as cancelled, or cancelled since the last sync).
    Cancelled,
    /// Not stored: `reason` says why.
    Skipped,
}

/// One line of the sync's report.
#[derive(Debug, Clone, Serialize)]
pub struct SyncLine {
    pub moderngov_meeting_id: String,
    pub outcome: SyncOutcome,
    pub meeting_id: Option<MeetingId>,
    pub held_on: Option<NaiveDate>,
    pub title: String,
    /// What changed, for `updated` and `cancelled`; why, for `skipped`.
    pub detail: Vec<String>,
}

enum SyncAbort {
    Failed(ApiError),
    DryRun(Vec<SyncLine>),
}

impl From<diesel::result::Error> for SyncAbort {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ApiError> for SyncAbort {
    fn from(error: ApiError) -> Self {
        Self::Failed(error)
    }
}

/// Creates or updates panel `panel`'s meetings from the meetings ModernGov at `site`
/// lists, matched by ModernGov's meeting id, in one transaction (all or nothing): a
/// new one becomes a public panel meeting with its question deadline under the
/// panel's rules; a moved one gets the deadline of its new date; a cancelled one is
/// marked cancelled and has no deadline (never deleted); one that is no longer
/// cancelled gets its deadline back. A meeting with a date outside the supported
/// years, or whose deadline the calendar cannot vouch for, is skipped with the reason.
/// Each change is audited and published like any other. With `dry_run`, everything
/// is worked out the same way and rolled back.
pub async fn sync_moderngov(
    conn: &mut DbConn,
    actor: &Actor,
    panel: OrganisationId,
    site: &str,
    listed: &[ListedMeeting],
    dry_run: bool,
) -> Result<Vec<SyncLine>, ApiError> {
    let result = conn
        .transaction(async |conn| {
            let organisation = super::organisations::find(conn, panel).await?;
            if organisation.kind != crate::domain::organisation::OrganisationKind::Panel {
                return Err(SyncAbort::Failed(ApiError::validation(vec![
                    crate::error::FieldError::new(
                        "panel",
                        format!("{} is a {}, not a panel", organisation.name, organisation.kind.as_str()),
                    ),
                ])));
            }
            let rules = question_rules::governing(conn, panel).await?;
            let mut lines = Vec::new();
            for meeting in listed {
                lines.push(sync_one(conn, actor, panel, site, &rules, meeting).await?);
            }
            if dry_run {
                Err(SyncAbort::DryRun(lines))
            } else {
                Ok(lines)
            }
        })
        .await;
    match result {
        Ok(lines) | Err(SyncAbort::DryRun(lines)) => Ok(lines),
        Err(SyncAbort::Failed(error)) => Err(error),
    }
}

async fn sync_one(
    conn: &mut DbConn,
    actor: &Actor,
    panel: OrganisationId,
    site: &str,
    rules: &QuestionRules,
    listed: &ListedMeeting,
) -> Result<SyncLine, SyncAbort> {
    let mut line = SyncLine {
        moderngov_meeting_id: listed.moderngov_meeting_id.to_string(),
        outcome: SyncOutcome::Skipped,
        meeting_id: None,
        held_on: Some(listed.held_on),
        title: listed.title.clone(),
        detail: vec![],
    };
    let skip = |mut line: SyncLine, reason: String| {
        line.detail.push(reason);
        Ok(line)
    };
    if let Err(error) = meeting::parse_held_on("held_on", listed.held_on) {
        return skip(line, format!("held on {}: {}", listed.held_on, error.message));
    }
    let title = match crate::domain::text::Title::parse("title", &listed.title) {
        Ok(title) => title,
        Err(error) => return skip(line, format!("its title {}", error.message)),
    };
    let deadline = if listed.cancelled {
        None
    } else {
        match meeting::require_known_deadline(MeetingKind::PanelMeeting, listed.held_on, rules) {
            Ok(deadline) => deadline,
            Err(error) => return skip(line, error.message),
        }
    };
    let existing: Option<MeetingRow> = meetings::table
        .filter(meetings::moderngov_url.eq(site))
        .filter(meetings::moderngov_meeting_id.eq(listed.moderngov_meeting_id))
        .select(MeetingRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(before) = existing else {
        let row: MeetingRow = diesel::insert_into(meetings::table)
            .values((
                NewMeetingRow {
                    id: MeetingId::generate(),
                    organisation_id: panel,
                    kind: MeetingKind::PanelMeeting,
                    title: title.as_str(),
                    held_on: listed.held_on,
                    is_public: true,
                    question_deadline: deadline,
                },
                meetings::cancelled.eq(listed.cancelled),
                meetings::moderngov_url.eq(site),
                meetings::moderngov_meeting_id.eq(listed.moderngov_meeting_id),
            ))
            .returning(MeetingRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "meeting.created", None, &row).await?;
        line.meeting_id = Some(row.id);
        line.outcome = if row.cancelled {
            SyncOutcome::Cancelled
        } else {
            SyncOutcome::Created
        };
        return Ok(line);
    };
    line.meeting_id = Some(before.id);
    if before.organisation_id != panel {
        return skip(
            line,
            format!(
                "ModernGov meeting {} is already meeting {} of another organisation",
                listed.moderngov_meeting_id, before.id
            ),
        );
    }
    if before.title != title.as_str() {
        line.detail
            .push(format!("title {:?} -> {:?}", before.title, title.as_str()));
    }
    if before.held_on != listed.held_on {
        line.detail
            .push(format!("held_on {} -> {}", before.held_on, listed.held_on));
    }
    if before.cancelled != listed.cancelled {
        line.detail.push(if listed.cancelled {
            "cancelled".to_string()
        } else {
            "no longer cancelled".to_string()
        });
    }
    if before.question_deadline != deadline {
        let show = |d: Option<DateTime<Utc>>| d.map_or("none".to_string(), |d| d.to_rfc3339());
        line.detail.push(format!(
            "question_deadline {} -> {}",
            show(before.question_deadline),
            show(deadline)
        ));
    }
    if line.detail.is_empty() {
        line.outcome = SyncOutcome::Unchanged;
        return Ok(line);
    }
    if before.held_on != listed.held_on || (listed.cancelled && !before.cancelled) {
        if let Some(reason) = recorded_at(conn, before.id).await? {
            line.detail.clear();
            return skip(
                line,
                format!("its date and cancellation are on the record, and stay as they are: {reason}"),
            );
        }
    }
    let after: MeetingRow = diesel::update(meetings::table.find(before.id))
        .set((
            meetings::title.eq(title.as_str()),
            meetings::held_on.eq(listed.held_on),
            meetings::cancelled.eq(listed.cancelled),
            meetings::question_deadline.eq(deadline),
            meetings::updated_at.eq(Utc::now()),
            meetings::version.eq(before.next_version()),
        ))
        .returning(MeetingRow::as_returning())
        .get_result(conn)
        .await?;
    changelog::publish(conn, actor, "meeting.updated", Some(&before), &after).await?;
    line.outcome = if after.cancelled && !before.cancelled {
        SyncOutcome::Cancelled
    } else {
        SyncOutcome::Updated
    };
    Ok(line)
}
