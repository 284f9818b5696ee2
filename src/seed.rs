//! The demo story (`data/demo/story.json`): the organisations, the 2022 child protection
//! inspection and its recommendations, the public question of 31 May 2022 and the
//! Commissioner's response as published (`shared/fixtures/public-question-2022-05-31.txt`),
//! and a Child Protection Improvement Programme of actions with owners, due dates and
//! updates reported at meetings. A newcomer exploring Swagger UI sees a real, linked
//! story, browsable end to end from `GET /api/v1/questions/{id}/accountability`.
//!
//! Everything goes through the repositories, so the demo data is exactly what the API
//! would have written (audit records included), in one transaction.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use diesel_async::AsyncConnection;
use serde::Deserialize;

use crate::db::DbConn;
use crate::domain::action::{ActionId, ActionStatus, NewAction, NewProgressUpdate, Owner, Schedule};
use crate::domain::auth::Actor;
use crate::domain::meeting::{MeetingId, MeetingKind, NewMeeting};
use crate::domain::organisation::{NewOrganisation, OrganisationId, OrganisationKind};
use crate::domain::programme::{NewProgramme, ProgrammeStatus};
use crate::domain::question::{
    AskerKind, Grounds, NewQuestion, NewResponse, NewSupplementary, Note, QuestionId, QuestionStatus, Referral,
    ReferralCode, ResponseId, ResponseKind, Topic,
};
use crate::domain::question_rules::{Addressee, QuestionRules};
use crate::domain::report::{NewRecommendation, NewReport, RecommendationId, RecommendationKind, ReportKind};
use crate::domain::text::{Body, Name, Reference, Title};
use crate::domain::version::IfMatch;
use crate::error::{ApiError, FieldError};
use crate::repo;

const STORY: &str = include_str!("../data/demo/story.json");

#[derive(Deserialize)]
struct Story {
    organisations: Vec<StoryOrganisation>,
    meetings: Vec<StoryMeeting>,
    report: StoryReport,
    actions: Vec<StoryAction>,
    question: StoryQuestion,
    referred_question: StoryReferredQuestion,
}

#[derive(Deserialize)]
struct StoryOrganisation {
    key: String,
    name: String,
    kind: OrganisationKind,
}

#[derive(Deserialize)]
struct StoryMeeting {
    key: String,
    organisation: String,
    kind: MeetingKind,
    title: String,
    held_on: NaiveDate,
    is_public: bool,
}

#[derive(Deserialize)]
struct StoryReport {
    title: String,
    kind: ReportKind,
    publisher: String,
    subject: String,
    published_on: NaiveDate,
    summary: String,
    recommendations: Vec<StoryRecommendation>,
}

#[derive(Deserialize)]
struct StoryRecommendation {
    reference: String,
    kind: RecommendationKind,
    text: String,
    addressed_to: String,
}

#[derive(Deserialize)]
struct StoryAction {
    reference: String,
    title: String,
    description: String,
    recommendations: Vec<String>,
    owner_post: String,
    success_measure: String,
    starts_on: NaiveDate,
    due_on: NaiveDate,
    updates: Vec<StoryUpdate>,
}

#[derive(Deserialize)]
struct StoryUpdate {
    reported_on: NaiveDate,
    meeting: String,
    author: (String, String),
    body: String,
    progress_percent: Option<i32>,
    status: Option<ActionStatus>,
}

#[derive(Deserialize)]
struct StoryQuestion {
    #[serde(flatten)]
    text: StoryQuestionText,
    meeting: String,
    response: StoryResponse,
}

/// A question the secretariat referred to another organisation, with that
/// organisation's written reply.
#[derive(Deserialize)]
struct StoryReferredQuestion {
    #[serde(flatten)]
    text: StoryQuestionText,
    meeting: String,
    referral: StoryReferral,
    reply: StoryResponse,
}

#[derive(Deserialize)]
struct StoryReferral {
    organisation: String,
    reason_code: ReferralCode,
    reason: String,
}

#[derive(Deserialize)]
struct StoryAsker {
    kind: AskerKind,
    display_name: String,
}

/// What every story question has: who asked it, what, and when.
#[derive(Deserialize)]
struct StoryQuestionText {
    title: String,
    asker: StoryAsker,
    topics: Vec<String>,
    asked_on: NaiveDate,
    body: String,
}

impl StoryQuestionText {
    /// The question, put to `addressed_to` at `meeting`, citing `recommendation_ids`.
    fn to_new(
        &self,
        meeting: MeetingId,
        recommendation_ids: Vec<RecommendationId>,
        addressed_to: Addressee,
    ) -> Result<NewQuestion, ApiError> {
        Ok(NewQuestion {
            asker_kind: self.asker.kind,
            asker_display_name: valid(Name::parse("asker.display_name", &self.asker.display_name))?,
            asker_contact: None,
            asker_user_id: None,
            title: valid(Title::parse("title", &self.title))?,
            body: valid(Body::parse("body", &self.body))?,
            topics: self
                .topics
                .iter()
                .map(|t| valid(Topic::parse("topics", t)))
                .collect::<Result<Vec<_>, _>>()?,
            asked_on: self.asked_on,
            meeting_id: Some(meeting),
            parent_question_id: None,
            recommendation_ids,
            addressed_to,
        })
    }

    /// Received at noon on the day it was asked, in time for its meeting.
    fn submission(&self) -> repo::questions::Submission {
        repo::questions::Submission {
            submitted_at: Some(Utc.from_utc_datetime(&self.asked_on.and_hms_opt(12, 0, 0).unwrap_or_default())),
            sees_unpublished: true,
            rate_limit: None,
        }
    }
}

#[derive(Deserialize)]
struct StoryResponse {
    kind: ResponseKind,
    author: (String, String),
    responded_on: NaiveDate,
    body: String,
}

/// The published document the demo question and its response come from, as the
/// importer reads it.
const DEMO_DOCUMENT: &str = include_str!("../tests/fixtures/import/public-question-2022-05-31.txt");

fn demo_document() -> Result<crate::import::Prepared, ApiError> {
    crate::import::prepare(DEMO_DOCUMENT, "public-question-2022-05-31.txt", Utc::now().date_naive())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the demo document: {e}")))
}

/// The improvement programme the demo's actions belong to.
const PROGRAMME: &str = "Child Protection Improvement Programme";

/// The story's text is ours: a value that does not validate is a bug in the data file.
fn valid<T>(result: Result<T, FieldError>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::Internal(anyhow::anyhow!("data/demo/story.json: {}: {}", e.field, e.message)))
}

fn lookup<T: Copy>(map: &HashMap<String, T>, key: &str, what: &str) -> Result<T, ApiError> {
    map.get(key)
        .copied()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("data/demo/story.json: no {what} {key:?}")))
}

/// Loads the story into an empty database; returns false (and changes nothing) when the
/// database already holds organisations.
pub async fn demo(conn: &mut DbConn) -> anyhow::Result<bool> {
    if repo::organisations::count(conn).await? > 0 {
        return Ok(false);
    }
    let story: Story = serde_json::from_str(STORY).context("reading data/demo/story.json")?;
    conn.transaction(async |conn| load(conn, &story).await)
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo story: {e:?}"))?;
    Ok(true)
}

async fn load(conn: &mut DbConn, story: &Story) -> Result<(), ApiError> {
    let actor = Actor::system("seed-demo");
    let mut organisations: HashMap<String, OrganisationId> = HashMap::new();
    for organisation in &story.organisations {
        let new = NewOrganisation {
            name: valid(Name::parse("name", &organisation.name))?,
            kind: organisation.kind,
        };
        let row = repo::organisations::insert(conn, &actor, &new).await?;
        organisations.insert(organisation.key.clone(), row.id);
    }

    let mut meetings: HashMap<String, MeetingId> = HashMap::new();
    for meeting in &story.meetings {
        let new = NewMeeting {
            organisation_id: lookup(&organisations, &meeting.organisation, "organisation")?,
            kind: meeting.kind,
            title: valid(Title::parse("title", &meeting.title))?,
            held_on: meeting.held_on,
            is_public: meeting.is_public,
        };
        let row = repo::meetings::insert(conn, &actor, &new).await?;
        meetings.insert(meeting.key.clone(), row.id);
    }

    let report = &story.report;
    let new_report = NewReport {
        title: valid(Title::parse("title", &report.title))?,
        kind: report.kind,
        publisher_organisation_id: lookup(&organisations, &report.publisher, "organisation")?,
        subject_organisation_id: lookup(&organisations, &report.subject, "organisation")?,
        published_on: report.published_on,
        url: None,
        summary: Some(valid(Body::parse("summary", &report.summary))?),
    };
    let report_row = repo::reports::insert(conn, &actor, &new_report).await?;
    let mut recommendations: HashMap<String, RecommendationId> = HashMap::new();
    let mut recommendation_order = Vec::new();
    for recommendation in &report.recommendations {
        let new = NewRecommendation {
            reference: valid(Reference::parse("reference", &recommendation.reference))?,
            kind: recommendation.kind,
            text: valid(Body::parse("text", &recommendation.text))?,
            addressed_to_organisation_id: lookup(&organisations, &recommendation.addressed_to, "organisation")?,
            due_on: None,
        };
        let record = repo::recommendations::insert(conn, &actor, report_row.id, &new).await?;
        recommendations.insert(recommendation.reference.clone(), record.row.id);
        recommendation_order.push(record.row.id);
    }

    let force = lookup(&organisations, "force", "organisation")?;
    // The force's answer names the programme its actions belong to: a programme with an
    // owner, the report it responds to and the board where its progress is reported.
    let programme = repo::programmes::insert(
        conn,
        &actor,
        &NewProgramme {
            name: valid(Name::parse("name", PROGRAMME))?,
            description: Some(valid(Body::parse(
                "description",
                "The force's programme of detailed actions in response to HMICFRS's child protection \
                 inspection findings, overseen by command arrangements and reported to the \
                 Commissioner's monthly Strategic Governance Board.",
            ))?),
            owner: Owner {
                organisation_id: force,
                post_title: valid(Name::parse("post_title", "Chief Constable"))?,
            },
            report_ids: vec![report_row.id],
            progress_meeting_kind: Some(MeetingKind::StrategicGovernanceBoard),
            status: ProgrammeStatus::Active,
        },
    )
    .await?;
    let mut action_ids: Vec<ActionId> = Vec::new();
    for action in &story.actions {
        let recommendation_ids = action
            .recommendations
            .iter()
            .map(|r| lookup(&recommendations, r, "recommendation"))
            .collect::<Result<Vec<_>, _>>()?;
        let new = NewAction {
            reference: valid(Reference::parse("reference", &action.reference))?,
            title: valid(Title::parse("title", &action.title))?,
            description: valid(Body::parse("description", &action.description))?,
            programme_id: Some(programme.row.id),
            recommendation_ids,
            owner: Owner {
                organisation_id: force,
                post_title: valid(Name::parse("post_title", &action.owner_post))?,
            },
            success_measure: valid(Body::parse("success_measure", &action.success_measure))?,
            schedule: valid(Schedule::new(action.starts_on, action.due_on, "due_on"))?,
        };
        let record = repo::actions::insert(conn, &actor, &new).await?;
        for update in &action.updates {
            let new = NewProgressUpdate {
                reported_on: update.reported_on,
                author_name: valid(Name::parse("author.name", &update.author.0))?,
                author_position: valid(Name::parse("author.position", &update.author.1))?,
                body: valid(Body::parse("body", &update.body))?,
                progress_percent: update.progress_percent,
                status: update.status,
                meeting_id: Some(lookup(&meetings, &update.meeting, "meeting")?),
            };
            repo::actions::post_update(conn, &actor, record.row.id, &IfMatch::none(), |_| Ok(()), &new).await?;
        }
        action_ids.push(record.row.id);
    }

    let question = &story.question;
    let new_question = question.text.to_new(
        lookup(&meetings, &question.meeting, "meeting")?,
        recommendation_order.clone(),
        Addressee::Commissioner,
    )?;
    let submission = question.text.submission();
    let record = repo::questions::insert(conn, &actor, &new_question, &submission).await?;
    // The question is the published document in the import fixtures: recorded as its
    // source, importing that document finds this question instead of making another.
    let document = demo_document()?;
    repo::questions::record_source(
        conn,
        record.row.id,
        repo::questions::Source {
            name: &document.source_name,
            hash: &document.document.content_hash,
        },
    )
    .await?;
    repo::questions::transition(
        conn,
        &actor,
        record.row.id,
        &IfMatch::none(),
        QuestionStatus::Accepted,
        None,
        repo::questions::Permit::Any,
    )
    .await?;
    let response = &question.response;
    let new_response = NewResponse {
        kind: response.kind,
        body: valid(Body::parse("body", &response.body))?,
        author_name: valid(Name::parse("author.name", &response.author.0))?,
        author_position: valid(Name::parse("author.position", &response.author.1))?,
        responded_on: response.responded_on,
        recommendation_ids: recommendation_order,
        action_ids,
        meeting_id: None,
        follow_up_due_on: None,
        follows_up_response_id: None,
    };
    let draft = repo::responses::insert(conn, &actor, record.row.id, &new_response, &[Addressee::Commissioner]).await?;
    repo::responses::publish(conn, &actor, draft.row.id, &IfMatch::none(), &[Addressee::Commissioner]).await?;

    // A question referred to the force as an operational matter, and the force's reply,
    // recorded by the secretariat: published, it leaves the question referred.
    let question = &story.referred_question;
    let new_question = question.text.to_new(
        lookup(&meetings, &question.meeting, "meeting")?,
        Vec::new(),
        Addressee::Commissioner,
    )?;
    let submission = question.text.submission();
    let record = repo::questions::insert(conn, &actor, &new_question, &submission).await?;
    let referral = Referral {
        organisation_id: lookup(&organisations, &question.referral.organisation, "organisation")?,
        code: question.referral.reason_code,
        reason: valid(Note::parse("reason", &question.referral.reason))?,
    };
    repo::questions::transition(
        conn,
        &actor,
        record.row.id,
        &IfMatch::none(),
        QuestionStatus::Referred,
        Some(Grounds::Referral(&referral)),
        repo::questions::Permit::Any,
    )
    .await?;
    let reply = &question.reply;
    let new_reply = NewResponse {
        kind: reply.kind,
        body: valid(Body::parse("body", &reply.body))?,
        author_name: valid(Name::parse("author.name", &reply.author.0))?,
        author_position: valid(Name::parse("author.position", &reply.author.1))?,
        responded_on: reply.responded_on,
        recommendation_ids: Vec::new(),
        action_ids: Vec::new(),
        meeting_id: None,
        follow_up_due_on: None,
        follows_up_response_id: None,
    };
    let draft = repo::responses::insert(conn, &actor, record.row.id, &new_reply, &[Addressee::Panel]).await?;
    repo::responses::publish(conn, &actor, draft.row.id, &IfMatch::none(), &[Addressee::Panel]).await?;
    load_meeting_record(conn, &actor, &organisations).await?;
    Ok(())
}

const MEETING_RECORD: &str = include_str!("../data/demo/meeting_record.json");

/// What the panel meeting put on the record (`data/demo/meeting_record.json`): the
/// panel's rules for questions, a question answered there by the Commissioner, who
/// promised figures in writing, the written follow-up that kept the promise, a
/// supplementary asked and answered there, and a question put to the Panel itself,
/// answered by its chair.
#[derive(Deserialize)]
struct MeetingRecord {
    meeting: StoryPanelMeeting,
    rules: StoryRules,
    question: StoryQuestionText,
    verbal_answer: StoryMeetingAnswer,
    written_follow_up: StoryMeetingAnswer,
    supplementary: StorySupplementary,
    panel_question: StoryPanelQuestion,
}

/// What the demo panel changes in the default rules: it takes questions to the Panel as
/// well as to the Commissioner.
#[derive(Deserialize)]
struct StoryRules {
    addressees: Vec<Addressee>,
    supplementary_questions: bool,
}

/// A question put to the Panel, and the chair's answer at the meeting.
#[derive(Deserialize)]
struct StoryPanelQuestion {
    question: StoryQuestionText,
    answer: StoryMeetingAnswer,
}

/// The panel meeting the record is of (before the story's main question was asked, so
/// that question stays the latest asked).
#[derive(Deserialize)]
struct StoryPanelMeeting {
    organisation: String,
    title: String,
    held_on: NaiveDate,
}

#[derive(Deserialize)]
struct StoryMeetingAnswer {
    author: (String, String),
    responded_on: NaiveDate,
    #[serde(default)]
    follow_up_due_on: Option<NaiveDate>,
    body: String,
}

#[derive(Deserialize)]
struct StorySupplementary {
    body: String,
    answer: StoryMeetingAnswer,
}

/// A response from `answer`: verbal at `meeting`, or written following up `promise`.
fn meeting_answer(
    answer: &StoryMeetingAnswer,
    meeting: Option<MeetingId>,
    promise: Option<ResponseId>,
) -> Result<NewResponse, ApiError> {
    Ok(NewResponse {
        kind: if meeting.is_some() {
            ResponseKind::Verbal
        } else {
            ResponseKind::Written
        },
        body: valid(Body::parse("body", &answer.body))?,
        author_name: valid(Name::parse("author.name", &answer.author.0))?,
        author_position: valid(Name::parse("author.position", &answer.author.1))?,
        responded_on: answer.responded_on,
        recommendation_ids: Vec::new(),
        action_ids: Vec::new(),
        meeting_id: meeting,
        follow_up_due_on: answer.follow_up_due_on,
        follows_up_response_id: promise,
    })
}

/// Drafts and publishes `new` on question `question`, as `answers_for` would.
async fn answer(
    conn: &mut DbConn,
    actor: &Actor,
    question: QuestionId,
    new: &NewResponse,
    answers_for: &[Addressee],
) -> Result<ResponseId, ApiError> {
    let draft = repo::responses::insert(conn, actor, question, new, answers_for).await?;
    repo::responses::publish(conn, actor, draft.row.id, &IfMatch::none(), answers_for).await?;
    Ok(draft.row.id)
}

/// Loads the meeting record: the question, accepted for the meeting; the Commissioner's
/// verbal answer there, recorded by the secretariat, with its promise of figures in
/// writing; the written follow-up that provided them; the supplementary asked after
/// the answer and the Commissioner's verbal answer to it.
async fn load_meeting_record(
    conn: &mut DbConn,
    actor: &Actor,
    organisations: &HashMap<String, OrganisationId>,
) -> Result<(), ApiError> {
    let record: MeetingRecord = serde_json::from_str(MEETING_RECORD)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("data/demo/meeting_record.json: {e}")))?;
    let new_meeting = NewMeeting {
        organisation_id: lookup(organisations, &record.meeting.organisation, "organisation")?,
        kind: MeetingKind::PanelMeeting,
        title: valid(Title::parse("title", &record.meeting.title))?,
        held_on: record.meeting.held_on,
        is_public: true,
    };
    let panel = new_meeting.organisation_id;
    let defaults = QuestionRules::default();
    let rules = QuestionRules::new(
        defaults.deadline_clear_working_days,
        None,
        defaults.max_words,
        defaults.max_questions_per_questioner_per_meeting,
        &record.rules.addressees,
        record.rules.supplementary_questions,
    )
    .map_err(|errors| ApiError::Internal(anyhow::anyhow!("data/demo/meeting_record.json: rules: {errors:?}")))?;
    repo::meetings::apply_question_rules(conn, actor, panel, &IfMatch::none(), &rules).await?;
    let meeting = repo::meetings::insert(conn, actor, &new_meeting).await?.id;
    let asked = ask_at_meeting(conn, actor, &record.question, meeting, Addressee::Commissioner).await?;
    let verbal = meeting_answer(&record.verbal_answer, Some(meeting), None)?;
    let promise = answer(conn, actor, asked, &verbal, &[Addressee::Panel]).await?;
    let supplementary = repo::questions::insert_supplementary(
        conn,
        actor,
        asked,
        &NewSupplementary {
            body: valid(Body::parse("body", &record.supplementary.body))?,
            meeting_id: Some(meeting),
            asker_display_name: None,
            title: None,
        },
    )
    .await?;
    let verbal = meeting_answer(&record.supplementary.answer, Some(meeting), None)?;
    answer(conn, actor, supplementary.row.id, &verbal, &[Addressee::Panel]).await?;
    let written = meeting_answer(&record.written_follow_up, None, Some(promise))?;
    answer(conn, actor, asked, &written, &[Addressee::Commissioner]).await?;
    let to_panel = &record.panel_question;
    let asked = ask_at_meeting(conn, actor, &to_panel.question, meeting, Addressee::Panel).await?;
    let verbal = meeting_answer(&to_panel.answer, Some(meeting), None)?;
    answer(conn, actor, asked, &verbal, &[Addressee::Panel]).await?;
    Ok(())
}

/// Submits `question` to `meeting`, put to `addressed_to`, as it was before the
/// meeting's deadline, and accepts it for the meeting.
async fn ask_at_meeting(
    conn: &mut DbConn,
    actor: &Actor,
    question: &StoryQuestionText,
    meeting: MeetingId,
    addressed_to: Addressee,
) -> Result<QuestionId, ApiError> {
    let new_question = question.to_new(meeting, Vec::new(), addressed_to)?;
    let submission = question.submission();
    let asked = repo::questions::insert(conn, actor, &new_question, &submission).await?;
    repo::questions::transition(
        conn,
        actor,
        asked.row.id,
        &IfMatch::none(),
        QuestionStatus::Accepted,
        None,
        repo::questions::Permit::Any,
    )
    .await?;
    Ok(asked.row.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_file_reads_and_links_up() {
        let story: Story = serde_json::from_str(STORY).unwrap();
        assert_eq!(story.report.recommendations.len(), 15);
        assert_eq!(story.report.published_on, NaiveDate::from_ymd_opt(2022, 4, 7).unwrap());
        let references: Vec<&str> = story
            .report
            .recommendations
            .iter()
            .map(|r| r.reference.as_str())
            .collect();
        let meetings: Vec<&str> = story.meetings.iter().map(|m| m.key.as_str()).collect();
        for action in &story.actions {
            assert!(action.due_on >= action.starts_on, "{}", action.reference);
            for recommendation in &action.recommendations {
                assert!(references.contains(&recommendation.as_str()), "{}", action.reference);
            }
            for update in &action.updates {
                assert!(meetings.contains(&update.meeting.as_str()), "{}", action.reference);
            }
        }
        assert_eq!(story.question.response.author.0, "Ralph Butler");
        assert!(story.referred_question.text.asked_on < story.question.text.asked_on);
        assert_eq!(story.referred_question.referral.organisation, "force");
        assert!(story
            .question
            .text
            .body
            .contains("not effectively safeguarding children"));
    }

    #[test]
    fn the_meeting_record_reads_and_keeps_its_promise_in_time() {
        let story: Story = serde_json::from_str(STORY).unwrap();
        let record: MeetingRecord = serde_json::from_str(MEETING_RECORD).unwrap();
        assert_eq!(record.verbal_answer.responded_on, record.meeting.held_on);
        assert_eq!(record.supplementary.answer.responded_on, record.meeting.held_on);
        assert!(
            record.meeting.held_on < story.question.text.asked_on,
            "the supplementary, dated the meeting's day, is asked before the demo's main question"
        );
        let due = record.verbal_answer.follow_up_due_on.unwrap();
        assert!(record.written_follow_up.responded_on <= due);
    }
}
