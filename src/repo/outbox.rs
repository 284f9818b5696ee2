//! What the e-mail outbox holds and what makes its messages: the types shared by
//! [`super::mail`] (the worker's side) and [`super::subscriptions`] (the public's).

use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::events::EventRow;
use crate::db::schema::mail_outbox;
use crate::domain::subscription::{Digest, FollowedKind, SubscriptionToken};

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
    /// The subscription a subscriber's message is for (none for a questioner's).
    pub subscription_id: Option<Uuid>,
    /// What a subscriber's message is about (`event:42`, `overdue:{action}:{due_on}`,
    /// `digest:{date}`, `confirm:{id}`): one message per subscription and key.
    pub event_key: Option<String>,
    /// The one-click unsubscribe URL (RFC 8058) of a subscriber's message.
    pub list_unsubscribe: Option<String>,
}

/// A subscription to be written to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub subscription_id: Uuid,
    pub email: String,
    /// What it follows, in words (`action M-1, "…"`).
    pub followed: String,
    pub digest: Digest,
}

/// Which message tells a subscriber of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewsKind {
    /// A question moved (accepted, answered, referred, withdrawn, …).
    QuestionStatus,
    /// A published answer to a question was corrected.
    ResponseCorrected,
    /// An action's status changed.
    ActionStatus,
    /// A progress update was posted on an action.
    ActionUpdate,
    /// An action passed its due date while open.
    ActionOverdue,
}

/// A change that subscribers are told of.
#[derive(Debug, Clone)]
pub struct News {
    /// What it is, uniquely: `event:{id}` or `overdue:{action}:{due_on}`.
    pub key: String,
    pub kind: NewsKind,
    /// The question's or action's reference and title.
    pub reference: String,
    pub title: String,
    /// The change in words (`has been answered`, `is now in progress`), if any.
    pub status: String,
    /// More about it: the progress update's text, the correction's note.
    pub detail: String,
    /// The action's due date (`14 July 2027`), for actions.
    pub due_on: String,
    /// The public page it is about: `questions` or `actions`, and the id.
    pub page: (&'static str, Uuid),
    /// Whose subscribers are told, most specific first: the question; or the action,
    /// its programme and the reports of its recommendations.
    pub targets: Vec<(FollowedKind, Uuid)>,
}

/// What makes messages: the mail worker's templates (see [`crate::mail`]).
pub trait Compose: Sync {
    /// A question event's message to its questioner, if it makes one.
    fn question(&self, event: &EventRow, notice: &QuestionNotice) -> Option<NewMessage>;
    /// The message asking `to` to confirm their subscription.
    fn confirmation(&self, to: &Recipient, confirm: &SubscriptionToken, unsubscribe: &SubscriptionToken) -> NewMessage;
    /// The message telling a subscriber of one change.
    fn news(&self, news: &News, to: &Recipient, unsubscribe: &SubscriptionToken) -> NewMessage;
    /// A digest line for one change.
    fn digest_line(&self, news: &News) -> String;
    /// A daily subscriber's digest of `lines`, as of `day`.
    fn digest(&self, to: &Recipient, day: NaiveDate, lines: &[String], unsubscribe: &SubscriptionToken) -> NewMessage;
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
