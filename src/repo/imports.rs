//! Imports of published question-and-response documents: a question and its published
//! response, created together in one transaction or not at all, once per document; and
//! the questions of a meeting's minutes, each in a transaction of its own, once per
//! question.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncConnection as _;

use super::meetings::{self, MeetingFilter, MeetingRow};
use super::organisations::{self, OrganisationFilter};
use super::questions::{self, Permit, QuestionRecord, QuestionRow, Source};
use super::responses::{self, ResponseRecord};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::meeting::{MeetingId, MeetingKind};
use crate::domain::organisation::{OrganisationId, OrganisationKind};
use crate::domain::question::{Grounds, NewQuestion, NewResponse, QuestionId, QuestionStatus, Referral, ResponseId};
use crate::domain::question_rules::Addressee;
use crate::domain::version::IfMatch;
use crate::error::ApiError;
use crate::import::minutes::{Planned, Ready};
use crate::pagination::PageRequest;

/// What an import did.
#[derive(Debug)]
pub enum Stored {
    /// The question and its published response, as created.
    Created {
        question: Box<QuestionRecord>,
        response: Box<ResponseRecord>,
    },
    /// A document with the same text was imported before: this question came from it,
    /// and nothing was created.
    AlreadyImported(Box<QuestionRow>),
}

/// Why the import's transaction ended without committing.
enum Abort {
    /// Another import of the same document committed first.
    Raced,
    Failed(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ApiError> for Abort {
    fn from(error: ApiError) -> Self {
        Self::Failed(error)
    }
}

/// Imports one document: unless a question from a document with the same hash exists,
/// creates `question` (answered, marked with `source`) and `response` (published), with
/// their audit records, in one transaction.
///
/// Importing the same document twice, even at the same moment, creates it once: the
/// second import finds the first's question, or (when both got past that check) loses
/// the race on the unique `source_hash`, rolls back and reports the winner's.
pub async fn store(
    conn: &mut DbConn,
    actor: &Actor,
    question: &NewQuestion,
    response: &NewResponse,
    source: Source<'_>,
) -> Result<Stored, ApiError> {
    let stored = conn
        .transaction(async |conn| {
            if let Some(existing) = questions::find_by_source_hash(conn, source.hash).await? {
                return Ok(Stored::AlreadyImported(Box::new(existing)));
            }
            let published_at = Utc::now();
            let question = questions::insert_imported(conn, actor, question, source, published_at)
                .await?
                .ok_or(Abort::Raced)?;
            let response = responses::insert_imported(conn, actor, question.row.id, response, published_at).await?;
            Ok::<_, Abort>(Stored::Created {
                question: Box::new(question),
                response: Box::new(response),
            })
        })
        .await;
    match stored {
        Ok(stored) => Ok(stored),
        Err(Abort::Failed(error)) => Err(error),
        Err(Abort::Raced) => questions::find_by_source_hash(conn, source.hash)
            .await?
            .map(|existing| Stored::AlreadyImported(Box::new(existing)))
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "an import lost the race on source_hash but the winner's question is not there"
                ))
            }),
    }
}

/// What storing one question of a minutes document did.
#[derive(Debug)]
pub enum StoredQuestion {
    /// The question was created (and answered, referred, rejected or accepted as the
    /// minutes say); `response_id` is its published answer, if it has one.
    Created {
        question: Box<QuestionRow>,
        response_id: Option<ResponseId>,
    },
    /// A question with the same key (the same words at the same meeting) was imported
    /// before: nothing was created.
    AlreadyImported(Box<QuestionRow>),
}

/// Whom the importer records answers for: it records what the published minutes say,
/// for the Commissioner's office and the Panel alike.
const ANSWERS_FOR: [Addressee; 2] = [Addressee::Commissioner, Addressee::Panel];

/// The panel meeting minutes are imported into: `meeting_id`, or the one panel meeting
/// held on `meeting_date` (not cancelled). It must have been held (not in the future,
/// by London's calendar). A 422 naming the parameter otherwise, or when neither or both
/// are given.
pub async fn minutes_meeting(
    conn: &mut DbConn,
    meeting_id: Option<MeetingId>,
    meeting_date: Option<NaiveDate>,
) -> Result<MeetingRow, ApiError> {
    let meeting = match (meeting_id, meeting_date) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "meeting_date",
                "give meeting_id or meeting_date, not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "meeting_id",
                "is required for minutes and 'Question by / Response by' pages: they do not say which of the \
                 panel's meetings they are of; give meeting_id, or meeting_date (YYYY-MM-DD) for the one panel \
                 meeting held that day",
            ))
        }
        (Some(id), None) => match meetings::find(conn, id, true).await {
            Ok(meeting) => meeting,
            Err(ApiError::NotFound(_)) => {
                return Err(ApiError::invalid("meeting_id", format!("no meeting has id {id}")))
            }
            Err(other) => return Err(other),
        },
        (None, Some(date)) => {
            let filter = MeetingFilter {
                organisation_id: None,
                kind: Some(MeetingKind::PanelMeeting),
                held_from: Some(date),
                held_to: Some(date),
                is_public: None,
                include_private: true,
            };
            let (found, _) = meetings::list(conn, &filter, &PageRequest { limit: 10, after: None }).await?;
            let found: Vec<MeetingRow> = found.into_iter().filter(|m| !m.cancelled).collect();
            match found.len() {
                1 => found
                    .into_iter()
                    .next()
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("counted one")))?,
                0 => {
                    return Err(ApiError::invalid(
                        "meeting_date",
                        format!(
                            "no panel meeting was held on {date}: create the meeting first (POST /api/v1/meetings), \
                             or give meeting_id"
                        ),
                    ))
                }
                n => {
                    let ids: Vec<String> = found.iter().map(|m| m.id.to_string()).collect();
                    return Err(ApiError::invalid(
                        "meeting_date",
                        format!(
                            "{n} panel meetings were held on {date} ({}): give the meeting_id of the one the \
                             minutes are of",
                            ids.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    if meeting.kind != MeetingKind::PanelMeeting {
        return Err(ApiError::invalid(
            "meeting_id",
            format!(
                "the meeting is a {}; public questions are put to a panel_meeting",
                meeting.kind
            ),
        ));
    }
    if meeting.cancelled {
        return Err(ApiError::invalid(
            "meeting_id",
            format!(
                "the meeting on {} was cancelled: no questions were put to it",
                meeting.held_on
            ),
        ));
    }
    let today = crate::domain::calendar::london_today();
    if meeting.held_on > today {
        return Err(ApiError::invalid(
            "meeting_id",
            format!(
                "the meeting is on {}, in the future (today is {today}): minutes record a meeting already held",
                meeting.held_on
            ),
        ));
    }
    Ok(meeting)
}

/// The one organisation of `kind` a question is referred to ("passed to the force"),
/// or why it cannot be told: none, or several.
pub async fn referral_target(
    conn: &mut DbConn,
    kind: OrganisationKind,
) -> Result<Result<OrganisationId, String>, ApiError> {
    let filter = OrganisationFilter {
        kind: Some(kind),
        name_contains: None,
    };
    let (found, _) = organisations::list(conn, &filter, &PageRequest { limit: 5, after: None }).await?;
    Ok(match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(format!(
            "the minutes say it was passed to the {kind}, but there is no organisation of kind {kind}: create it \
             first (POST /api/v1/organisations)"
        )),
        several => Err(format!(
            "the minutes say it was passed to the {kind}, but there are {} organisations of kind {kind} ({}): the \
             importer cannot tell which",
            several.len(),
            several.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    })
}

/// Stores one question of a minutes document at `meeting`, in a transaction of its own,
/// through the same repository functions (so the same rules, audit records and events)
/// as a question put through the API: the question is submitted to the meeting (a
/// supplementary recorded on its original, `parent`), marked with its `source` (the
/// document's name and the question's key, which is unique), then answered (the answer
/// published), referred to `referral` (the organisation), rejected or accepted as
/// `ready.planned` says. A question whose key was imported before creates nothing.
///
/// The minutes record questions the meeting took, so no question deadline applies
/// (the chair may take a late one); the panel's other rules (whom questions may be put
/// to, word limits, supplementaries) apply as they are.
pub async fn store_minutes_question(
    conn: &mut DbConn,
    actor: &Actor,
    key: &str,
    source_name: &str,
    ready: &Ready,
    parent: Option<QuestionId>,
    referral: Option<OrganisationId>,
) -> Result<StoredQuestion, ApiError> {
    if let Some(existing) = questions::find_by_source_hash(conn, key).await? {
        return Ok(StoredQuestion::AlreadyImported(Box::new(existing)));
    }
    let stored = conn
        .transaction(async |conn| {
            let record = match (&ready.supplementary, parent) {
                (Some(new), Some(original)) => questions::insert_supplementary(conn, actor, original, new).await?,
                (Some(_), None) => {
                    return Err(Abort::Failed(ApiError::invalid(
                        "parent_question_id",
                        "the question it is a supplementary to was not imported, so it cannot be linked",
                    )))
                }
                (None, _) => {
                    let submission = questions::Submission {
                        submitted_at: None,
                        sees_unpublished: true,
                        rate_limit: None,
                    };
                    questions::insert(conn, actor, &ready.question, &submission).await?
                }
            };
            let id = record.row.id;
            let source = Source {
                name: source_name,
                hash: key,
            };
            questions::record_source(conn, id, source).await?;
            if questions::find_by_source_hash(conn, key).await?.map(|row| row.id) != Some(id) {
                return Err(Abort::Raced);
            }
            let supplementary = ready.supplementary.is_some();
            let accept = async |conn: &mut DbConn| {
                questions::transition(
                    conn,
                    actor,
                    id,
                    &IfMatch::none(),
                    QuestionStatus::Accepted,
                    None,
                    Permit::Any,
                )
                .await
                .map(|_| ())
            };
            let mut response_id = None;
            match &ready.planned {
                Planned::Answer(new) => {
                    if !supplementary {
                        accept(conn).await?;
                    }
                    let draft = responses::insert(conn, actor, id, new, &ANSWERS_FOR).await?;
                    responses::publish(conn, actor, draft.row.id, &IfMatch::none(), &ANSWERS_FOR).await?;
                    response_id = Some(draft.row.id);
                }
                Planned::Refer { code, reason, .. } => {
                    let organisation_id = referral.ok_or_else(|| {
                        ApiError::invalid("referred_to", "no organisation to refer the question to was found")
                    })?;
                    let referral = Referral {
                        organisation_id,
                        code: *code,
                        reason: reason.clone(),
                    };
                    questions::transition(
                        conn,
                        actor,
                        id,
                        &IfMatch::none(),
                        QuestionStatus::Referred,
                        Some(Grounds::Referral(&referral)),
                        Permit::Any,
                    )
                    .await?;
                }
                Planned::Reject(rejection) => {
                    questions::transition(
                        conn,
                        actor,
                        id,
                        &IfMatch::none(),
                        QuestionStatus::Rejected,
                        Some(Grounds::Rejection(rejection)),
                        Permit::Any,
                    )
                    .await?;
                }
                Planned::Accept => {
                    if !supplementary {
                        accept(conn).await?;
                    }
                }
            }
            let question = questions::find(conn, id, true).await?;
            Ok::<_, Abort>(StoredQuestion::Created {
                question: Box::new(question.row),
                response_id,
            })
        })
        .await;
    match stored {
        Ok(stored) => Ok(stored),
        Err(abort) => match questions::find_by_source_hash(conn, key).await? {
            // Another import of the same question committed first.
            Some(existing) => Ok(StoredQuestion::AlreadyImported(Box::new(existing))),
            None => match abort {
                Abort::Failed(error) => Err(error),
                Abort::Raced => Err(ApiError::Internal(anyhow::anyhow!(
                    "a minutes import lost the race on its key but the winner's question is not there"
                ))),
            },
        },
    }
}
