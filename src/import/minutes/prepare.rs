//! From minutes read to the records an import creates at one meeting: for each question
//! a new question (or supplementary), what to do with it (publish an answer, refer it,
//! reject it, accept it), and its key. Pure, like the parser: storing is
//! `crate::repo::imports::store_minutes_question`'s business.

use chrono::{Days, NaiveDate};
use sha2::{Digest, Sha256};

use super::{DocumentKind, Due, Lines, MinutesOutcome, MinutesQuestion, Outcome, ParsedMinutes, Recognised, Unread};
use crate::domain::calendar::Calendar;
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::OrganisationKind;
use crate::domain::question::{
    AskerKind, NewQuestion, NewResponse, NewSupplementary, Note, ReferralCode, Rejection, ResponseKind,
};
use crate::domain::question_rules::Addressee;
use crate::domain::text::{Body, Name, Title};
use crate::error::FieldError;
use crate::import::{personal, title_from, AskerKind as ReadAskerKind, PANEL_ASKER, PUBLIC_ASKER};

/// The meeting the minutes are of, as the request names it.
#[derive(Debug, Clone, Copy)]
pub struct MeetingContext {
    pub id: MeetingId,
    pub held_on: NaiveDate,
}

/// What storing a question does after creating it.
#[derive(Debug, Clone)]
pub enum Planned {
    /// Accept it for the meeting, then publish this answer (which answers it).
    Answer(NewResponse),
    /// Refer it to the one organisation of this kind, with the ground and reason.
    Refer {
        to: OrganisationKind,
        code: ReferralCode,
        reason: Note,
    },
    /// Reject it with this ground and reason.
    Reject(Rejection),
    /// Accept it for the meeting, and leave it there (deferred, a written reply
    /// promised, or no outcome recorded).
    Accept,
}

/// A question ready to store: what to create and what to do with it.
#[derive(Debug, Clone)]
pub struct Ready {
    pub question: NewQuestion,
    /// For a supplementary: what `insert_supplementary` takes (its original is
    /// [`PreparedQuestion::parent`]).
    pub supplementary: Option<NewSupplementary>,
    pub planned: Planned,
}

/// One question of the minutes, prepared.
#[derive(Debug, Clone)]
pub struct PreparedQuestion {
    /// Its place in the document, from 1.
    pub index: usize,
    pub number: Option<String>,
    pub lines: Lines,
    /// Its stable key: the SHA-256 of its words (normalised) with the meeting's id and
    /// its original's key, so that importing the minutes again finds it.
    pub key: String,
    /// The original question's index (from 0) for a supplementary.
    pub parent: Option<usize>,
    pub asker_kind: AskerKind,
    pub asker_display_name: String,
    pub addressed_to: Addressee,
    pub title: String,
    pub outcome: MinutesOutcome,
    /// The answerer, for an answer.
    pub answered_by: Option<String>,
    /// When a written reply promised at the meeting is due, if the minutes say.
    pub follow_up_due_on: Option<NaiveDate>,
    pub recognised: Vec<Recognised>,
    pub warnings: Vec<String>,
    /// What to store, or why it cannot be.
    pub ready: Result<Ready, Vec<FieldError>>,
}

/// Minutes read and prepared for one meeting.
#[derive(Debug, Clone)]
pub struct PreparedMinutes {
    pub kind: DocumentKind,
    pub questions: Vec<PreparedQuestion>,
    pub unread: Vec<Unread>,
    pub recognised: Vec<Recognised>,
    pub warnings: Vec<String>,
}

/// The stable key of a question asked at `meeting`: its words compared as plain
/// lowercase words (so that punctuation, quotes, spacing and the minutes' numbering do
/// not matter), with its original's key for a supplementary.
pub fn question_key(meeting: MeetingId, parent_key: Option<&str>, text: &str) -> String {
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let material = format!(
        "scrutiny minutes question v1\n{meeting}\n{}\n{words}",
        parent_key.unwrap_or("")
    );
    format!("{:x}", Sha256::digest(material.as_bytes()))
}

/// Prepares every question of `minutes` for `meeting`. A question whose values cannot be
/// stored carries its errors (the others are unaffected).
pub fn prepare_minutes(minutes: &ParsedMinutes, meeting: MeetingContext) -> PreparedMinutes {
    let mut questions: Vec<PreparedQuestion> = Vec::new();
    for (index, read) in minutes.questions.iter().enumerate() {
        let parent_key = read
            .supplementary_to
            .and_then(|p| questions.get(p))
            .map(|p| p.key.clone());
        let prepared = prepare_question(index, read, meeting, parent_key.as_deref());
        questions.push(prepared);
    }
    PreparedMinutes {
        kind: minutes.kind,
        questions,
        unread: minutes.unread.clone(),
        recognised: minutes.recognised.clone(),
        warnings: minutes.warnings.clone(),
    }
}

/// A note (at most 2,000 characters) from the minutes' words, cut with a warning.
fn note(text: &str, warnings: &mut Vec<String>) -> Result<Note, FieldError> {
    const MAX: usize = 2_000;
    warnings.extend(personal::warning("the reason", text));
    let text = if text.chars().count() > MAX {
        warnings.push(format!("the reason was cut to its first {MAX} characters"));
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    };
    Note::parse("reason", text)
}

/// The day a written reply promised at the meeting on `held_on` is due.
fn due_on(due: Due, held_on: NaiveDate, warnings: &mut Vec<String>) -> Option<NaiveDate> {
    let date = match due {
        Due::On(date) => Some(date),
        Due::WorkingDays(n) => match Calendar::england_and_wales().add_working_days(held_on, n as i32) {
            Ok(date) => Some(date),
            Err(_) => {
                warnings.push(format!(
                    "{n} working days after {held_on} falls outside the years the calendar vouches for: no due date \
                     recorded"
                ));
                None
            }
        },
        Due::Days(n) => held_on.checked_add_days(Days::new(u64::from(n))),
        Due::Weeks(n) => held_on.checked_add_days(Days::new(u64::from(n) * 7)),
    };
    match date {
        Some(date) if date < held_on => {
            warnings.push(format!(
                "the written reply is said to be due on {date}, before the meeting on {held_on}: no due date recorded"
            ));
            None
        }
        Some(date) => {
            if !matches!(due, Due::On(_)) {
                warnings.push(format!(
                    "the written reply's due date, {date}, is counted from the meeting's day ({held_on}){}",
                    if matches!(due, Due::WorkingDays(_)) {
                        " in working days of England and Wales"
                    } else {
                        ""
                    }
                ));
            }
            Some(date)
        }
        None => None,
    }
}

/// The value, or `None` with its error kept.
fn keep<T>(result: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn prepare_question(
    index: usize,
    read: &MinutesQuestion,
    meeting: MeetingContext,
    parent_key: Option<&str>,
) -> PreparedQuestion {
    let mut warnings = read.warnings.clone();
    let asker_kind = match read.asker_kind {
        ReadAskerKind::MemberOfPublic => AskerKind::MemberOfPublic,
        ReadAskerKind::PanelMember => AskerKind::PanelMember,
    };
    let display = read.asker_name.clone().unwrap_or_else(|| {
        match asker_kind {
            AskerKind::MemberOfPublic => PUBLIC_ASKER,
            AskerKind::PanelMember => PANEL_ASKER,
        }
        .to_string()
    });
    let text = read.paragraphs.join("\n\n");
    let title = title_from(read.paragraphs.first().map_or("", String::as_str));
    let key = question_key(meeting.id, parent_key, &text);
    warnings.extend(personal::warning("the question", &text));
    let mut errors: Vec<FieldError> = Vec::new();
    let name = keep(Name::parse("asker", &display), &mut errors);
    let title_value = keep(Title::parse("questions", &title), &mut errors);
    let body = keep(Body::parse("questions", &text), &mut errors);
    let mut follow_up_due_on = None;
    let mut answered_by = None;
    let planned = match &read.outcome {
        Outcome::Answered {
            kind,
            answerer,
            body: answer,
            follow_up,
        } => {
            answered_by = Some(format!("{} ({})", answerer.name, answerer.position));
            follow_up_due_on = match follow_up {
                Some(Some(due)) => due_on(*due, meeting.held_on, &mut warnings),
                Some(None) => {
                    warnings.push(
                        "a written follow-up was promised without a date: no due date is recorded, so it will not \
                         show as due or overdue"
                            .to_string(),
                    );
                    None
                }
                None => None,
            };
            if *kind == ResponseKind::Written {
                warnings.push(format!(
                    "the minutes do not date the written response: dated the meeting's day, {}",
                    meeting.held_on
                ));
            }
            warnings.extend(personal::warning("the answer", answer));
            let response = (
                keep(Body::parse("response_body", answer), &mut errors),
                keep(Name::parse("author_name", &answerer.name), &mut errors),
                keep(Name::parse("author_position", &answerer.position), &mut errors),
            );
            match response {
                (Some(body), Some(author_name), Some(author_position)) => Some(Planned::Answer(NewResponse {
                    kind: *kind,
                    body,
                    author_name,
                    author_position,
                    responded_on: meeting.held_on,
                    recommendation_ids: Vec::new(),
                    action_ids: Vec::new(),
                    meeting_id: (*kind == ResponseKind::Verbal).then_some(meeting.id),
                    follow_up_due_on: follow_up_due_on.filter(|_| *kind == ResponseKind::Verbal),
                    follows_up_response_id: None,
                })),
                _ => None,
            }
        }
        Outcome::Referred { to, code, reason } => {
            keep(note(reason, &mut warnings), &mut errors).map(|reason| Planned::Refer {
                to: *to,
                code: *code,
                reason,
            })
        }
        Outcome::NotAccepted { code, reason } => keep(note(reason, &mut warnings), &mut errors)
            .map(|reason| Planned::Reject(Rejection { code: *code, reason })),
        Outcome::Deferred { .. } => {
            warnings.push(
                "deferred: the question is accepted for this meeting and left unanswered; put it to the meeting it \
                 was deferred to when that is known"
                    .to_string(),
            );
            Some(Planned::Accept)
        }
        Outcome::WrittenReplyPromised { due, .. } => {
            follow_up_due_on = due.and_then(|due| due_on(due, meeting.held_on, &mut warnings));
            warnings.push(match follow_up_due_on {
                Some(date) => format!(
                    "a written reply was promised (due {date}): the question stays accepted until it is recorded, \
                     and the due date is not stored (only a verbal answer carries one)"
                ),
                None => "a written reply was promised: the question stays accepted until it is recorded".to_string(),
            });
            Some(Planned::Accept)
        }
        Outcome::None => Some(Planned::Accept),
    };
    let ready = match (name, title_value, body, planned) {
        (Some(name), Some(title), Some(body), Some(planned)) if errors.is_empty() => {
            let supplementary = read.supplementary_to.map(|_| NewSupplementary {
                body: body.clone(),
                meeting_id: Some(meeting.id),
                asker_display_name: read.asker_name.as_ref().map(|_| name.clone()),
                title: None,
            });
            Ok(Ready {
                question: NewQuestion {
                    asker_kind,
                    asker_display_name: name,
                    asker_contact: None,
                    asker_user_id: None,
                    title,
                    body,
                    topics: Vec::new(),
                    asked_on: meeting.held_on,
                    meeting_id: Some(meeting.id),
                    parent_question_id: None,
                    recommendation_ids: Vec::new(),
                    addressed_to: read.addressed_to,
                },
                supplementary,
                planned,
            })
        }
        _ => Err(errors),
    };
    PreparedQuestion {
        index: index + 1,
        number: read.number.clone(),
        lines: read.lines,
        key,
        parent: read.supplementary_to,
        asker_kind,
        asker_display_name: display,
        addressed_to: read.addressed_to,
        title,
        outcome: read.outcome.label(),
        answered_by,
        follow_up_due_on,
        recognised: read.recognised.clone(),
        warnings,
        ready,
    }
}

/// A 422 row when the document names a meeting date other than the meeting given.
pub fn check_meeting_date(minutes: &ParsedMinutes, held_on: NaiveDate) -> Result<(), FieldError> {
    match minutes.meeting_date {
        Some((date, line)) if date != held_on => Err(FieldError::new(
            "meeting_id",
            format!(
                "the document is of the meeting on {date} (line {line}), but the meeting given was held on {held_on}: \
                 give the meeting the minutes are of"
            ),
        )),
        _ => Ok(()),
    }
}
