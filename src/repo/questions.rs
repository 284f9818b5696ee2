//! Questions, their references and their state changes.
//!
//! A questioner's contact details are personal data: [`QuestionRow`] never serialises
//! them, so the audit log's snapshots (which serialise rows) cannot leak them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::meetings::MeetingRow;
use super::question_rules;
use super::rate_limits::{self, Limit};
use super::versioned::{self, Versioned as _};
use crate::db::schema::{question_recommendations, question_reference_counters, questions, recommendations, responses};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::auth::UserId;
use crate::domain::meeting::{MeetingId, MeetingKind};
use crate::domain::organisation::OrganisationId;
pub use crate::domain::question::Permit;
use crate::domain::question::{
    in_time, reference, AskerContact, AskerKind, FollowUpFilter, Grounds, NewQuestion, NewSupplementary,
    QuestionChanges, QuestionId, QuestionStatus, ReferralCode, RejectionCode, ResponseKind, ResponseStatus, Topic,
    MAX_SUPPLEMENTARIES,
};
use crate::domain::question_rules::{Addressee, QuestionRules};
use crate::domain::report::RecommendationId;
use crate::domain::version::{ETag, IfMatch};
use crate::domain::Changes as _;
use crate::domain::FieldResult;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A question as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = questions, check_for_backend(diesel::pg::Pg))]
pub struct QuestionRow {
    pub id: QuestionId,
    pub reference: String,
    pub status: QuestionStatus,
    pub asker_kind: AskerKind,
    pub asker_display_name: String,
    /// Personal data: never serialised, so never in an audit snapshot.
    #[serde(skip)]
    pub asker_contact: Option<serde_json::Value>,
    pub asker_user_id: Option<UserId>,
    pub title: String,
    pub body: String,
    pub topics: Vec<String>,
    pub asked_on: NaiveDate,
    pub meeting_id: Option<MeetingId>,
    pub parent_question_id: Option<QuestionId>,
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub source_name: Option<String>,
    pub source_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub addressed_to: Addressee,
    pub rejection_reason_code: Option<RejectionCode>,
    pub referred_to_organisation_id: Option<OrganisationId>,
    pub referral_reason_code: Option<ReferralCode>,
    pub referral_reason: Option<String>,
    pub referred_at: Option<DateTime<Utc>>,
}

impl QuestionRow {
    /// The stored contact details, if any.
    pub fn contact(&self) -> Result<Option<AskerContact>, ApiError> {
        self.asker_contact
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("stored asker_contact is unreadable")))
    }
}

crate::versioned_row!(QuestionRow, "question", questions, QuestionId);

/// A question with the recommendations it concerns.
#[derive(Debug, Clone)]
pub struct QuestionRecord {
    pub row: QuestionRow,
    pub recommendation_ids: Vec<RecommendationId>,
}

impl changelog::Logged for QuestionRecord {
    const RESOURCE_TYPE: &'static str = "question";

    fn resource_id(&self) -> uuid::Uuid {
        self.row.id.0
    }

    fn audit_snapshot(&self) -> impl serde::Serialize + '_ {
        self.snapshot()
    }
}

/// What the audit log keeps of a question: the row (without contact details) and the
/// recommendations it concerns, and only whether contact details are held.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    row: &'a QuestionRow,
    recommendation_ids: &'a [RecommendationId],
    has_asker_contact: bool,
}

impl QuestionRecord {
    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            row: &self.row,
            recommendation_ids: &self.recommendation_ids,
            has_asker_contact: self.row.asker_contact.is_some(),
        }
    }
}

/// How a question is being submitted: when, by whom and under what limit.
#[derive(Debug)]
pub struct Submission {
    /// When the question arrived, checked against its meeting's question deadline;
    /// `None` for a question the meeting itself took (one recorded from its minutes),
    /// which no deadline applies to.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Whether the submitter may see meetings and questions that are not public (so
    /// may name them as the meeting or the parent).
    pub sees_unpublished: bool,
    /// A rate limit to count this submission against, and the key to count it under.
    pub rate_limit: Option<(Limit, String)>,
}

#[derive(Insertable)]
#[diesel(table_name = questions)]
struct NewQuestionRow<'a> {
    id: QuestionId,
    reference: &'a str,
    status: QuestionStatus,
    asker_kind: AskerKind,
    asker_display_name: &'a str,
    asker_contact: Option<serde_json::Value>,
    asker_user_id: Option<UserId>,
    title: &'a str,
    body: &'a str,
    topics: Vec<&'a str>,
    asked_on: NaiveDate,
    meeting_id: Option<MeetingId>,
    parent_question_id: Option<QuestionId>,
    addressed_to: Addressee,
    published_at: Option<DateTime<Utc>>,
    source_name: Option<&'a str>,
    source_hash: Option<&'a str>,
}

#[derive(AsChangeset)]
#[diesel(table_name = questions)]
struct QuestionChangesRow<'a> {
    title: Option<&'a str>,
    body: Option<&'a str>,
    topics: Option<Vec<&'a str>>,
    meeting_id: Option<Option<MeetingId>>,
    asker_contact: Option<Option<serde_json::Value>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

fn to_json(contact: &AskerContact) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(contact).map_err(|e| ApiError::Internal(e.into()))
}

/// Creates a question, with the next reference of its year, in one transaction with
/// its audit record (and the count against the submitter's rate limit, if any).
pub async fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewQuestion,
    submission: &Submission,
) -> Result<QuestionRecord, ApiError> {
    let contact = new.asker_contact.as_ref().map(to_json).transpose()?;
    conn.transaction(async |conn| {
        if let Some((limit, key)) = &submission.rate_limit {
            rate_limits::acquire(conn, limit, key).await?;
        }
        if let Some(meeting_id) = new.meeting_id {
            let (meeting, rules) = meeting_for_question(conn, meeting_id, submission.sees_unpublished).await?;
            if let Some(submitted_at) = submission.submitted_at {
                require_in_time(&meeting, &rules, submitted_at)?;
            }
            require_within_rules(conn, &meeting, &rules, new).await?;
        }
        if let Some(parent) = new.parent_question_id {
            require_question_exists(conn, parent, submission.sees_unpublished, "parent_question_id").await?;
        }
        require_recommendations_exist(conn, &new.recommendation_ids, "recommendation_ids").await?;
        let number = next_reference_number(conn, new.asked_on).await?;
        let row: QuestionRow = diesel::insert_into(questions::table)
            .values(NewQuestionRow {
                id: QuestionId::generate(),
                reference: &reference(new.asked_on, number),
                status: QuestionStatus::Submitted,
                asker_kind: new.asker_kind,
                asker_display_name: new.asker_display_name.as_str(),
                asker_contact: contact,
                asker_user_id: new.asker_user_id,
                title: new.title.as_str(),
                body: new.body.as_str(),
                topics: new.topics.iter().map(Topic::as_str).collect(),
                asked_on: new.asked_on,
                meeting_id: new.meeting_id,
                parent_question_id: new.parent_question_id,
                addressed_to: new.addressed_to,
                published_at: None,
                source_name: None,
                source_hash: None,
            })
            .returning(QuestionRow::as_returning())
            .get_result(conn)
            .await?;
        link_recommendations(conn, row.id, &new.recommendation_ids).await?;
        let record = QuestionRecord {
            row,
            recommendation_ids: new.recommendation_ids.clone(),
        };
        changelog::publish(conn, actor, "question.created", None, &record).await?;
        Ok(record)
    })
    .await
}

/// Records a supplementary question to question `original_id`, asked at a meeting and
/// recorded there by the secretariat: public at once (`accepted`, as its original is),
/// with the next reference of its meeting's year, in one transaction with its audit
/// record and feed event, `question.supplementary_recorded`.
///
/// The original must be public and not itself a supplementary (409); the meeting (the
/// original's, or the one it was answered at verbally, when none is given, and it must
/// be that one when there is one) must be a panel meeting already held, on or after the
/// day the original was asked ([`meeting_question_was_put_at`]; 422 naming
/// `meeting_id`), whose panel's rules allow supplementaries, at most [`MAX_SUPPLEMENTARIES`] to a question (422
/// quoting the rule). The original is locked, so two supplementaries recorded at once
/// cannot both be the one allowed.
pub async fn insert_supplementary(
    conn: &mut DbConn,
    actor: &Actor,
    original_id: QuestionId,
    new: &NewSupplementary,
) -> Result<QuestionRecord, ApiError> {
    conn.transaction(async |conn| {
        let original = lock(conn, original_id).await?;
        if !original.status.is_public() {
            return Err(ApiError::illegal_transition(
                format!(
                    "The question is {}: a supplementary is asked only to a question put at a meeting (accepted, answered or referred)",
                    original.status
                ),
                original.status.as_str(),
            ));
        }
        if let Some(parent) = original.parent_question_id {
            return Err(ApiError::illegal_transition(
                format!("The question is itself a supplementary (to {parent}): ask the supplementary to the original"),
                original.status.as_str(),
            ));
        }
        // Asked at the meeting where the original was put, or answered.
        let put_to = match original.meeting_id {
            Some(put_to) => Some(put_to),
            None => responses::table
                .filter(responses::question_id.eq(original_id))
                .filter(responses::kind.eq(ResponseKind::Verbal))
                .select(responses::meeting_id)
                .order(responses::id)
                .first::<Option<MeetingId>>(conn)
                .await
                .optional()?
                .flatten(),
        };
        let meeting_id = match (new.meeting_id, put_to) {
            (Some(given), Some(put_to)) if given != put_to => {
                return Err(ApiError::invalid(
                    "meeting_id",
                    format!("the original question was put to (or answered at) meeting {put_to}: a supplementary is asked at that meeting"),
                ))
            }
            (Some(given), _) => given,
            (None, Some(put_to)) => put_to,
            (None, None) => {
                return Err(ApiError::invalid(
                    "meeting_id",
                    "is required: the original question names no meeting, so say which meeting the supplementary was asked at",
                ))
            }
        };
        let meeting = meeting_question_was_put_at(conn, &original, meeting_id, "a supplementary").await?;
        let rules = question_rules::governing(conn, meeting.organisation_id).await?;
        if !rules.supplementary_questions {
            return Err(ApiError::invalid(
                "meeting_id",
                "this panel's rules of procedure do not allow supplementary questions (supplementary_questions is false)",
            ));
        }
        let earlier: Vec<String> = questions::table
            .filter(questions::parent_question_id.eq(original_id))
            .filter(questions::status.ne_all([QuestionStatus::Rejected, QuestionStatus::Withdrawn]))
            .select(questions::reference)
            .order(questions::id)
            .load(conn)
            .await?;
        if earlier.len() as i64 >= MAX_SUPPLEMENTARIES {
            return Err(ApiError::invalid(
                "meeting_id",
                format!(
                    "this panel's rules of procedure allow one supplementary question to each question; {} already has one ({})",
                    original.reference,
                    earlier.join(", ")
                ),
            ));
        }
        let number = next_reference_number(conn, meeting.held_on).await?;
        let default_title = format!("Supplementary to {}", original.reference);
        let row: QuestionRow = diesel::insert_into(questions::table)
            .values(NewQuestionRow {
                id: QuestionId::generate(),
                reference: &reference(meeting.held_on, number),
                status: QuestionStatus::Accepted,
                asker_kind: original.asker_kind,
                asker_display_name: new
                    .asker_display_name
                    .as_ref()
                    .map_or(original.asker_display_name.as_str(), |n| n.as_str()),
                asker_contact: None,
                asker_user_id: original.asker_user_id,
                title: new.title.as_ref().map_or(default_title.as_str(), |t| t.as_str()),
                body: new.body.as_str(),
                topics: original.topics.iter().map(String::as_str).collect(),
                asked_on: meeting.held_on,
                meeting_id: Some(meeting.id),
                parent_question_id: Some(original_id),
                addressed_to: original.addressed_to,
                published_at: Some(Utc::now()),
                source_name: None,
                source_hash: None,
            })
            .returning(QuestionRow::as_returning())
            .get_result(conn)
            .await?;
        let record = QuestionRecord {
            row,
            recommendation_ids: Vec::new(),
        };
        changelog::publish(conn, actor, "question.supplementary_recorded", None, &record).await?;
        Ok(record)
    })
    .await
}

/// The supplementary questions to question `id`, in the order they were recorded:
/// only the public ones unless `sees_unpublished`.
pub async fn supplementaries_of(
    conn: &mut DbConn,
    id: QuestionId,
    sees_unpublished: bool,
) -> Result<Vec<QuestionId>, ApiError> {
    Ok(
        diesel::select(question_supplementary_ids(id, visible_statuses(sees_unpublished)))
            .get_result(conn)
            .await?,
    )
}

/// Where an imported question came from: the document's file name and the hash of its
/// text (see [`crate::import::ParsedDocument::content_hash`]), which is unique.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub hash: &'a str,
}

/// Marks `id` as the question of the published document `source`, so that importing
/// that document later finds it instead of creating a second question (the demo story's
/// question is such a document). Changes nothing when another question already has it.
pub async fn record_source(conn: &mut DbConn, id: QuestionId, source: Source<'_>) -> Result<(), ApiError> {
    if find_by_source_hash(conn, source.hash).await?.is_some() {
        return Ok(());
    }
    diesel::update(questions::table.find(id))
        .set((
            questions::source_name.eq(source.name),
            questions::source_hash.eq(source.hash),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The question imported from a document whose text hashes to `hash`, if any.
pub async fn find_by_source_hash(conn: &mut DbConn, hash: &str) -> Result<Option<QuestionRow>, ApiError> {
    Ok(questions::table
        .filter(questions::source_hash.eq(hash))
        .select(QuestionRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Creates a question imported from a published document, inside the caller's
/// transaction: already `answered` (its response is published with it) and public
/// since `published_at`, with the next reference of its year and its audit record,
/// `question.imported`. Only what a published document can say is taken from `new`
/// (the asker, title, body, topics and date): the service never held the questioner's
/// contact details, and a document names no meeting, parent or recommendation.
///
/// Returns `None`, having created nothing, when a question from the same document
/// already exists: `source_hash` is unique, so of two imports of one document racing
/// each other only one can create it. The caller must then roll back, to give the
/// reference number it took back.
pub(super) async fn insert_imported(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewQuestion,
    source: Source<'_>,
    published_at: DateTime<Utc>,
) -> Result<Option<QuestionRecord>, ApiError> {
    let number = next_reference_number(conn, new.asked_on).await?;
    let row: Option<QuestionRow> = diesel::insert_into(questions::table)
        .values(NewQuestionRow {
            id: QuestionId::generate(),
            reference: &reference(new.asked_on, number),
            status: QuestionStatus::Answered,
            asker_kind: new.asker_kind,
            asker_display_name: new.asker_display_name.as_str(),
            asker_contact: None,
            asker_user_id: None,
            title: new.title.as_str(),
            body: new.body.as_str(),
            topics: new.topics.iter().map(Topic::as_str).collect(),
            asked_on: new.asked_on,
            meeting_id: None,
            parent_question_id: None,
            addressed_to: new.addressed_to,
            published_at: Some(published_at),
            source_name: Some(source.name),
            source_hash: Some(source.hash),
        })
        .on_conflict(questions::source_hash)
        .do_nothing()
        .returning(QuestionRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    let Some(row) = row else {
        return Ok(None);
    };
    let record = QuestionRecord {
        row,
        recommendation_ids: Vec::new(),
    };
    changelog::publish(conn, actor, "question.imported", None, &record).await?;
    Ok(Some(record))
}

/// The next number in `asked_on`'s year. The upsert locks the year's counter row until
/// the transaction ends, so concurrent submissions queue for it and get consecutive
/// numbers, and a transaction that rolls back gives its number back.
async fn next_reference_number(conn: &mut DbConn, asked_on: NaiveDate) -> Result<i32, ApiError> {
    use chrono::Datelike;
    use question_reference_counters::dsl::{last_value, year};
    Ok(diesel::insert_into(question_reference_counters::table)
        .values((year.eq(asked_on.year()), last_value.eq(1)))
        .on_conflict(year)
        .do_update()
        .set(last_value.eq(last_value + 1))
        .returning(last_value)
        .get_result(conn)
        .await?)
}

/// The meeting a question is put to, and the rules of its panel: it must exist (and be
/// visible to the caller), and be a panel meeting, the only kind that takes questions.
/// A 422 naming `meeting_id` otherwise.
async fn meeting_for_question(
    conn: &mut DbConn,
    id: MeetingId,
    sees_unpublished: bool,
) -> Result<(MeetingRow, QuestionRules), ApiError> {
    let meeting: MeetingRow = versioned::get(conn, id)
        .await?
        .filter(|m: &MeetingRow| m.is_public || sees_unpublished)
        .ok_or_else(|| ApiError::invalid("meeting_id", format!("no meeting has id {id}")))?;
    if meeting.kind != MeetingKind::PanelMeeting {
        return Err(ApiError::invalid(
            "meeting_id",
            format!(
                "the meeting is a {}; questions can only be put to a panel_meeting",
                meeting.kind
            ),
        ));
    }
    let rules = question_rules::governing(conn, meeting.organisation_id).await?;
    Ok((meeting, rules))
}

/// The meeting `id` at which something happened to question `question` (a verbal
/// answer was given there, a supplementary asked there), as `what` names it: a 422
/// naming `meeting_id` unless it is a meeting at which the question was put. That is
/// the question's own meeting when it has one; otherwise any panel meeting (whose
/// panel's rules take questions to the question's addressee) held on or after the day
/// the question was asked. Either way the meeting must have been held (on or before
/// today, London: from its day on a meeting counts as held) and not cancelled.
pub(super) async fn meeting_question_was_put_at(
    conn: &mut DbConn,
    question: &QuestionRow,
    id: MeetingId,
    what: &str,
) -> Result<MeetingRow, ApiError> {
    let field = "meeting_id";
    if let Some(put_to) = question.meeting_id {
        if put_to != id {
            return Err(ApiError::invalid(
                field,
                format!(
                    "question {} was put to meeting {put_to}: {what} is recorded against that meeting",
                    question.reference
                ),
            ));
        }
    }
    let (meeting, rules) = meeting_for_question(conn, id, true).await?;
    if meeting.cancelled {
        return Err(ApiError::invalid(
            field,
            format!(
                "the meeting on {} was cancelled: nothing was put to it",
                meeting.held_on
            ),
        ));
    }
    let today = crate::domain::calendar::london_today();
    if !is_held(meeting.held_on, today) {
        return Err(ApiError::invalid(
            field,
            format!(
                "the meeting is held on {}, in the future (today is {today}): record {what} once the meeting has been held",
                meeting.held_on
            ),
        ));
    }
    if question.meeting_id.is_none() {
        if meeting.held_on < question.asked_on {
            return Err(ApiError::invalid(
                field,
                format!(
                    "the meeting was held on {}, before question {} was asked ({}): a question is put at a meeting held on or after the day it was asked",
                    meeting.held_on, question.reference, question.asked_on
                ),
            ));
        }
        rules
            .check_addressee(field, question.addressed_to)
            .map_err(|e| ApiError::validation(vec![e]))?;
    }
    Ok(meeting)
}

/// Why question `row` counts as put at its meeting, so that its meeting is part of
/// the record and it can no longer be withdrawn, rejected or moved to another meeting:
/// it is itself a supplementary (asked at the meeting where it is recorded), a
/// supplementary was asked to it, it has a verbal answer (draft or published) or a
/// published response, or it is public (accepted) for a meeting that has been held
/// (and was not cancelled). `None` when it is none of these. A question still
/// `submitted` was never put, whatever its meeting's date.
pub async fn put_at_meeting(conn: &mut DbConn, row: &QuestionRow) -> Result<Option<String>, ApiError> {
    if let Some(parent) = row.parent_question_id {
        return Ok(Some(format!(
            "it is a supplementary question (to {parent}), asked at the meeting where it was recorded"
        )));
    }
    let supplementary: Option<String> = questions::table
        .filter(questions::parent_question_id.eq(row.id))
        .filter(questions::status.ne_all([QuestionStatus::Rejected, QuestionStatus::Withdrawn]))
        .select(questions::reference)
        .first(conn)
        .await
        .optional()?;
    if let Some(reference) = supplementary {
        return Ok(Some(format!(
            "a supplementary question ({reference}) was asked to it at the meeting"
        )));
    }
    let answered: Option<(crate::domain::question::ResponseId, ResponseKind, ResponseStatus)> = responses::table
        .filter(responses::question_id.eq(row.id))
        .filter(
            responses::kind
                .eq(ResponseKind::Verbal)
                .or(responses::status.eq(ResponseStatus::Published)),
        )
        .select((responses::id, responses::kind, responses::status))
        .order(responses::id)
        .first(conn)
        .await
        .optional()?;
    if let Some((response, kind, status)) = answered {
        return Ok(Some(match kind {
            ResponseKind::Verbal => format!("it was answered at the meeting (verbal response {response}, {status})"),
            ResponseKind::Written => format!("it has a published response ({response})"),
        }));
    }
    if let (true, Some(meeting)) = (row.status.is_public(), row.meeting_id) {
        let (held_on, cancelled): (NaiveDate, bool) = crate::db::schema::meetings::table
            .find(meeting)
            .select((
                crate::db::schema::meetings::held_on,
                crate::db::schema::meetings::cancelled,
            ))
            .first(conn)
            .await?;
        if !cancelled && is_held(held_on, crate::domain::calendar::london_today()) {
            return Ok(Some(format!(
                "it was put at the meeting held on {held_on} (meeting {meeting})"
            )));
        }
    }
    Ok(None)
}

/// Whether meeting `held_on` counts as held on `today`: from its day on (the day a
/// verbal answer or a supplementary may first be recorded there).
pub fn is_held(held_on: NaiveDate, today: NaiveDate) -> bool {
    held_on <= today
}

/// A 422 naming `meeting_id` when a question submitted at `submitted_at` is too late
/// for `meeting`, saying what the deadline was under the panel's `rules`, or when the
/// meeting has no deadline (a panel meeting stored on a date the calendar does not
/// vouch for).
fn require_in_time(meeting: &MeetingRow, rules: &QuestionRules, submitted_at: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(deadline) = meeting.question_deadline else {
        return Err(ApiError::invalid(
            "meeting_id",
            format!(
                "the meeting on {} has no question deadline that can be worked out, so it takes no questions",
                meeting.held_on
            ),
        ));
    };
    if in_time(submitted_at, deadline) {
        return Ok(());
    }
    // The day to quote: the one the panel's rules give, unless the meeting keeps a
    // deadline set under earlier rules (it had been held when they changed).
    let day = match meeting.deadline_day(rules) {
        Ok(Some((day, instant))) if instant == deadline => rules.describe_deadline(day),
        _ => format!("before {}", deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    };
    Err(ApiError::invalid(
        "meeting_id",
        format!(
            "the deadline for questions to the meeting on {} has passed: this panel asks for {} clear working \
             day{} of notice, so questions had to arrive {day}, that is before {}",
            meeting.held_on,
            rules.deadline_clear_working_days,
            if rules.deadline_clear_working_days == 1 {
                ""
            } else {
                "s"
            },
            deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    ))
}

/// The panel's rules beyond the deadline, checked together so that one 422 names every
/// rule the question breaks: whom it is put to, its length, whether it may be a
/// supplementary, and how many questions its questioner has already put to the meeting
/// (counting those not rejected or withdrawn; a questioner is the signed-in panel
/// member, else the e-mail address given, else the name given, ignoring letter case).
async fn require_within_rules(
    conn: &mut DbConn,
    meeting: &MeetingRow,
    rules: &QuestionRules,
    new: &NewQuestion,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut check = |result: FieldResult<()>| errors.extend(result.err());
    check(rules.check_addressee("addressed_to", new.addressed_to));
    check(rules.check_words("body", new.body.as_str()));
    check(rules.check_supplementary("parent_question_id", new.parent_question_id.is_some()));
    if rules.max_questions_per_questioner_per_meeting.is_some() {
        let already = questions_already_put(conn, meeting.id, new).await?;
        errors.extend(rules.check_questions_per_meeting("meeting_id", already).err());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// How many questions `new`'s questioner has put to `meeting` that still stand (see
/// [`require_within_rules`] for who counts as the same questioner).
async fn questions_already_put(conn: &mut DbConn, meeting: MeetingId, new: &NewQuestion) -> Result<i64, ApiError> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let mut query = questions::table
        .filter(questions::meeting_id.eq(meeting))
        .filter(questions::status.ne_all([QuestionStatus::Rejected, QuestionStatus::Withdrawn]))
        .count()
        .into_boxed();
    query = match (new.asker_user_id, &new.asker_contact) {
        (Some(user), _) => query.filter(questions::asker_user_id.eq(user)),
        (None, Some(contact)) => query
            .filter(sql::<Bool>("lower(asker_contact->>'email') = ").bind::<Text, _>(contact.email().to_lowercase())),
        (None, None) => query.filter(
            sql::<Bool>("lower(asker_display_name) = ").bind::<Text, _>(new.asker_display_name.as_str().to_lowercase()),
        ),
    };
    Ok(query.get_result(conn).await?)
}

/// A 422 naming `field` unless question `id` exists and is visible.
async fn require_question_exists(
    conn: &mut DbConn,
    id: QuestionId,
    sees_unpublished: bool,
    field: &str,
) -> Result<(), ApiError> {
    let status: Option<QuestionStatus> = questions::table
        .find(id)
        .select(questions::status)
        .first(conn)
        .await
        .optional()?;
    match status {
        Some(status) if status.is_public() || sees_unpublished => Ok(()),
        _ => Err(ApiError::invalid(field, format!("no question has id {id}"))),
    }
}

/// A 422 naming `field` unless every recommendation in `ids` exists. (Read-only use of
/// the recommendations table, which the reports API owns.)
pub async fn require_recommendations_exist(
    conn: &mut DbConn,
    ids: &[RecommendationId],
    field: &str,
) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<RecommendationId> = recommendations::table
        .filter(recommendations::id.eq_any(ids))
        .select(recommendations::id)
        .load(conn)
        .await?;
    super::require_all_found(ids, &found, field, "recommendation")
}

async fn link_recommendations(conn: &mut DbConn, id: QuestionId, ids: &[RecommendationId]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = ids
        .iter()
        .map(|r| {
            (
                question_recommendations::question_id.eq(id),
                question_recommendations::recommendation_id.eq(*r),
            )
        })
        .collect();
    diesel::insert_into(question_recommendations::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

async fn recommendation_ids_of(
    conn: &mut DbConn,
    ids: &[QuestionId],
) -> Result<HashMap<QuestionId, Vec<RecommendationId>>, ApiError> {
    let pairs: Vec<(QuestionId, RecommendationId)> = question_recommendations::table
        .filter(question_recommendations::question_id.eq_any(ids))
        .select((
            question_recommendations::question_id,
            question_recommendations::recommendation_id,
        ))
        .order((
            question_recommendations::question_id,
            question_recommendations::recommendation_id,
        ))
        .load(conn)
        .await?;
    let mut by_question: HashMap<QuestionId, Vec<RecommendationId>> = HashMap::new();
    for (question, recommendation) in pairs {
        by_question.entry(question).or_default().push(recommendation);
    }
    Ok(by_question)
}

async fn with_recommendations(conn: &mut DbConn, row: QuestionRow) -> Result<QuestionRecord, ApiError> {
    let recommendation_ids = recommendation_ids_of(conn, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(QuestionRecord {
        row,
        recommendation_ids,
    })
}

diesel::define_sql_function! {
    /// The recommendations question `question` cites, in id order (a migration defines it).
    fn question_recommendation_ids(question: diesel::sql_types::Uuid) -> diesel::sql_types::Array<diesel::sql_types::Uuid>;
}

diesel::define_sql_function! {
    /// The supplementary questions to question `question` in id order, only those with
    /// one of `statuses` unless it is NULL (a migration defines it).
    fn question_supplementary_ids(
        question: diesel::sql_types::Uuid,
        statuses: diesel::sql_types::Nullable<diesel::sql_types::Array<diesel::sql_types::Text>>,
    ) -> diesel::sql_types::Array<diesel::sql_types::Uuid>;
}

/// The statuses a caller may see of a question: all (`None`) when it `sees_unpublished`,
/// else the public ones.
fn visible_statuses(sees_unpublished: bool) -> Option<Vec<QuestionStatus>> {
    (!sees_unpublished).then(|| QuestionStatus::ALL.iter().copied().filter(|s| s.is_public()).collect())
}

diesel::define_sql_function! {
    /// Question `question`'s published responses as a JSON array in id order, each its
    /// row as `to_jsonb` gives it with `recommendation_ids`, `action_ids` and
    /// `followed_up_by` (a migration defines it).
    fn question_published_responses(question: diesel::sql_types::Uuid) -> diesel::sql_types::Jsonb;
}

/// A question as its page shows it, read in one statement (one round trip).
pub struct QuestionPage {
    pub record: QuestionRecord,
    /// The supplementary questions to it that the caller may see, in id order.
    pub supplementary_question_ids: Vec<QuestionId>,
    /// Its published responses with what they cite, as a JSON array in id order, for
    /// [`super::responses::from_page`] to read.
    pub published_responses: serde_json::Value,
}

type PageRow = (QuestionRow, Vec<RecommendationId>, Vec<QuestionId>, serde_json::Value);

/// The question `id` as [`find`] finds it, with the supplementary questions to it that
/// the caller may see (all when `sees_unpublished`, else the public ones) and its
/// published responses: one statement.
pub async fn find_page(conn: &mut DbConn, id: QuestionId, sees_unpublished: bool) -> Result<QuestionPage, ApiError> {
    let (row, recommendation_ids, supplementary_question_ids, published_responses): PageRow = questions::table
        .find(id)
        .select((
            QuestionRow::as_select(),
            question_recommendation_ids(questions::id),
            question_supplementary_ids(questions::id, visible_statuses(sees_unpublished)),
            question_published_responses(questions::id),
        ))
        .first(conn)
        .await
        .optional()?
        .filter(|(row, ..): &PageRow| row.status.is_public() || sees_unpublished)
        .ok_or_else(|| versioned::not_found::<QuestionRow>(id))?;
    Ok(QuestionPage {
        record: QuestionRecord {
            row,
            recommendation_ids,
        },
        supplementary_question_ids,
        published_responses,
    })
}

/// The question `id`, with the recommendations it cites as an array in the same
/// statement (one round trip); one that is not public is not found unless
/// `sees_unpublished`.
pub async fn find(conn: &mut DbConn, id: QuestionId, sees_unpublished: bool) -> Result<QuestionRecord, ApiError> {
    let (row, recommendation_ids): (QuestionRow, Vec<RecommendationId>) = questions::table
        .find(id)
        .select((QuestionRow::as_select(), question_recommendation_ids(questions::id)))
        .first(conn)
        .await
        .optional()?
        .filter(|(row, _): &(QuestionRow, Vec<RecommendationId>)| row.status.is_public() || sees_unpublished)
        .ok_or_else(|| versioned::not_found::<QuestionRow>(id))?;
    Ok(QuestionRecord {
        row,
        recommendation_ids,
    })
}

/// Question `id`, locked for a change: 404 when there is none. Its entity tag is not
/// its version alone, so whoever locks it checks `If-Match` (see [`lock_for_change`]).
pub(super) async fn lock(conn: &mut DbConn, id: QuestionId) -> Result<QuestionRow, ApiError> {
    versioned::get_locked(conn, id)
        .await?
        .ok_or_else(|| versioned::not_found::<QuestionRow>(id))
}

/// Locks question `id` for a change, with its recommendations: 404 when there is none,
/// 403 unless `permit` lets the caller change it, 412 unless `If-Match` (if any) names
/// its current entity tag. That tag embeds the versions of its published responses
/// ([`ETag::of_versions`]), so it is compared whole, not by version alone as
/// [`versioned::locked`] compares.
async fn lock_for_change(
    conn: &mut DbConn,
    id: QuestionId,
    if_match: &IfMatch,
    permit: Permit,
) -> Result<QuestionRecord, ApiError> {
    let row = lock(conn, id).await?;
    permit.check(row.asker_user_id)?;
    if_match.check(&current_etag(conn, &row).await?)?;
    with_recommendations(conn, row).await
}

/// The entity tag of question `row` as now stored, as staff see it (see
/// [`ETag::of_versions`] and [`embedded_count`]).
async fn current_etag(conn: &mut DbConn, row: &QuestionRow) -> Result<ETag, ApiError> {
    let sum = published_versions_sum(conn, row.id).await?;
    let supplementaries = supplementaries_of(conn, row.id, true).await?.len();
    let overdue = overdue_follow_ups(conn, row.id).await?;
    Ok(ETag::of_versions(
        row.version,
        embedded_count(sum, supplementaries, overdue),
    ))
}

/// What a question's tag embeds besides its own version: the sum of its published
/// responses' versions, the number of its supplementaries and the number of written
/// follow-ups promised in its published verbal answers that are overdue. The total
/// only grows: a follow-up falling overdue adds one, and providing it publishes a
/// response (adding its version, at least 2) as it takes the one away.
pub fn embedded_count(published_versions: i64, supplementaries: usize, overdue_follow_ups: usize) -> i64 {
    published_versions + supplementaries as i64 + overdue_follow_ups as i64
}

/// How many written follow-ups promised in question `id`'s published verbal answers are
/// overdue today (London).
async fn overdue_follow_ups(conn: &mut DbConn, id: QuestionId) -> Result<usize, ApiError> {
    let today = crate::domain::calendar::london_today();
    let count: i64 = responses::table
        .filter(responses::question_id.eq(id))
        .filter(responses::kind.eq(ResponseKind::Verbal))
        .filter(responses::status.eq(ResponseStatus::Published))
        .filter(responses::follow_up_due_on.lt(today))
        .filter(response_followed_up_by(responses::id).is_null())
        .count()
        .get_result(conn)
        .await?;
    Ok(usize::try_from(count).unwrap_or(0))
}

diesel::define_sql_function! {
    /// The published written response that provides the follow-up verbal response
    /// `response` promised, if any (a migration defines it).
    fn response_followed_up_by(response: diesel::sql_types::Uuid) -> diesel::sql_types::Nullable<diesel::sql_types::Uuid>;
}

/// The sum of the versions of question `id`'s published responses (see
/// [`ETag::of_versions`]): a question's tag embeds them.
pub async fn published_versions_sum(conn: &mut DbConn, id: QuestionId) -> Result<i64, ApiError> {
    let sum: Option<i64> = responses::table
        .filter(responses::question_id.eq(id))
        .filter(responses::status.eq(ResponseStatus::Published))
        .select(diesel::dsl::sum(responses::version))
        .first(conn)
        .await?;
    Ok(sum.unwrap_or(0))
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct QuestionFilter {
    pub status: Option<QuestionStatus>,
    /// Only public questions (accepted, answered or referred): for anonymous and
    /// `integration` callers.
    pub public_only: bool,
    pub asker_kind: Option<AskerKind>,
    pub topic: Option<Topic>,
    pub meeting_id: Option<MeetingId>,
    pub recommendation_id: Option<RecommendationId>,
    pub asked_from: Option<NaiveDate>,
    pub asked_to: Option<NaiveDate>,
    /// A web search of the title and body (see [`super::search::matches`]).
    pub text: Option<String>,
    /// Only questions with a published verbal answer whose written follow-up is in this
    /// state on the given day (today, London).
    pub follow_up: Option<(FollowUpFilter, NaiveDate)>,
}

/// One page of questions, most recently asked first (by `asked_on`, then id, both
/// descending).
pub async fn list(
    conn: &mut DbConn,
    filter: &QuestionFilter,
    page: &PageRequest,
) -> Result<(Vec<QuestionRecord>, Option<Cursor>), ApiError> {
    list_ordered(conn, filter, page, false).await
}

/// The first `limit` questions [`list`] would show for `filter`, most recently updated
/// first (by `updated_at`, then id): what a feed shows.
pub async fn latest_updated(
    conn: &mut DbConn,
    filter: &QuestionFilter,
    limit: i64,
) -> Result<Vec<QuestionRecord>, ApiError> {
    let page = PageRequest { limit, after: None };
    Ok(list_ordered(conn, filter, &page, true).await?.0)
}

async fn list_ordered(
    conn: &mut DbConn,
    filter: &QuestionFilter,
    page: &PageRequest,
    by_updated: bool,
) -> Result<(Vec<QuestionRecord>, Option<Cursor>), ApiError> {
    let mut query = questions::table
        .select((QuestionRow::as_select(), question_recommendation_ids(questions::id)))
        .limit(page.fetch())
        .into_boxed();
    query = if by_updated {
        query.order((questions::updated_at.desc(), questions::id.desc()))
    } else {
        query.order((questions::asked_on.desc(), questions::id.desc()))
    };
    if let Some(after) = &page.after {
        query = query.filter(super::keyset_after(
            "questions.asked_on, questions.id",
            super::Direction::Descending,
            after,
        )?);
    }
    match filter.status {
        // A status the caller may not see matches nothing; one it may see needs no
        // second condition on the status (which would also blur the planner's estimate).
        Some(status) if filter.public_only && !status.is_public() => return Ok((Vec::new(), None)),
        Some(status) => query = query.filter(questions::status.eq(status)),
        None if filter.public_only => {
            query = query.filter(questions::status.eq_any(visible_statuses(false).unwrap_or_default()));
        }
        None => {}
    }
    if let Some(kind) = filter.asker_kind {
        query = query.filter(questions::asker_kind.eq(kind));
    }
    if let Some(topic) = &filter.topic {
        query = query.filter(questions::topics.contains(vec![topic.as_str().to_string()]));
    }
    if let Some(meeting) = filter.meeting_id {
        query = query.filter(questions::meeting_id.eq(meeting));
    }
    if let Some(recommendation) = filter.recommendation_id {
        query = query.filter(
            questions::id.eq_any(
                question_recommendations::table
                    .filter(question_recommendations::recommendation_id.eq(recommendation))
                    .select(question_recommendations::question_id),
            ),
        );
    }
    query = super::dated_within(query, questions::asked_on, filter.asked_from, filter.asked_to);
    if let Some(text) = &filter.text {
        query = query.filter(super::search::matches("questions", text));
    }
    if let Some((state, today)) = filter.follow_up {
        let promises = responses::table
            .filter(responses::kind.eq(ResponseKind::Verbal))
            .filter(responses::status.eq(ResponseStatus::Published))
            .filter(responses::follow_up_due_on.is_not_null())
            .into_boxed();
        let followed_up = response_followed_up_by(responses::id);
        let promises = match state {
            FollowUpFilter::Provided => promises.filter(followed_up.is_not_null()),
            FollowUpFilter::Overdue => promises
                .filter(followed_up.is_null())
                .filter(responses::follow_up_due_on.lt(today)),
            FollowUpFilter::Due => promises
                .filter(followed_up.is_null())
                .filter(responses::follow_up_due_on.ge(today)),
        };
        query = query.filter(questions::id.eq_any(promises.select(responses::question_id)));
    }
    let rows: Vec<(QuestionRow, Vec<RecommendationId>)> = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |(row, _)| Cursor::by_date(row.asked_on, row.id.0));
    let records = rows
        .into_iter()
        .map(|(row, recommendation_ids)| QuestionRecord {
            row,
            recommendation_ids,
        })
        .collect();
    Ok((records, next))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current entity tag.
///
/// A new `meeting_id` must be a panel meeting, but its question deadline is not
/// applied: the deadline is about when a question arrives, and the secretariat may
/// schedule a question that arrived in time (or at the chair's discretion) later.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: QuestionId,
    if_match: &IfMatch,
    changes: &QuestionChanges,
) -> Result<QuestionRecord, ApiError> {
    conn.transaction(async |conn| {
        let before = lock_for_change(conn, id, if_match, Permit::Any).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        if changes.meeting_id.is_some_and(|m| m != before.row.meeting_id) {
            if let Some(reason) = put_at_meeting(conn, &before.row).await? {
                return Err(ApiError::illegal_transition(
                    format!(
                        "Question {} cannot move to another meeting, or off its meeting: {reason}",
                        before.row.reference
                    ),
                    before.row.status.as_str(),
                ));
            }
        }
        if let Some(Some(meeting)) = changes.meeting_id {
            // The deadline and the limits are about what the public sends; whom a
            // question is put to is what it is, so the new meeting's panel must take it.
            let (meeting, rules) = meeting_for_question(conn, meeting, true).await?;
            rules
                .check_addressee("meeting_id", before.row.addressed_to)
                .map_err(|e| ApiError::validation(vec![e]))?;
            if meeting.held_on < before.row.asked_on {
                return Err(ApiError::invalid(
                    "meeting_id",
                    format!(
                        "the meeting is held on {}, before the question was asked ({}): a question is put to a meeting held on or after the day it was asked",
                        meeting.held_on, before.row.asked_on
                    ),
                ));
            }
            if meeting.cancelled && Some(meeting.id) != before.row.meeting_id {
                return Err(ApiError::invalid(
                    "meeting_id",
                    format!("the meeting on {} was cancelled: it takes no questions", meeting.held_on),
                ));
            }
        }
        let contact = match &changes.asker_contact {
            None => None,
            Some(patch) => Some(
                AskerContact::patched(before.row.contact()?, patch.clone())
                    .map_err(|e| ApiError::validation(vec![e]))?
                    .as_ref()
                    .map(to_json)
                    .transpose()?,
            ),
        };
        if let Some(ids) = &changes.recommendation_ids {
            require_recommendations_exist(conn, ids, "recommendation_ids").await?;
            diesel::delete(question_recommendations::table.filter(question_recommendations::question_id.eq(id)))
                .execute(conn)
                .await?;
            link_recommendations(conn, id, ids).await?;
        }
        let row: QuestionRow = diesel::update(questions::table.find(id))
            .set(QuestionChangesRow {
                title: changes.title.as_ref().map(|t| t.as_str()),
                body: changes.body.as_ref().map(|b| b.as_str()),
                topics: changes
                    .topics
                    .as_ref()
                    .map(|topics| topics.iter().map(Topic::as_str).collect()),
                meeting_id: changes.meeting_id,
                asker_contact: contact,
                updated_at: Utc::now(),
                version: before.row.next_version(),
            })
            .returning(QuestionRow::as_returning())
            .get_result(conn)
            .await?;
        let after = QuestionRecord {
            row,
            recommendation_ids: changes
                .recommendation_ids
                .clone()
                .unwrap_or_else(|| before.recommendation_ids.clone()),
        };
        changelog::publish(conn, actor, "question.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}

/// Moves a question to `to` (409 with its current state if that is not a legal move),
/// honouring `If-Match`, and records `question.<to>` in the audit log. A question that
/// becomes public for the first time gets its `published_at`; one being rejected gets
/// the rejection's code and reason, one being referred the referral's organisation
/// (which must exist: a 422 naming `organisation_id` otherwise), code, reason and time.
pub async fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: QuestionId,
    if_match: &IfMatch,
    to: QuestionStatus,
    grounds: Option<Grounds<'_>>,
    permit: Permit,
) -> Result<QuestionRecord, ApiError> {
    conn.transaction(async |conn| {
        let before = lock_for_change(conn, id, if_match, permit).await?;
        if let Some(Grounds::Referral(referral)) = grounds {
            super::organisations::require_exists(conn, referral.organisation_id, "organisation_id").await?;
        }
        move_question(conn, actor, before, to, grounds).await
    })
    .await
}

/// Moves a loaded, locked question to `to` inside the caller's transaction, with its
/// audit record: for [`transition`], and for publishing a response, which answers its
/// question in the same transaction.
pub async fn move_question(
    conn: &mut DbConn,
    actor: &Actor,
    before: QuestionRecord,
    to: QuestionStatus,
    grounds: Option<Grounds<'_>>,
) -> Result<QuestionRecord, ApiError> {
    let from = before.row.status;
    if !from.can_become(to) {
        return Err(ApiError::illegal_transition(
            format!("A question that is {from} cannot become {to}"),
            from.as_str(),
        ));
    }
    if matches!(to, QuestionStatus::Withdrawn | QuestionStatus::Rejected) {
        // What was put at a meeting stays on its record, and what hangs on it
        // (supplementaries, answers) stays public with it.
        if let Some(reason) = put_at_meeting(conn, &before.row).await? {
            let verb = if to == QuestionStatus::Withdrawn {
                "withdrawn"
            } else {
                "rejected"
            };
            return Err(ApiError::illegal_transition(
                format!("Question {} can no longer be {verb}: {reason}", before.row.reference),
                from.as_str(),
            ));
        }
    }
    let now = Utc::now();
    let published_at = before.row.published_at.or(to.is_public().then_some(now));
    let rejection = match grounds {
        Some(Grounds::Rejection(rejection)) => Some(rejection),
        _ => None,
    };
    let referral = match grounds {
        Some(Grounds::Referral(referral)) => Some(referral),
        _ => None,
    };
    let row: QuestionRow = diesel::update(questions::table.find(before.row.id))
        .set((
            questions::status.eq(to),
            questions::rejection_reason.eq(rejection
                .map(|r| r.reason.as_str())
                .or(before.row.rejection_reason.as_deref())),
            questions::rejection_reason_code.eq(rejection.map(|r| r.code).or(before.row.rejection_reason_code)),
            (
                questions::referred_to_organisation_id.eq(referral
                    .map(|r| r.organisation_id)
                    .or(before.row.referred_to_organisation_id)),
                questions::referral_reason_code.eq(referral.map(|r| r.code).or(before.row.referral_reason_code)),
                questions::referral_reason.eq(referral
                    .map(|r| r.reason.as_str())
                    .or(before.row.referral_reason.as_deref())),
                questions::referred_at.eq(referral.map(|_| now).or(before.row.referred_at)),
            ),
            questions::published_at.eq(published_at),
            questions::updated_at.eq(now),
            questions::version.eq(before.row.next_version()),
        ))
        .returning(QuestionRow::as_returning())
        .get_result(conn)
        .await?;
    let after = QuestionRecord {
        row,
        recommendation_ids: before.recommendation_ids.clone(),
    };
    changelog::publish(conn, actor, &format!("question.{to}"), Some(&before), &after).await?;
    Ok(after)
}

/// Locks question `id` for a change made elsewhere in the caller's transaction (a
/// response being published), with its recommendations.
pub async fn lock_record(conn: &mut DbConn, id: QuestionId) -> Result<QuestionRecord, ApiError> {
    let row = lock(conn, id).await?;
    with_recommendations(conn, row).await
}
