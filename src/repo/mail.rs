//! The e-mail outbox: messages made from the change feed, and every attempt to send them.
//!
//! The change feed is the outbox of every change: a change's event is written in the
//! change's own transaction (see [`super::changelog`]), so a notification can neither
//! be lost when the change commits nor sent when it rolls back. [`fan_out`] turns each
//! sequenced event that concerns someone who asked to be told into a row of
//! `mail_outbox`, at most once: the single `mail_feed` row is locked while it does so
//! and moves past the events in the same transaction. [`claim`] hands due messages to
//! one sender at a time (`FOR UPDATE SKIP LOCKED` and a lease), so instances sharing
//! the database never send one message at once, and a message whose sender died is
//! taken up again when its lease ends.
//!
//! Addresses are personal data: a row keeps its recipient only while it waits to be
//! sent; sending it or giving it up clears the address, and [`sweep`] deletes finished
//! rows after [`KEEP_FINISHED_DAYS`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use super::events::{self, EventFilter, EventRow};
use crate::db::schema::{mail_feed, mail_outbox, meetings, organisations, questions};
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::question::QuestionId;
use crate::error::ApiError;

/// How long a sent or given-up message (without its address) is kept, for the runbook.
pub const KEEP_FINISHED_DAYS: i32 = 30;
/// Events older than this when the worker reaches them are not mailed: news that late
/// (mail was switched off, or the worker down for days) would mislead more than inform.
pub const STALE_AFTER_HOURS: i64 = 48;

/// A message to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewMessage {
    pub id: Uuid,
    pub event_id: Option<i64>,
    pub kind: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// What a question's notification needs to know, beyond the event's snapshot.
#[derive(Debug, Clone)]
pub struct QuestionNotice {
    /// The questioner's address.
    pub email: String,
    /// The question as staff see it in the feed (never with contact details).
    pub snapshot: serde_json::Value,
    /// The organisation it was referred to, when it was.
    pub referred_to: Option<String>,
    /// The meeting it was accepted for, in words (`Panel meeting, 14 January 2027`).
    pub meeting: Option<String>,
    /// The question's id (the event's resource is a response for a follow-up).
    pub question_id: Uuid,
}

/// The event of a response being published: a questioner is told of it when the response
/// is the written follow-up promised at a meeting (it names the verbal answer in
/// `follows_up_response_id`). The first answer is told by `question.answered`.
pub const FOLLOW_UP_EVENT: &str = "response.published";

/// The events that tell a questioner something about their question.
pub const QUESTIONER_EVENTS: [&str; 4] = [
    "question.accepted",
    "question.rejected",
    "question.referred",
    "question.answered",
];

/// Turns up to `batch` sequenced events into messages with `compose` (which gets the
/// event and what it concerns, and gives the message to queue, if any), and moves the
/// mail position past them, in one transaction; another instance doing the same waits
/// for this one (the position row is locked), then starts after it. Returns how many
/// messages were queued.
pub async fn fan_out<F>(conn: &mut DbConn, batch: i64, compose: F) -> Result<usize, ApiError>
where
    F: Fn(&EventRow, &QuestionNotice) -> Option<NewMessage> + Sync,
{
    conn.transaction(async |conn| {
        let position: i64 = mail_feed::table
            .select(mail_feed::position)
            .for_update()
            .first(conn)
            .await?;
        let events = events::list(conn, View::Staff, position, batch, &EventFilter::default()).await?;
        let Some(last) = events.last().map(|event| event.id) else {
            return Ok(0);
        };
        let stale_before = Utc::now() - chrono::Duration::hours(STALE_AFTER_HOURS);
        let mut rows = Vec::new();
        for event in &events {
            if event.occurred_at < stale_before {
                continue;
            }
            let notice = if event.resource_type == "question" && QUESTIONER_EVENTS.contains(&event.event_type.as_str())
            {
                question_notice(conn, event).await?
            } else if event.resource_type == "response" && event.event_type == FOLLOW_UP_EVENT {
                follow_up_notice(conn, event).await?
            } else {
                None
            };
            if let Some(notice) = notice {
                rows.extend(compose(event, &notice));
            }
        }
        let made = if rows.is_empty() {
            0
        } else {
            diesel::insert_into(mail_outbox::table)
                .values(&rows)
                .execute(conn)
                .await?
        };
        diesel::update(mail_feed::table)
            .set(mail_feed::position.eq(last))
            .execute(conn)
            .await?;
        Ok(made)
    })
    .await
}

/// What a question event needs to become a message to its questioner: `None` when the
/// questioner gave no e-mail address (or the question is gone).
async fn question_notice(conn: &mut DbConn, event: &EventRow) -> Result<Option<QuestionNotice>, ApiError> {
    let Some(snapshot) = event.snapshot.as_deref() else {
        return Ok(None);
    };
    let contact: Option<Option<serde_json::Value>> = questions::table
        .find(QuestionId(event.resource_id))
        .select(questions::asker_contact)
        .first(conn)
        .await
        .optional()?;
    let Some(email) = contact
        .flatten()
        .and_then(|contact| contact.get("email").and_then(|e| e.as_str()).map(str::to_string))
        .filter(|email| !email.is_empty())
    else {
        return Ok(None);
    };
    let snapshot: serde_json::Value =
        serde_json::from_str(snapshot).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let referred_to = match snapshot
        .get("referred_to_organisation_id")
        .and_then(|id| id.as_str())
        .and_then(|id| Uuid::parse_str(id).ok())
    {
        Some(id) if event.event_type == "question.referred" => organisations::table
            .find(crate::domain::organisation::OrganisationId(id))
            .select(organisations::name)
            .first(conn)
            .await
            .optional()?,
        _ => None,
    };
    let meeting = match snapshot
        .get("meeting_id")
        .and_then(|id| id.as_str())
        .and_then(|id| Uuid::parse_str(id).ok())
    {
        Some(id) if event.event_type == "question.accepted" => meetings::table
            .find(crate::domain::meeting::MeetingId(id))
            .select((meetings::title, meetings::held_on))
            .first::<(String, chrono::NaiveDate)>(conn)
            .await
            .optional()?
            .map(|(title, held_on)| format!("{title}, {}", held_on.format("%-d %B %Y"))),
        _ => None,
    };
    Ok(Some(QuestionNotice {
        email,
        snapshot,
        referred_to,
        meeting,
        question_id: event.resource_id,
    }))
}

/// What a published written follow-up needs to become a message to the questioner:
/// `None` unless the response follows up a promise, or when the questioner gave no
/// e-mail address. The snapshot is the question's reference, title and asker, read now.
async fn follow_up_notice(conn: &mut DbConn, event: &EventRow) -> Result<Option<QuestionNotice>, ApiError> {
    let Some(snapshot) = event.snapshot.as_deref() else {
        return Ok(None);
    };
    let response: serde_json::Value =
        serde_json::from_str(snapshot).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    if response
        .get("follows_up_response_id")
        .is_none_or(serde_json::Value::is_null)
    {
        return Ok(None);
    }
    let Some(question_id) = response
        .get("question_id")
        .and_then(|id| id.as_str())
        .and_then(|id| Uuid::parse_str(id).ok())
    else {
        return Ok(None);
    };
    let question: Option<(Option<serde_json::Value>, String, String, String)> = questions::table
        .find(QuestionId(question_id))
        .select((
            questions::asker_contact,
            questions::reference,
            questions::title,
            questions::asker_display_name,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((contact, reference, title, display_name)) = question else {
        return Ok(None);
    };
    let Some(email) = contact
        .and_then(|contact| contact.get("email").and_then(|e| e.as_str()).map(str::to_string))
        .filter(|email| !email.is_empty())
    else {
        return Ok(None);
    };
    Ok(Some(QuestionNotice {
        email,
        snapshot: serde_json::json!({
            "reference": reference,
            "title": title,
            "asker": {"display_name": display_name},
        }),
        referred_to: None,
        meeting: None,
        question_id,
    }))
}

/// A message handed to one sender.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Text)]
    pub body_text: String,
    #[diesel(sql_type = Text)]
    pub body_html: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// Takes up to `limit` due messages, leased for `lease`: until then no other sender
/// takes them. The attempt is counted now, so a sender that dies mid-send still counts
/// it. Two senders racing for the same rows settle it through `SKIP LOCKED` and the
/// lease condition checked again on the locked row.
pub async fn claim(conn: &mut DbConn, limit: i64, lease: Duration) -> Result<Vec<Claimed>, ApiError> {
    Ok(diesel::sql_query(
        "WITH due AS (
            SELECT id FROM mail_outbox
            WHERE status = 'pending' AND next_attempt_at <= now()
              AND (leased_until IS NULL OR leased_until < now())
            ORDER BY next_attempt_at, created_at, id
            LIMIT $1
            FOR UPDATE SKIP LOCKED)
         UPDATE mail_outbox m
            SET leased_until = now() + make_interval(secs => $2::double precision / 1000),
                attempts = m.attempts + 1
           FROM due
          WHERE m.id = due.id
         RETURNING m.id, m.attempts, m.recipient, m.subject, m.body_text, m.body_html, m.created_at",
    )
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
    .load(conn)
    .await?)
}

/// What came of one attempt to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at this time, after this error.
    Retry(DateTime<Utc>, String),
    /// Given up, after this error.
    Failed(String),
}

/// Records an attempt: a sent or given-up message loses its address; one to retry
/// waits until its time.
pub async fn record(conn: &mut DbConn, id: Uuid, outcome: &Outcome) -> Result<(), ApiError> {
    let target = mail_outbox::table.find(id).filter(mail_outbox::status.eq("pending"));
    match outcome {
        Outcome::Sent => {
            diesel::update(target)
                .set((
                    mail_outbox::status.eq("sent"),
                    mail_outbox::recipient.eq(None::<String>),
                    mail_outbox::leased_until.eq(None::<DateTime<Utc>>),
                    mail_outbox::finished_at.eq(Some(Utc::now())),
                ))
                .execute(conn)
                .await?
        }
        Outcome::Retry(at, error) => {
            diesel::update(target)
                .set((
                    mail_outbox::next_attempt_at.eq(at),
                    mail_outbox::leased_until.eq(None::<DateTime<Utc>>),
                    mail_outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)
                .await?
        }
        Outcome::Failed(error) => {
            diesel::update(target)
                .set((
                    mail_outbox::status.eq("failed"),
                    mail_outbox::recipient.eq(None::<String>),
                    mail_outbox::leased_until.eq(None::<DateTime<Utc>>),
                    mail_outbox::last_error.eq(Some(error)),
                    mail_outbox::finished_at.eq(Some(Utc::now())),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// Messages waiting to be sent or retried.
pub async fn pending(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq("pending"))
        .count()
        .get_result(conn)
        .await?)
}

/// Deletes messages finished more than [`KEEP_FINISHED_DAYS`] ago. Returns how many.
pub async fn sweep(conn: &mut DbConn) -> Result<usize, ApiError> {
    Ok(diesel::sql_query(
        "DELETE FROM mail_outbox WHERE status <> 'pending' AND finished_at < now() - make_interval(days => $1)",
    )
    .bind::<Int4, _>(KEEP_FINISHED_DAYS)
    .execute(conn)
    .await?)
}
