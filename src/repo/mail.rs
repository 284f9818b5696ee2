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

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use super::events::{self, EventFilter, EventRow};
use super::subscriptions::{self, Follower};
use crate::db::schema::{mail_feed, mail_outbox, meetings, organisations, questions, subscription_digest_items};
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::question::QuestionId;
use crate::domain::subscription::{Digest, FollowedKind};
use crate::error::ApiError;

/// How long a sent or given-up message (without its address) is kept, for the runbook.
pub const KEEP_FINISHED_DAYS: i32 = 30;
/// Events older than this when the worker reaches them are not mailed: news that late
/// (mail was switched off, or the worker down for days) would mislead more than inform.
pub const STALE_AFTER_HOURS: i64 = 48;

pub use super::outbox::{Compose, NewMessage, News, NewsKind, QuestionNotice, Recipient};

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

/// Turns up to `batch` sequenced events into messages with `compose`: a questioner's
/// message for each event that concerns their question, and a subscriber's (or a line
/// of their next digest) for each public event that [`news_of`] finds news in. Moves
/// the mail position past the events in the same transaction; another instance doing
/// the same waits for this one (the position row is locked), then starts after it.
/// Returns how many messages were queued.
pub async fn fan_out(conn: &mut DbConn, batch: i64, compose: &dyn Compose) -> Result<usize, ApiError> {
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
                rows.extend(compose.question(event, &notice));
            }
        }
        let mut made = subscriptions::queue(conn, &rows).await?;
        // Subscribers hear of public changes only, as the public sees them.
        let public = events::list(conn, View::Public, position, batch, &EventFilter::default()).await?;
        for event in public.iter().filter(|event| event.id <= last) {
            if event.occurred_at < stale_before {
                continue;
            }
            if let Some(news) = news_of(conn, event).await? {
                made += tell(conn, &news, compose, event.occurred_at).await?;
            }
        }
        diesel::update(mail_feed::table)
            .set(mail_feed::position.eq(last))
            .execute(conn)
            .await?;
        Ok(made)
    })
    .await
}

/// Tells the followers of `news` who followed by `as_of`, when it happened (see
/// [`subscriptions::followers`]): a message each for those who want one at once, a line
/// of the next digest for the others. Returns how many messages were queued.
pub async fn tell(
    conn: &mut DbConn,
    news: &News,
    compose: &dyn Compose,
    as_of: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let followers = subscriptions::followers(conn, &news.targets, as_of).await?;
    let mut messages = Vec::new();
    for follower in followers {
        let Some(recipient) = recipient(conn, &follower).await? else {
            continue;
        };
        if recipient.digest == Digest::Daily {
            diesel::insert_into(subscription_digest_items::table)
                .values((
                    subscription_digest_items::subscription_id.eq(follower.id),
                    subscription_digest_items::event_key.eq(&news.key),
                    subscription_digest_items::line.eq(compose.digest_line(news)),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        } else {
            let unsubscribe = subscriptions::issue_unsubscribe_token(conn, follower.id).await?;
            messages.push(compose.news(news, &recipient, &unsubscribe));
        }
    }
    subscriptions::queue(conn, &messages).await
}

async fn recipient(conn: &mut DbConn, follower: &Follower) -> Result<Option<Recipient>, ApiError> {
    let Some(kind) = FollowedKind::parse(&follower.resource_type) else {
        return Ok(None);
    };
    let Some(followed) = subscriptions::describe(conn, kind, follower.resource_id).await? else {
        return Ok(None);
    };
    Ok(Some(Recipient {
        subscription_id: follower.id,
        email: follower.email.clone(),
        followed,
        digest: if follower.digest == "daily" {
            Digest::Daily
        } else {
            Digest::Immediate
        },
    }))
}

/// The question event types that are a change of status, and how a subscriber is told.
fn question_status_words(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "question.accepted" => "has been accepted",
        "question.answered" => "has been answered",
        "question.referred" => "has been referred to another body",
        "question.withdrawn" => "has been withdrawn",
        "question.rejected" => "has not been accepted",
        _ => return None,
    })
}

#[derive(QueryableByName)]
struct ActionFacts {
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    due_on: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    programme_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    report_ids: Vec<Uuid>,
}

/// An action's reference, title, due date, programme and the reports of its
/// recommendations: whose followers hear of it.
async fn action_facts(conn: &mut DbConn, id: Uuid) -> Result<Option<ActionFacts>, ApiError> {
    Ok(diesel::sql_query(
        "SELECT a.reference, a.title, a.due_on, a.programme_id,
                coalesce(array(SELECT DISTINCT r.report_id FROM action_recommendations ar
                                 JOIN recommendations r ON r.id = ar.recommendation_id
                                WHERE ar.action_id = a.id), '{}') AS report_ids
           FROM actions a WHERE a.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// The news about action `id`, of `kind`, known by `key`.
pub async fn action_news(
    conn: &mut DbConn,
    id: Uuid,
    kind: NewsKind,
    key: String,
    status: String,
    detail: String,
) -> Result<Option<News>, ApiError> {
    let Some(facts) = action_facts(conn, id).await? else {
        return Ok(None);
    };
    let mut targets = vec![(FollowedKind::Action, id)];
    targets.extend(facts.programme_id.map(|p| (FollowedKind::Programme, p)));
    targets.extend(facts.report_ids.iter().map(|r| (FollowedKind::Report, *r)));
    Ok(Some(News {
        key,
        kind,
        reference: facts.reference,
        title: facts.title,
        status,
        detail,
        due_on: facts.due_on.format("%-d %B %Y").to_string(),
        page: ("actions", id),
        targets,
    }))
}

#[derive(QueryableByName)]
struct OneText {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    value: Option<String>,
}

#[derive(QueryableByName)]
struct OneBool {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    value: bool,
}

/// The news a public event holds for subscribers, if any: a question's change of status
/// (its answer among them), a correction to a published answer, an action's change of
/// status, a progress update posted on an action. An action's status changed by a
/// progress update is told once, as the update.
pub async fn news_of(conn: &mut DbConn, event: &EventRow) -> Result<Option<News>, ApiError> {
    let key = format!("event:{}", event.id);
    let snapshot: serde_json::Value = match event.snapshot.as_deref() {
        Some(text) => serde_json::from_str(text).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?,
        None => serde_json::Value::Null,
    };
    let uuid_at = |field: &str| {
        snapshot
            .get(field)
            .and_then(|v| v.as_str())
            .and_then(|v| Uuid::parse_str(v).ok())
    };
    match (event.resource_type.as_str(), event.event_type.as_str()) {
        ("question", event_type) => {
            let Some(words) = question_status_words(event_type) else {
                return Ok(None);
            };
            question_news(
                conn,
                event.resource_id,
                NewsKind::QuestionStatus,
                key,
                words.into(),
                String::new(),
            )
            .await
        }
        ("response", "response.corrected") => {
            let Some(question_id) = uuid_at("question_id") else {
                return Ok(None);
            };
            let note: Option<OneText> = diesel::sql_query(
                "SELECT correction_note AS value FROM response_versions WHERE response_id = $1
                  ORDER BY version DESC LIMIT 1",
            )
            .bind::<SqlUuid, _>(event.resource_id)
            .get_result(conn)
            .await
            .optional()?;
            let note = note.and_then(|n| n.value).unwrap_or_default();
            question_news(conn, question_id, NewsKind::ResponseCorrected, key, String::new(), note).await
        }
        ("action_update", "action_update.posted") => {
            let Some(action_id) = uuid_at("action_id") else {
                return Ok(None);
            };
            let status = snapshot
                .get("status")
                .and_then(|v| v.as_str())
                .map(|s| format!("is now {}", s.replace('_', " ")))
                .unwrap_or_default();
            let body = snapshot.get("body").and_then(|v| v.as_str()).unwrap_or("").to_string();
            action_news(conn, action_id, NewsKind::ActionUpdate, key, status, body).await
        }
        ("action", "action.updated") => {
            let Some(now) = snapshot.get("status").and_then(|v| v.as_str()) else {
                return Ok(None);
            };
            let before: Option<OneText> = diesel::sql_query(
                "SELECT coalesce(public_snapshot, snapshot)->>'status' AS value FROM events
                  WHERE resource_type = 'action' AND resource_id = $1 AND id < $2
                  ORDER BY id DESC LIMIT 1",
            )
            .bind::<SqlUuid, _>(event.resource_id)
            .bind::<BigInt, _>(event.id)
            .get_result(conn)
            .await
            .optional()?;
            if before.and_then(|b| b.value).as_deref() == Some(now) {
                return Ok(None);
            }
            let by_update: OneBool = diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM events e JOIN events u ON u.txid = e.txid
                                 WHERE e.id = $1 AND u.event_type = 'action_update.posted') AS value",
            )
            .bind::<BigInt, _>(event.id)
            .get_result(conn)
            .await?;
            if by_update.value {
                return Ok(None);
            }
            let words = format!("is now {}", now.replace('_', " "));
            action_news(
                conn,
                event.resource_id,
                NewsKind::ActionStatus,
                key,
                words,
                String::new(),
            )
            .await
        }
        _ => Ok(None),
    }
}

async fn question_news(
    conn: &mut DbConn,
    id: Uuid,
    kind: NewsKind,
    key: String,
    status: String,
    detail: String,
) -> Result<Option<News>, ApiError> {
    let facts: Option<(String, String)> = questions::table
        .find(QuestionId(id))
        .select((questions::reference, questions::title))
        .first(conn)
        .await
        .optional()?;
    Ok(facts.map(|(reference, title)| News {
        key,
        kind,
        reference,
        title,
        status,
        detail,
        due_on: String::new(),
        page: ("questions", id),
        targets: vec![(FollowedKind::Question, id)],
    }))
}

#[derive(QueryableByName)]
struct Overdue {
    #[diesel(sql_type = SqlUuid)]
    action_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Date)]
    due_on: NaiveDate,
}

/// Notices every action that is overdue on `today` (London) and was not noticed for its
/// current due date, and tells its followers, once: the notice is recorded with the
/// action and due date as its key, so whichever instance gets there first tells, and a
/// new due date that passes in turn is news again. Returns how many messages were queued.
pub async fn notice_overdue(conn: &mut DbConn, today: NaiveDate, compose: &dyn Compose) -> Result<usize, ApiError> {
    conn.transaction(async |conn| {
        let noticed: Vec<Overdue> = diesel::sql_query(
            "INSERT INTO action_overdue_notices (action_id, due_on)
             SELECT id, due_on FROM actions
              WHERE status NOT IN ('completed', 'cancelled') AND due_on < $1
             ON CONFLICT DO NOTHING
             RETURNING action_id, due_on",
        )
        .bind::<diesel::sql_types::Date, _>(today)
        .load(conn)
        .await?;
        let mut made = 0;
        for overdue in noticed {
            let key = format!("overdue:{}:{}", overdue.action_id, overdue.due_on);
            if let Some(news) = action_news(
                conn,
                overdue.action_id,
                NewsKind::ActionOverdue,
                key,
                "is overdue".into(),
                String::new(),
            )
            .await?
            {
                made += tell(conn, &news, compose, Utc::now()).await?;
            }
        }
        Ok(made)
    })
    .await
}

#[derive(QueryableByName)]
struct DigestDue {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    email_hash: String,
    #[diesel(sql_type = Text)]
    resource_type: String,
    #[diesel(sql_type = SqlUuid)]
    resource_id: Uuid,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Sends each daily subscriber, at most once per London date `today`, the digest of
/// what was noted for them before `today` began: the subscription's `last_digest_on`
/// is set to `today` in the transaction that queues the digest, and rows are taken
/// with `SKIP LOCKED`, so instances never both send one. Returns how many were queued.
pub async fn send_digests(conn: &mut DbConn, today: NaiveDate, compose: &dyn Compose) -> Result<usize, ApiError> {
    conn.transaction(async |conn| {
        let due: Vec<DigestDue> = diesel::sql_query(
            "SELECT s.id, s.email, s.email_hash, s.resource_type, s.resource_id FROM subscriptions s
              WHERE s.digest = 'daily' AND s.confirmed_at IS NOT NULL
                AND (s.last_digest_on IS NULL OR s.last_digest_on < $1)
                AND EXISTS (SELECT 1 FROM subscription_digest_items i
                             WHERE i.subscription_id = s.id
                               AND i.noted_at < ($1::timestamp AT TIME ZONE 'Europe/London'))
              ORDER BY s.id
              LIMIT 100
              FOR UPDATE SKIP LOCKED",
        )
        .bind::<diesel::sql_types::Date, _>(today)
        .load(conn)
        .await?;
        let mut messages = Vec::new();
        for subscription in due {
            let lines: Vec<Line> = diesel::sql_query(
                "WITH gone AS (
                    DELETE FROM subscription_digest_items
                     WHERE subscription_id = $1 AND noted_at < ($2::timestamp AT TIME ZONE 'Europe/London')
                    RETURNING line, noted_at, event_key)
                 SELECT line FROM gone ORDER BY noted_at, event_key",
            )
            .bind::<SqlUuid, _>(subscription.id)
            .bind::<diesel::sql_types::Date, _>(today)
            .load(conn)
            .await?;
            diesel::sql_query("UPDATE subscriptions SET last_digest_on = $2 WHERE id = $1")
                .bind::<SqlUuid, _>(subscription.id)
                .bind::<diesel::sql_types::Date, _>(today)
                .execute(conn)
                .await?;
            let follower = Follower {
                id: subscription.id,
                email: subscription.email,
                email_hash: subscription.email_hash,
                resource_type: subscription.resource_type,
                resource_id: subscription.resource_id,
                digest: "daily".into(),
            };
            let Some(recipient) = recipient(conn, &follower).await? else {
                continue;
            };
            let lines: Vec<String> = lines.into_iter().map(|l| l.line).collect();
            let unsubscribe = subscriptions::issue_unsubscribe_token(conn, subscription.id).await?;
            messages.push(compose.digest(&recipient, today, &lines, &unsubscribe));
        }
        subscriptions::queue(conn, &messages).await
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
    /// The `List-Unsubscribe` URL of a subscriber's message.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub list_unsubscribe: Option<String>,
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
         RETURNING m.id, m.attempts, m.recipient, m.subject, m.body_text, m.body_html, m.created_at, m.list_unsubscribe",
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

/// Records an attempt: a sent or given-up message loses its address and unsubscribe
/// URL, and a subscriber's message its text too (its links carry tokens); one to retry
/// waits until its time.
pub async fn record(conn: &mut DbConn, id: Uuid, outcome: &Outcome) -> Result<(), ApiError> {
    let (status, error) = match outcome {
        Outcome::Retry(at, error) => {
            diesel::update(mail_outbox::table.find(id).filter(mail_outbox::status.eq("pending")))
                .set((
                    mail_outbox::next_attempt_at.eq(at),
                    mail_outbox::leased_until.eq(None::<DateTime<Utc>>),
                    mail_outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)
                .await?;
            return Ok(());
        }
        Outcome::Sent => ("sent", None),
        Outcome::Failed(error) => ("failed", Some(error.as_str())),
    };
    diesel::sql_query(
        "UPDATE mail_outbox
            SET status = $2, recipient = NULL, list_unsubscribe = NULL, leased_until = NULL,
                last_error = coalesce($3, last_error), finished_at = now(),
                body_text = CASE WHEN subscription_id IS NULL THEN body_text ELSE '' END,
                body_html = CASE WHEN subscription_id IS NULL THEN body_html ELSE '' END
          WHERE id = $1 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<diesel::sql_types::Nullable<Text>, _>(error)
    .execute(conn)
    .await?;
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

/// Deletes messages finished more than [`KEEP_FINISHED_DAYS`] ago, and subscriptions
/// left unconfirmed for [`subscriptions::UNCONFIRMED_DAYS`] (with their addresses).
/// Returns how many rows went.
pub async fn sweep(conn: &mut DbConn) -> Result<usize, ApiError> {
    let messages = diesel::sql_query(
        "DELETE FROM mail_outbox WHERE status <> 'pending' AND finished_at < now() - make_interval(days => $1)",
    )
    .bind::<Int4, _>(KEEP_FINISHED_DAYS)
    .execute(conn)
    .await?;
    Ok(messages + subscriptions::sweep(conn).await?)
}
