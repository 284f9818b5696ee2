//! Responses to questions and their versions.
//!
//! Every change to a response (its creation, each edit, its publication, each
//! correction) writes a `response_versions` row numbered like the response's own
//! `version`, so that the history is complete and every earlier text stays readable.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::{Deserialize, Serialize};

use super::changelog;
use super::questions::{self, QuestionRecord, QuestionRow};
use super::versioned::{self, Versioned as _};
use crate::db::schema::{
    actions, questions as questions_table, response_actions, response_recommendations, response_versions, responses,
};
use crate::db::DbConn;
use crate::domain::action::ActionId;
use crate::domain::auth::Actor;
use crate::domain::meeting::MeetingId;
use crate::domain::question::{
    check_response_shape, FollowUpStatus, NewResponse, QuestionId, QuestionStatus, ResponseChanges, ResponseId,
    ResponseKind, ResponseStatus, Topic,
};
use crate::domain::question_rules::Addressee;
use crate::domain::report::RecommendationId;
use crate::domain::version::IfMatch;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// A response as stored (and as `to_jsonb` gives its row: see [`from_page`]).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = responses, check_for_backend(diesel::pg::Pg))]
pub struct ResponseRow {
    pub id: ResponseId,
    pub question_id: QuestionId,
    pub kind: ResponseKind,
    pub status: ResponseStatus,
    pub body: String,
    pub author_name: String,
    pub author_position: String,
    pub responded_on: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The meeting a verbal response was given at.
    pub meeting_id: Option<MeetingId>,
    /// When the written follow-up a verbal response promised is due.
    pub follow_up_due_on: Option<NaiveDate>,
    /// The verbal response whose promised follow-up this written response is.
    pub follows_up_response_id: Option<ResponseId>,
}

/// A response with what it cites. Serialised as the audit log's snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    #[serde(flatten)]
    pub row: ResponseRow,
    pub recommendation_ids: Vec<RecommendationId>,
    pub action_ids: Vec<ActionId>,
    /// The published written response that provides the follow-up this (verbal)
    /// response promised, if any.
    pub followed_up_by: Option<ResponseId>,
}

impl ResponseRecord {
    /// Where the written follow-up this response promised stands on `today`: `none`
    /// while the response is a draft, since a promise exists only once the answer that
    /// made it is published (as the `follow_up=` filter counts).
    pub fn follow_up_status(&self, today: NaiveDate) -> FollowUpStatus {
        let promised = match self.row.status {
            ResponseStatus::Published => self.row.follow_up_due_on,
            ResponseStatus::Draft => None,
        };
        FollowUpStatus::of(promised, self.followed_up_by.is_some(), today)
    }
}

crate::logged_row!(ResponseRecord, "response", |record| record.row.id.0);
crate::versioned_row!(ResponseRow, "response", responses, ResponseId);

impl ResponseRecord {
    /// `row` with what this record cites: a change that leaves the citations alone.
    fn with_row(&self, row: ResponseRow) -> Self {
        Self {
            row,
            recommendation_ids: self.recommendation_ids.clone(),
            action_ids: self.action_ids.clone(),
            followed_up_by: self.followed_up_by,
        }
    }
}

/// One version of a response's text, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = response_versions, check_for_backend(diesel::pg::Pg))]
pub struct ResponseVersionRow {
    pub response_id: ResponseId,
    pub version: i32,
    pub kind: ResponseKind,
    pub body: String,
    pub author_name: String,
    pub author_position: String,
    pub responded_on: NaiveDate,
    pub correction_note: Option<String>,
    pub was_published: bool,
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = response_versions)]
struct NewVersionRow<'a> {
    response_id: ResponseId,
    version: i32,
    kind: ResponseKind,
    body: &'a str,
    author_name: &'a str,
    author_position: &'a str,
    responded_on: NaiveDate,
    correction_note: Option<&'a str>,
    was_published: bool,
    recorded_by: Option<String>,
}

#[derive(AsChangeset)]
#[diesel(table_name = responses)]
struct ResponseChangesRow<'a> {
    kind: Option<ResponseKind>,
    body: Option<&'a str>,
    author_name: Option<&'a str>,
    author_position: Option<&'a str>,
    responded_on: Option<NaiveDate>,
    meeting_id: Option<Option<MeetingId>>,
    follow_up_due_on: Option<Option<NaiveDate>>,
    follows_up_response_id: Option<Option<ResponseId>>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Who recorded a version, as `response_versions.recorded_by` keeps it.
fn recorded_by(actor: &Actor) -> String {
    match &actor.id {
        Some(id) => format!("{}:{id}", actor.kind),
        None => actor.kind.to_string(),
    }
}

/// Writes the version row for `row` as it now stands.
async fn record_version(
    conn: &mut DbConn,
    actor: &Actor,
    row: &ResponseRow,
    correction_note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(response_versions::table)
        .values(NewVersionRow {
            response_id: row.id,
            version: row.version,
            kind: row.kind,
            body: &row.body,
            author_name: &row.author_name,
            author_position: &row.author_position,
            responded_on: row.responded_on,
            correction_note,
            was_published: row.status == ResponseStatus::Published,
            recorded_by: Some(recorded_by(actor)),
        })
        .execute(conn)
        .await?;
    Ok(())
}

/// Logs a change that leaves the response as `after`: its version row (with the
/// correction's `note`), then its audit record and feed event as `action`.
async fn log_version(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    before: Option<&ResponseRecord>,
    after: ResponseRecord,
    note: Option<&str>,
) -> Result<ResponseRecord, ApiError> {
    record_version(conn, actor, &after.row, note).await?;
    changelog::publish(conn, actor, action, before, &after).await?;
    Ok(after)
}

/// A 409 unless a question in `status` can still be answered.
fn require_answerable(status: QuestionStatus) -> Result<(), ApiError> {
    if matches!(status, QuestionStatus::Rejected | QuestionStatus::Withdrawn) {
        return Err(ApiError::illegal_transition(
            format!("The question is {status}: it cannot be answered"),
            status.as_str(),
        ));
    }
    Ok(())
}

/// A 422 unless `responded_on` is on or after the day the question was asked.
fn require_after_question(responded_on: NaiveDate, asked_on: NaiveDate) -> Result<(), ApiError> {
    if responded_on < asked_on {
        return Err(ApiError::invalid(
            "responded_on",
            format!("must not be before the question was asked ({asked_on})"),
        ));
    }
    Ok(())
}

/// A 422 naming `field` unless every action in `ids` exists. (Read-only use of the
/// actions table, which the actions API owns.)
async fn require_actions_exist(conn: &mut DbConn, ids: &[ActionId], field: &str) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<ActionId> = actions::table
        .filter(actions::id.eq_any(ids))
        .select(actions::id)
        .load(conn)
        .await?;
    super::require_all_found(ids, &found, field, "action")
}

/// Replaces what response `id` cites.
async fn link(
    conn: &mut DbConn,
    id: ResponseId,
    recommendation_ids: Option<&[RecommendationId]>,
    action_ids: Option<&[ActionId]>,
) -> Result<(), ApiError> {
    if let Some(ids) = recommendation_ids {
        questions::require_recommendations_exist(conn, ids, "recommendation_ids").await?;
        diesel::delete(response_recommendations::table.filter(response_recommendations::response_id.eq(id)))
            .execute(conn)
            .await?;
        let rows: Vec<_> = ids
            .iter()
            .map(|r| {
                (
                    response_recommendations::response_id.eq(id),
                    response_recommendations::recommendation_id.eq(*r),
                )
            })
            .collect();
        if !rows.is_empty() {
            diesel::insert_into(response_recommendations::table)
                .values(rows)
                .execute(conn)
                .await?;
        }
    }
    if let Some(ids) = action_ids {
        require_actions_exist(conn, ids, "action_ids").await?;
        diesel::delete(response_actions::table.filter(response_actions::response_id.eq(id)))
            .execute(conn)
            .await?;
        let rows: Vec<_> = ids
            .iter()
            .map(|a| (response_actions::response_id.eq(id), response_actions::action_id.eq(*a)))
            .collect();
        if !rows.is_empty() {
            diesel::insert_into(response_actions::table)
                .values(rows)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

diesel::define_sql_function! {
    /// The recommendations response `response` cites, in id order (a migration defines it).
    fn response_recommendation_ids(response: diesel::sql_types::Uuid) -> diesel::sql_types::Array<diesel::sql_types::Uuid>;
}

diesel::define_sql_function! {
    /// The actions response `response` cites, in id order (a migration defines it).
    fn response_action_ids(response: diesel::sql_types::Uuid) -> diesel::sql_types::Array<diesel::sql_types::Uuid>;
}

diesel::define_sql_function! {
    /// The published written response that provides the follow-up verbal response
    /// `response` promised, if any (a migration defines it).
    fn response_followed_up_by(response: diesel::sql_types::Uuid) -> diesel::sql_types::Nullable<diesel::sql_types::Uuid>;
}

/// The recommendations and actions a response cites, as arrays in the statement that
/// loads it (one round trip instead of three); typed functions, so the statement stays
/// a cached prepared statement.
fn citations() -> (
    response_recommendation_ids<responses::id>,
    response_action_ids<responses::id>,
    response_followed_up_by<responses::id>,
) {
    (
        response_recommendation_ids(responses::id),
        response_action_ids(responses::id),
        response_followed_up_by(responses::id),
    )
}

/// A response as loaded with [`citations`].
type CitedRow = (ResponseRow, (Vec<RecommendationId>, Vec<ActionId>, Option<ResponseId>));

fn cited((row, (recommendation_ids, action_ids, followed_up_by)): CitedRow) -> ResponseRecord {
    ResponseRecord {
        row,
        recommendation_ids,
        action_ids,
        followed_up_by,
    }
}

/// Adds what each of `rows` cites.
async fn with_citations(conn: &mut DbConn, rows: Vec<ResponseRow>) -> Result<Vec<ResponseRecord>, ApiError> {
    let ids: Vec<ResponseId> = rows.iter().map(|r| r.id).collect();
    let recommendation_pairs: Vec<(ResponseId, RecommendationId)> = response_recommendations::table
        .filter(response_recommendations::response_id.eq_any(&ids))
        .select((
            response_recommendations::response_id,
            response_recommendations::recommendation_id,
        ))
        .order((
            response_recommendations::response_id,
            response_recommendations::recommendation_id,
        ))
        .load(conn)
        .await?;
    let action_pairs: Vec<(ResponseId, ActionId)> = response_actions::table
        .filter(response_actions::response_id.eq_any(&ids))
        .select((response_actions::response_id, response_actions::action_id))
        .order((response_actions::response_id, response_actions::action_id))
        .load(conn)
        .await?;
    let mut recommendations: HashMap<ResponseId, Vec<RecommendationId>> = HashMap::new();
    for (response, recommendation) in recommendation_pairs {
        recommendations.entry(response).or_default().push(recommendation);
    }
    let mut actions: HashMap<ResponseId, Vec<ActionId>> = HashMap::new();
    for (response, action) in action_pairs {
        actions.entry(response).or_default().push(action);
    }
    let promised: Vec<ResponseId> = rows
        .iter()
        .filter(|r| r.follow_up_due_on.is_some())
        .map(|r| r.id)
        .collect();
    let mut followed_up_by: HashMap<ResponseId, ResponseId> = HashMap::new();
    if !promised.is_empty() {
        let pairs: Vec<(Option<ResponseId>, ResponseId)> = responses::table
            .filter(responses::follows_up_response_id.eq_any(&promised))
            .filter(responses::kind.eq(ResponseKind::Written))
            .filter(responses::status.eq(ResponseStatus::Published))
            .select((responses::follows_up_response_id, responses::id))
            .order(responses::id.desc())
            .load(conn)
            .await?;
        // Newest first, so the earliest follow-up is the one kept (as in the SQL function).
        for (promise, follow_up) in pairs {
            if let Some(promise) = promise {
                followed_up_by.insert(promise, follow_up);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| ResponseRecord {
            recommendation_ids: recommendations.remove(&row.id).unwrap_or_default(),
            action_ids: actions.remove(&row.id).unwrap_or_default(),
            followed_up_by: followed_up_by.remove(&row.id),
            row,
        })
        .collect())
}

async fn with_citation(conn: &mut DbConn, row: ResponseRow) -> Result<ResponseRecord, ApiError> {
    with_citations(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a loaded response went missing")))
}

/// Drafts a response to question `question_id` (which must exist and be neither
/// rejected nor withdrawn), with its first version and its audit record.
pub async fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    question_id: QuestionId,
    new: &NewResponse,
    answers_for: &[Addressee],
) -> Result<ResponseRecord, ApiError> {
    conn.transaction(async |conn| {
        // Shared lock: the question cannot be rejected or withdrawn while this commits.
        let question: QuestionRow = questions_table::table
            .find(question_id)
            .select(QuestionRow::as_select())
            .for_share()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::not_found(format!("No question has id {question_id}")))?;
        require_answerer(question.status, question.addressed_to, answers_for, new.kind)?;
        require_answerable(question.status)?;
        require_after_question(new.responded_on, question.asked_on)?;
        require_occasion(
            conn,
            &question,
            Occasion {
                kind: new.kind,
                responded_on: new.responded_on,
                meeting_id: new.meeting_id,
                follow_up_due_on: new.follow_up_due_on,
                follows_up_response_id: new.follows_up_response_id,
            },
        )
        .await?;
        create(conn, actor, question_id, new, None, "response.created").await
    })
    .await
}

/// Creates a response imported from a published document, inside the caller's
/// transaction that has just created its question ([`questions::insert_imported`]):
/// already published, as version 1 with its version row, audited as
/// `response.imported`. Its `responded_on` is kept as published even when it is before
/// the question's date (the importer warns about that): the record must say what the
/// document says.
pub(super) async fn insert_imported(
    conn: &mut DbConn,
    actor: &Actor,
    question_id: QuestionId,
    new: &NewResponse,
    published_at: DateTime<Utc>,
) -> Result<ResponseRecord, ApiError> {
    create(conn, actor, question_id, new, Some(published_at), "response.imported").await
}

/// Writes a new response to question `question_id` with what it cites and its first
/// version, logged as `action`: a draft, or published at `published_at`.
async fn create(
    conn: &mut DbConn,
    actor: &Actor,
    question_id: QuestionId,
    new: &NewResponse,
    published_at: Option<DateTime<Utc>>,
    action: &str,
) -> Result<ResponseRecord, ApiError> {
    let status = match published_at {
        Some(_) => ResponseStatus::Published,
        None => ResponseStatus::Draft,
    };
    let row: ResponseRow = diesel::insert_into(responses::table)
        .values((
            responses::id.eq(ResponseId::generate()),
            responses::question_id.eq(question_id),
            responses::kind.eq(new.kind),
            responses::status.eq(status),
            responses::body.eq(new.body.as_str()),
            responses::author_name.eq(new.author_name.as_str()),
            responses::author_position.eq(new.author_position.as_str()),
            responses::responded_on.eq(new.responded_on),
            responses::published_at.eq(published_at),
            responses::meeting_id.eq(new.meeting_id),
            responses::follow_up_due_on.eq(new.follow_up_due_on),
            responses::follows_up_response_id.eq(new.follows_up_response_id),
        ))
        .returning(ResponseRow::as_returning())
        .get_result(conn)
        .await?;
    link(conn, row.id, Some(&new.recommendation_ids), Some(&new.action_ids)).await?;
    let record = ResponseRecord {
        row,
        recommendation_ids: new.recommendation_ids.clone(),
        action_ids: new.action_ids.clone(),
        followed_up_by: None,
    };
    log_version(conn, actor, action, None, record, None).await
}

/// Whether a caller who cannot see unpublished records may see `row`: it must be
/// published and its question public.
async fn publicly_visible(conn: &mut DbConn, row: &ResponseRow) -> Result<bool, ApiError> {
    if row.status != ResponseStatus::Published {
        return Ok(false);
    }
    let status: QuestionStatus = questions_table::table
        .find(row.question_id)
        .select(questions_table::status)
        .first(conn)
        .await?;
    Ok(status.is_public())
}

/// The response `id`; a draft (or a response to a question that is not public) is
/// not found unless `sees_unpublished`.
pub async fn find(conn: &mut DbConn, id: ResponseId, sees_unpublished: bool) -> Result<ResponseRecord, ApiError> {
    let loaded: CitedRow = responses::table
        .find(id)
        .select((ResponseRow::as_select(), citations()))
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| versioned::not_found::<ResponseRow>(id))?;
    if !sees_unpublished && !publicly_visible(conn, &loaded.0).await? {
        return Err(versioned::not_found::<ResponseRow>(id));
    }
    Ok(cited(loaded))
}

/// Every published response to question `id`, oldest first: what the question embeds.
pub async fn published_for_question(conn: &mut DbConn, id: QuestionId) -> Result<Vec<ResponseRecord>, ApiError> {
    let rows: Vec<CitedRow> = responses::table
        .filter(responses::question_id.eq(id))
        .filter(responses::status.eq(ResponseStatus::Published))
        .select((ResponseRow::as_select(), citations()))
        .order(responses::id.asc())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(cited).collect())
}

/// The question response `id` answers: 404 (as the response) when there is none.
async fn question_of(conn: &mut DbConn, id: ResponseId) -> Result<QuestionId, ApiError> {
    responses::table
        .find(id)
        .select(responses::question_id)
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| versioned::not_found::<ResponseRow>(id))
}

/// The published responses a question's page read with it
/// ([`super::questions::QuestionPage::published_responses`]).
pub fn from_page(published_responses: serde_json::Value) -> Result<Vec<ResponseRecord>, ApiError> {
    serde_json::from_value(published_responses)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading a question's published responses: {e}")))
}

/// What a feed entry for a response shows of its question.
#[derive(Debug, Clone, Queryable)]
pub struct QuestionSummary {
    pub reference: String,
    pub title: String,
    pub topics: Vec<String>,
}

/// The `limit` most recently updated published responses to public questions (what an
/// anonymous caller may read), optionally only those to questions with `topic` or to
/// question `question_id`, with a summary of their question: what a feed shows.
pub async fn latest_published(
    conn: &mut DbConn,
    topic: Option<&Topic>,
    question_id: Option<QuestionId>,
    limit: i64,
) -> Result<Vec<(ResponseRecord, QuestionSummary)>, ApiError> {
    let public: Vec<QuestionStatus> = QuestionStatus::ALL.iter().copied().filter(|s| s.is_public()).collect();
    let mut query = responses::table
        .inner_join(questions_table::table)
        .filter(responses::status.eq(ResponseStatus::Published))
        .filter(questions_table::status.eq_any(public))
        .select((
            ResponseRow::as_select(),
            (
                questions_table::reference,
                questions_table::title,
                questions_table::topics,
            ),
        ))
        .order((responses::updated_at.desc(), responses::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(topic) = topic {
        query = query.filter(questions_table::topics.contains(vec![topic.as_str().to_string()]));
    }
    if let Some(question_id) = question_id {
        query = query.filter(responses::question_id.eq(question_id));
    }
    let rows: Vec<(ResponseRow, QuestionSummary)> = query.load(conn).await?;
    let (rows, questions): (Vec<ResponseRow>, Vec<QuestionSummary>) = rows.into_iter().unzip();
    Ok(with_citations(conn, rows).await?.into_iter().zip(questions).collect())
}

/// Filters for [`list_for_question`].
#[derive(Debug, Default)]
pub struct ResponseFilter {
    pub status: Option<ResponseStatus>,
    /// Whether drafts are included (staff views).
    pub include_drafts: bool,
    /// A web search of the body (see [`super::search::matches`]).
    pub text: Option<String>,
}

/// One page of the responses to question `question_id` (which must be visible: 404
/// otherwise), oldest first.
pub async fn list_for_question(
    conn: &mut DbConn,
    question_id: QuestionId,
    filter: &ResponseFilter,
    page: &PageRequest,
) -> Result<(Vec<ResponseRecord>, Option<Cursor>), ApiError> {
    questions::find(conn, question_id, filter.include_drafts).await?;
    let mut query = responses::table
        .filter(responses::question_id.eq(question_id))
        .select(ResponseRow::as_select())
        .order(responses::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(responses::id.gt(ResponseId(after.id)));
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::search::matches("responses", text));
    }
    if !filter.include_drafts {
        query = query.filter(responses::status.eq(ResponseStatus::Published));
    }
    if let Some(status) = filter.status {
        query = query.filter(responses::status.eq(status));
    }
    let rows = query.load(conn).await?;
    let (rows, next) = page.finish(rows, |row| Cursor::by_id(row.id.0));
    Ok((with_citations(conn, rows).await?, next))
}

/// What a response says about when and where it was given, and what it promised or
/// keeps: checked together, on creation and after every change.
#[derive(Debug, Clone, Copy)]
struct Occasion {
    kind: ResponseKind,
    responded_on: NaiveDate,
    meeting_id: Option<MeetingId>,
    follow_up_due_on: Option<NaiveDate>,
    follows_up_response_id: Option<ResponseId>,
}

impl Occasion {
    /// The occasion of `row` as stored.
    fn of(row: &ResponseRow) -> Self {
        Self {
            kind: row.kind,
            responded_on: row.responded_on,
            meeting_id: row.meeting_id,
            follow_up_due_on: row.follow_up_due_on,
            follows_up_response_id: row.follows_up_response_id,
        }
    }
}

/// A 409 when `changes` would alter what the promise a verbal answer made depends on
/// (its `kind`, `meeting_id`, `responded_on` or `follow_up_due_on`) once the written
/// follow-up it promised is published: the promise is kept, and what was promised,
/// where and when, is part of that record. Setting a field to the value it has is no
/// change.
fn require_promise_unchanged(before: &ResponseRecord, changes: &ResponseChanges) -> Result<(), ApiError> {
    let Some(kept_by) = before.followed_up_by else {
        return Ok(());
    };
    let row = &before.row;
    let changed: Vec<&str> = [
        ("kind", changes.kind.is_some_and(|kind| kind != row.kind)),
        (
            "meeting_id",
            changes.meeting_id.is_some_and(|meeting| meeting != row.meeting_id),
        ),
        (
            "responded_on",
            changes.responded_on.is_some_and(|on| on != row.responded_on),
        ),
        (
            "follow_up_due_on",
            changes.follow_up_due_on.is_some_and(|due| due != row.follow_up_due_on),
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(format!(
        "The written follow-up this verbal answer promised is published as response {kept_by}: the promise is kept, so {} can no longer change",
        changed.join(", ")
    )))
}

/// A 422 unless `occasion` fits a response to `question`: its shape
/// ([`check_response_shape`]); a verbal response's meeting is one the question was put
/// at, already held ([`questions::meeting_question_was_put_at`]), and the answer is
/// dated the day of that meeting (`responded_on`): an answer given at a meeting is
/// given on its day; a written follow-up names a verbal response to the same question
/// that promised one, given on or before the follow-up's date.
async fn require_occasion(conn: &mut DbConn, question: &QuestionRow, occasion: Occasion) -> Result<(), ApiError> {
    let question_id = question.id;
    let errors = check_response_shape(
        occasion.kind,
        occasion.meeting_id.is_some(),
        occasion.responded_on,
        occasion.follow_up_due_on,
        occasion.follows_up_response_id.is_some(),
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if let Some(meeting_id) = occasion.meeting_id {
        let meeting = questions::meeting_question_was_put_at(conn, question, meeting_id, "a verbal answer").await?;
        if occasion.responded_on != meeting.held_on {
            return Err(ApiError::invalid(
                "responded_on",
                format!(
                    "must be the day of the meeting the answer was given at ({}): a verbal answer is dated the day it was given; this one says {}",
                    meeting.held_on, occasion.responded_on
                ),
            ));
        }
    }
    if let Some(promise_id) = occasion.follows_up_response_id {
        let field = "follows_up_response_id";
        let promise: ResponseRow = responses::table
            .find(promise_id)
            .select(ResponseRow::as_select())
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::invalid(field, format!("no response has id {promise_id}")))?;
        if promise.question_id != question_id {
            return Err(ApiError::invalid(
                field,
                "names a response to another question: a written follow-up answers the same question",
            ));
        }
        if promise.kind != ResponseKind::Verbal || promise.follow_up_due_on.is_none() {
            return Err(ApiError::invalid(
                field,
                "names a response that promised no written follow-up (only a verbal response with follow_up_due_on does)",
            ));
        }
        if occasion.responded_on < promise.responded_on {
            return Err(ApiError::invalid(
                "responded_on",
                format!(
                    "must not be before the verbal answer it follows up ({})",
                    promise.responded_on
                ),
            ));
        }
    }
    Ok(())
}

/// A 422 unless `changes` fit a response that is published (`correcting`) or a draft:
/// a correction must say why, and a draft's edit must not.
fn require_fitting_note(correcting: bool, changes: &ResponseChanges) -> Result<(), ApiError> {
    match (correcting, &changes.correction_note) {
        (false, Some(_)) => Err(ApiError::invalid(
            "correction_note",
            "is only for corrections to a published response; this one is a draft",
        )),
        (true, None) => Err(ApiError::invalid(
            "correction_note",
            "is required: the response is published, so a change is a correction and must say why",
        )),
        _ => Ok(()),
    }
}

/// A 403 unless the caller records answers for `addressed_to`: the Commissioner's
/// office answers questions put to the Commissioner, the Panel (its secretariat) those
/// put to the Panel. A question in `status` `referred` is answered by the organisation
/// it was referred to, whose reply the secretariat records (as it records the Panel's).
/// A `verbal` answer was given at a meeting, whose record the secretariat keeps: it
/// records verbal answers to any question (as does whoever answers the question).
fn require_answerer(
    status: QuestionStatus,
    addressed_to: Addressee,
    answers_for: &[Addressee],
    kind: ResponseKind,
) -> Result<(), ApiError> {
    if kind == ResponseKind::Verbal && answers_for.contains(&Addressee::Panel) {
        return Ok(());
    }
    if status == QuestionStatus::Referred {
        if answers_for.contains(&Addressee::Panel) {
            return Ok(());
        }
        return Err(ApiError::forbidden(
            "The question was referred to another organisation: the panel's secretariat records its reply",
        ));
    }
    if answers_for.contains(&addressed_to) {
        return Ok(());
    }
    Err(ApiError::forbidden(match addressed_to {
        Addressee::Commissioner => {
            "The question is put to the Commissioner: the Commissioner's office records its responses"
        }
        Addressee::Panel => "The question is put to the Panel: the panel's secretariat records its responses",
    }))
}

/// A 409 unless a response in `status` can be published: only a draft can.
fn require_draft(status: ResponseStatus) -> Result<(), ApiError> {
    if status != ResponseStatus::Draft {
        return Err(ApiError::illegal_transition(
            format!("The response is {status}: only a draft can be published"),
            status.as_str(),
        ));
    }
    Ok(())
}

/// Edits a draft, or corrects a published response (which needs a note), honouring
/// `If-Match`; either way a new version is recorded. Audited as `response.updated` or
/// `response.corrected`.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: ResponseId,
    if_match: &IfMatch,
    changes: &ResponseChanges,
    answers_for: &[Addressee],
) -> Result<ResponseRecord, ApiError> {
    conn.transaction(async |conn| {
        // The question first, then the response, as publishing takes them: a correction
        // that makes this response keep a promise must not race another follow-up.
        let question_id = question_of(conn, id).await?;
        let question = questions::lock(conn, question_id).await?;
        let before: ResponseRow = versioned::lock(conn, id, if_match).await?;
        let (status, addressed_to) = (question.status, question.addressed_to);
        require_answerer(status, addressed_to, answers_for, before.kind)?;
        let kind = changes.kind.unwrap_or(before.kind);
        require_answerer(status, addressed_to, answers_for, kind)?;
        let correcting = before.status == ResponseStatus::Published;
        require_fitting_note(correcting, changes)?;
        let before = with_citation(conn, before).await?;
        if changes.changes_nothing() {
            if correcting {
                return Err(ApiError::invalid(
                    "body",
                    "a correction must change at least one field besides correction_note",
                ));
            }
            return Ok(before);
        }
        require_promise_unchanged(&before, changes)?;
        if let Some(responded_on) = changes.responded_on {
            require_after_question(responded_on, question.asked_on)?;
        }
        let occasion = Occasion {
            kind,
            responded_on: changes.responded_on.unwrap_or(before.row.responded_on),
            meeting_id: changes.meeting_id.unwrap_or(before.row.meeting_id),
            follow_up_due_on: changes.follow_up_due_on.unwrap_or(before.row.follow_up_due_on),
            follows_up_response_id: changes
                .follows_up_response_id
                .unwrap_or(before.row.follows_up_response_id),
        };
        if occasion.follows_up_response_id == Some(id) {
            return Err(ApiError::invalid(
                "follows_up_response_id",
                "names this response itself: a follow-up follows up another, verbal response",
            ));
        }
        require_occasion(conn, &question, occasion).await?;
        // A correction that links a published response to a promise makes it keep that
        // promise at once: the same rules as publishing a follow-up.
        if let (true, Some(promise)) = (correcting, occasion.follows_up_response_id) {
            if before.row.follows_up_response_id != Some(promise) {
                require_promise_open(conn, id, promise).await?;
            }
        }
        link(
            conn,
            id,
            changes.recommendation_ids.as_deref(),
            changes.action_ids.as_deref(),
        )
        .await?;
        let row: ResponseRow = diesel::update(responses::table.find(id))
            .set(ResponseChangesRow {
                kind: changes.kind,
                body: changes.body.as_ref().map(|b| b.as_str()),
                author_name: changes.author_name.as_ref().map(|n| n.as_str()),
                author_position: changes.author_position.as_ref().map(|p| p.as_str()),
                responded_on: changes.responded_on,
                meeting_id: changes.meeting_id,
                follow_up_due_on: changes.follow_up_due_on,
                follows_up_response_id: changes.follows_up_response_id,
                updated_at: Utc::now(),
                version: before.row.next_version(),
            })
            .returning(ResponseRow::as_returning())
            .get_result(conn)
            .await?;
        let mut after = before.with_row(row);
        if let Some(ids) = &changes.recommendation_ids {
            after.recommendation_ids.clone_from(ids);
        }
        if let Some(ids) = &changes.action_ids {
            after.action_ids.clone_from(ids);
        }
        let action = if correcting {
            "response.corrected"
        } else {
            "response.updated"
        };
        let note = changes.correction_note.as_ref().map(|n| n.as_str());
        log_version(conn, actor, action, Some(&before), after, note).await
    })
    .await
}

/// Publishes a draft, honouring `If-Match`, and in the same transaction answers its
/// question if that is submitted or accepted (a 409 if it is rejected or withdrawn).
/// Returns the response and its question as they now stand.
pub async fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    id: ResponseId,
    if_match: &IfMatch,
    answers_for: &[Addressee],
) -> Result<(ResponseRecord, QuestionRecord), ApiError> {
    conn.transaction(async |conn| {
        // The question first, then the response: the same order as every other path
        // that locks both, so two publications cannot deadlock.
        let question_id = question_of(conn, id).await?;
        let question = questions::lock_record(conn, question_id).await?;
        let before: ResponseRow = versioned::lock(conn, id, if_match).await?;
        require_answerer(question.row.status, question.row.addressed_to, answers_for, before.kind)?;
        require_draft(before.status)?;
        require_answerable(question.row.status)?;
        // What was checked when the draft was written may have changed since (the
        // promise it follows up, the question's meeting): checked again, under the lock.
        require_occasion(conn, &question.row, Occasion::of(&before)).await?;
        if let Some(promise) = before.follows_up_response_id {
            require_promise_open(conn, id, promise).await?;
        }
        let question = if question.row.status.can_become(QuestionStatus::Answered) {
            questions::move_question(conn, actor, question, QuestionStatus::Answered, None).await?
        } else {
            question
        };
        let before = with_citation(conn, before).await?;
        let now = Utc::now();
        let row: ResponseRow = diesel::update(responses::table.find(id))
            .set((
                responses::status.eq(ResponseStatus::Published),
                responses::published_at.eq(Some(now)),
                responses::updated_at.eq(now),
                responses::version.eq(before.row.next_version()),
            ))
            .returning(ResponseRow::as_returning())
            .get_result(conn)
            .await?;
        let after = before.with_row(row);
        let after = log_version(conn, actor, "response.published", Some(&before), after, None).await?;
        Ok((after, question))
    })
    .await
}

/// A 409 unless the verbal answer `promise`, which response `id` follows up, is
/// published (so the public never sees the id of a draft) and no other published
/// response has already kept its promise (one follow-up per promise). Called under the
/// question's lock, which every publication on the question takes, so two follow-ups
/// published at once cannot both pass.
async fn require_promise_open(conn: &mut DbConn, id: ResponseId, promise: ResponseId) -> Result<(), ApiError> {
    let status: Option<ResponseStatus> = responses::table
        .find(promise)
        .select(responses::status)
        .first(conn)
        .await
        .optional()?;
    if status != Some(ResponseStatus::Published) {
        return Err(ApiError::conflict(format!(
            "The verbal answer {promise} that this follows up is not published: publish it first"
        )));
    }
    let kept: Option<ResponseId> = responses::table
        .filter(responses::follows_up_response_id.eq(promise))
        .filter(responses::status.eq(ResponseStatus::Published))
        .filter(responses::id.ne(id))
        .select(responses::id)
        .first(conn)
        .await
        .optional()?;
    match kept {
        Some(kept) => Err(ApiError::conflict(format!(
            "The written follow-up promised in {promise} is already published as response {kept}"
        ))),
        None => Ok(()),
    }
}

/// One page of the versions of response `id` (which must be visible: 404 otherwise),
/// oldest first: every version with `sees_unpublished`, otherwise only those recorded
/// while it was published (the drafts before publication were never public).
pub async fn versions(
    conn: &mut DbConn,
    id: ResponseId,
    sees_unpublished: bool,
    page: &PageRequest,
) -> Result<(Vec<ResponseVersionRow>, Option<Cursor>), ApiError> {
    find(conn, id, sees_unpublished).await?;
    let mut query = response_versions::table
        .filter(response_versions::response_id.eq(id))
        .select(ResponseVersionRow::as_select())
        .order(response_versions::version.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        // Any version number is a position in this list; the cursor's id is not needed.
        let version = i32::try_from(after.number()).unwrap_or(i32::MAX);
        query = query.filter(response_versions::version.gt(version));
    }
    if !sees_unpublished {
        query = query.filter(response_versions::was_published.eq(true));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_number(i64::from(row.version), row.response_id.0)))
}
