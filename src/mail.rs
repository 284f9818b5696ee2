//! E-mail notifications: the background task that turns the change feed into messages
//! and sends them over SMTP (see [`crate::repo::mail`] for why several instances can
//! run it at once and none sends a message twice).
//!
//! Off unless `SCRUTINY_SMTP_URL` and `SCRUTINY_MAIL_FROM` are set: then nothing is
//! queued or sent (the private follow link still works), and the service says so once
//! at start. Messages are plain text with an HTML alternative made from the same
//! template (`templates/mail/`), with no tracking of any kind: no pixels, no rewritten
//! links. A message the relay refuses for good (a 5xx answer) is given up at once; any
//! other failure is retried with exponential backoff and jitter until the retry window
//! has passed.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::background::Next;
use crate::config::{MailConfig, SmtpConfig};
use crate::db::DbPool;
use crate::domain::calendar::london_today;
use crate::domain::subscription::{Digest, SubscriptionToken};
use crate::domain::webhook::retry_delay;
use crate::metrics::{Metrics, OutcomeLabels};
use crate::repo::events::EventRow;
use crate::repo::mail::{
    self as repo, Claimed, Compose, NewMessage, News, NewsKind, Outcome, QuestionNotice, Recipient,
};

/// How often the worker looks for work on its own (new events wake it).
pub const FALLBACK: Duration = Duration::from_secs(10);
/// How often it looks while messages wait for a retry.
pub const RETRY_CHECK: Duration = Duration::from_secs(1);
/// The most events turned into messages in one go.
const FAN_OUT_BATCH: i64 = 500;
/// The most messages one instance claims in one round.
const CLAIM_BATCH: i64 = 20;
/// How long a claimed message is kept from other senders: longer than any send.
const LEASE: Duration = Duration::from_secs(120);
/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Says once, at start, whether mail is on, and warns when it is on for questioners
/// but following by e-mail is off because `SCRUTINY_BASE_URL` (`base_url_set`) is not
/// (the confirm and unsubscribe links of its messages must be absolute).
pub fn announce(config: &MailConfig, base_url_set: bool) {
    match &config.smtp {
        Some(smtp) if base_url_set => log::info!(
            "e-mail notifications and following by e-mail are on, sent from {}",
            smtp.from
        ),
        Some(smtp) => log::warn!(
            "e-mail notifications to questioners are on, sent from {}, but following by e-mail is off until \
             SCRUTINY_BASE_URL is set (its messages' links must be absolute): POST /api/v1/subscriptions \
             answers 503 mail-off",
            smtp.from
        ),
        None => log::info!(
            "e-mail notifications are off (SCRUTINY_SMTP_URL and SCRUTINY_MAIL_FROM are unset): no message is queued or sent"
        ),
    }
}

/// Turns the change feed into messages and sends them, for ever; returns at once when
/// mail is off. A database or relay outage is logged once and retried; nothing is
/// lost, since messages and the feed position live in the database.
pub async fn run(
    pool: DbPool,
    metrics: Arc<Metrics>,
    config: MailConfig,
    public_url_template: Option<String>,
    base_url: Option<String>,
    wake: Arc<Notify>,
) {
    let Some(smtp) = config.smtp.clone() else {
        return;
    };
    // Only the ring provider is compiled in; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = match transport(&smtp) {
        Ok(transport) => transport,
        Err(error) => {
            log::error!("e-mail notifications are off: the SMTP relay cannot be used ({error})");
            return;
        }
    };
    let from: Mailbox = match smtp.from.parse() {
        Ok(from) => from,
        Err(error) => {
            log::error!("e-mail notifications are off: SCRUTINY_MAIL_FROM is not a mailbox ({error})");
            return;
        }
    };
    let worker = Worker {
        pool,
        metrics,
        transport,
        templates: Templates::new(&from, public_url_template, base_url),
        from,
        config,
    };
    let worker = &worker;
    crate::background::repeat_when_woken("mail worker", FALLBACK, &wake, move |round| {
        worker.tick(round.is_multiple_of(25))
    })
    .await
}

/// The SMTP transport for `SCRUTINY_SMTP_URL`, read as lettre reads such URLs.
fn transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)?
        .timeout(Some(SMTP_TIMEOUT))
        .build())
}

struct Worker {
    pool: DbPool,
    metrics: Arc<Metrics>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    templates: Templates,
    from: Mailbox,
    config: MailConfig,
}

impl Worker {
    /// One round: turn new events into messages, then claim and send the due ones, one
    /// after another. The next round starts at once when this one had work, within
    /// [`RETRY_CHECK`] while messages wait, and otherwise when woken.
    async fn tick(&self, housekeeping: bool) -> anyhow::Result<Next> {
        let (made, claimed, waiting) = {
            let mut conn = self.pool.get().await?;
            if housekeeping {
                repo::sweep(&mut conn).await?;
                self.metrics.mail_pending.set(repo::pending(&mut conn).await?);
            }
            let today = london_today();
            let made = repo::fan_out(&mut conn, FAN_OUT_BATCH, &self.templates).await?
                + repo::notice_overdue(&mut conn, today, &self.templates).await?
                + repo::send_digests(&mut conn, today, &self.templates).await?;
            self.metrics
                .mail_messages
                .get_or_create(&OutcomeLabels { outcome: "queued" })
                .inc_by(made as u64);
            let claimed = repo::claim(&mut conn, CLAIM_BATCH, LEASE).await?;
            let waiting = claimed.is_empty() && repo::pending(&mut conn).await? > 0;
            // The connection goes back to the pool: none is held while sending.
            (made, claimed, waiting)
        };
        let full = claimed.len() as i64 == CLAIM_BATCH;
        for message in claimed {
            let outcome = self.send(&message).await;
            let label = match outcome {
                Outcome::Sent => "sent",
                Outcome::Retry(..) => "retrying",
                Outcome::Failed(_) => "failed",
            };
            self.metrics
                .mail_messages
                .get_or_create(&OutcomeLabels { outcome: label })
                .inc();
            // The message's id only, never its address (nor one quoted by the relay:
            // see `send`).
            match &outcome {
                Outcome::Sent => log::debug!("mail worker: message {} sent", message.id),
                Outcome::Retry(at, error) => {
                    log::debug!(
                        "mail worker: message {} not sent, to be tried again at {at}: {error}",
                        message.id
                    )
                }
                Outcome::Failed(error) => log::warn!("mail worker: message {} given up: {error}", message.id),
            }
            let mut conn = self.pool.get().await?;
            repo::record(&mut conn, message.id, &outcome).await?;
        }
        Ok(if made > 0 || full {
            Next::Now
        } else if waiting {
            Next::After(RETRY_CHECK)
        } else {
            Next::WhenWoken
        })
    }

    /// Sends one message and says what came of it, with no address in what it says: a
    /// relay's refusal usually quotes the recipient (`550 5.1.1 <…>: Recipient address
    /// rejected`), and the outcome is logged and kept.
    async fn send(&self, message: &Claimed) -> Outcome {
        match self.attempt(message).await {
            Outcome::Sent => Outcome::Sent,
            Outcome::Retry(at, error) => Outcome::Retry(at, redact_addresses(&error)),
            Outcome::Failed(error) => Outcome::Failed(redact_addresses(&error)),
        }
    }

    async fn attempt(&self, message: &Claimed) -> Outcome {
        let built = match build(&self.from, message) {
            Ok(built) => built,
            Err(error) => return Outcome::Failed(format!("the message could not be made: {error}")),
        };
        match self.transport.send(built).await {
            Ok(_) => Outcome::Sent,
            Err(error) if error.is_permanent() => Outcome::Failed(format!("the relay refused it: {error}")),
            Err(error) => match self.retry_at(message) {
                Some(at) => Outcome::Retry(at, error.to_string()),
                None => Outcome::Failed(format!("still failing when the retry window ended: {error}")),
            },
        }
    }

    /// When to try again: after the backoff delay, but no later than the end of the
    /// retry window; `None` once the window is over.
    fn retry_at(&self, message: &Claimed) -> Option<chrono::DateTime<Utc>> {
        let now = Utc::now();
        let window_end = message.created_at + chrono::Duration::from_std(self.config.retry_window).ok()?;
        if now >= window_end {
            return None;
        }
        let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
        let delay = retry_delay(self.config.retry_base, attempts, rand::random::<f64>());
        Some((now + chrono::Duration::from_std(delay).ok()?).min(window_end))
    }
}

/// `text` with every word that looks like an e-mail address (something, `@`, a domain
/// or address literal) replaced by `[address]`.
pub fn redact_addresses(text: &str) -> String {
    let is_local = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.\"".contains(c);
    let is_domain = |c: char| c.is_alphanumeric() || "-.[]:".contains(c);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let before = chars[..i].iter().rev().take_while(|c| is_local(**c)).count();
        let after = chars[i + 1..].iter().take_while(|c| is_domain(**c)).count();
        if before == 0 || after == 0 {
            out.push('@');
            i += 1;
            continue;
        }
        // The local part is in `out` already: take it back.
        for _ in 0..before {
            out.pop();
        }
        out.push_str("[address]");
        i += 1 + after;
    }
    out
}

/// The message as sent: plain text with an HTML alternative, and a `Message-ID` made
/// from the outbox row's id, so a message sent again after a lost acknowledgement is
/// recognisably the same message.
fn build(from: &Mailbox, message: &Claimed) -> anyhow::Result<Message> {
    let to: Mailbox = message.recipient.parse()?;
    let domain = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject)
        .message_id(Some(format!("<{}@{domain}>", message.id)))
        .header(header::Date::now());
    // RFC 8058 one-click unsubscribe: a mail client may POST `List-Unsubscribe=One-Click`
    // to the URL without showing the subscriber anything.
    if let Some(url) = &message.list_unsubscribe {
        builder = builder
            .raw_header(header::HeaderValue::new(
                header::HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(header::HeaderValue::new(
                header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        message.body_text.clone(),
        message.body_html.clone(),
    ))?)
}

/// The panel's name as messages and pages give it: the display name of
/// `SCRUTINY_MAIL_FROM`, else "The Panel".
pub fn panel_name(config: &crate::config::Config) -> String {
    config
        .mail
        .smtp
        .as_ref()
        .and_then(|smtp| smtp.from.parse::<Mailbox>().ok())
        .and_then(|from| from.name)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "The Panel".into())
}

/// The message templates (`templates/mail/`) and what fills them.
pub struct Templates {
    /// The panel's name: the display name of `SCRUTINY_MAIL_FROM`.
    panel: String,
    public_url_template: Option<String>,
    base_url: Option<String>,
}

const LAYOUT_HTML: &str = include_str!("../templates/mail/layout.html");

/// The template for a question event's message to its questioner.
fn question_template(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "question.accepted" => include_str!("../templates/mail/question_accepted.txt"),
        "question.rejected" => include_str!("../templates/mail/question_rejected.txt"),
        "question.referred" => include_str!("../templates/mail/question_referred.txt"),
        "question.answered" => include_str!("../templates/mail/question_answered.txt"),
        repo::FOLLOW_UP_EVENT => include_str!("../templates/mail/question_followed_up.txt"),
        _ => return None,
    })
}

impl Templates {
    fn new(from: &Mailbox, public_url_template: Option<String>, base_url: Option<String>) -> Self {
        Templates {
            panel: from
                .name
                .clone()
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "The Panel".into()),
            public_url_template,
            base_url,
        }
    }

    /// The templates for subscribers' messages as `config` sets them up: `None` when
    /// mail is off or `SCRUTINY_BASE_URL` is unset (an unsubscribe link must be absolute).
    pub fn for_subscriptions(config: &crate::config::Config) -> Option<Self> {
        let from: Mailbox = config.mail.smtp.as_ref()?.from.parse().ok()?;
        let base_url = config.base_url.clone()?;
        Some(Self::new(&from, config.public_url_template.clone(), Some(base_url)))
    }

    /// The API's URL of `path`: under `SCRUTINY_BASE_URL`.
    /// Where the links this service puts in its messages start: its own address
    /// (`SCRUTINY_BASE_URL`) and the front end's (`SCRUTINY_PUBLIC_URL_TEMPLATE` up to
    /// its first placeholder), each followed by `/` so that a look-alike host
    /// (`https://panel.example.gov.uk.evil.example`) does not match.
    fn own_links(&self) -> Vec<String> {
        let mut own = Vec::new();
        if let Some(base) = &self.base_url {
            own.push(format!("{}/", base.trim_end_matches('/')));
        }
        if let Some(template) = &self.public_url_template {
            let fixed = template.split('{').next().unwrap_or_default();
            // Up to the end of its host at least: `https://host/` or more.
            if fixed.matches('/').count() >= 3 {
                own.push(fixed.to_string());
            }
        }
        own
    }

    fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.as_deref().unwrap_or_default())
    }

    /// The one-click unsubscribe URL carrying `token`.
    fn unsubscribe_url(&self, token: &SubscriptionToken) -> String {
        self.api_url(&format!("/api/v1/subscriptions/unsubscribe?token={}", token.as_str()))
    }

    /// Where a subscriber confirms: the front end's page when
    /// `SCRUTINY_PUBLIC_URL_TEMPLATE` is set (`{type}` = `subscriptions/confirm`, `{id}` =
    /// the token), which `POST`s the token to `/api/v1/subscriptions/confirm`; else the
    /// API's own URL with the token, for a client to do the same.
    fn confirm_url(&self, token: &SubscriptionToken) -> String {
        match &self.public_url_template {
            Some(template) => template
                .replace("{type}", "subscriptions/confirm")
                .replace("{id}", token.as_str()),
            None => self.api_url(&format!("/api/v1/subscriptions/confirm?token={}", token.as_str())),
        }
    }

    /// A subscriber's message of `template` filled with `vars`.
    fn to_subscriber(
        &self,
        template: &str,
        vars: &[(&str, String)],
        to: &Recipient,
        key: String,
        kind: &str,
        unsubscribe: &SubscriptionToken,
    ) -> NewMessage {
        let unsubscribe_url = self.unsubscribe_url(unsubscribe);
        let mut all = vec![
            ("panel", self.panel.clone()),
            ("followed", to.followed.clone()),
            ("unsubscribe", unsubscribe_url.clone()),
        ];
        all.extend(vars.iter().cloned());
        let (subject, body_text, body_html) = render(template, &all, &self.own_links());
        NewMessage {
            id: Uuid::now_v7(),
            event_id: None,
            kind: kind.into(),
            recipient: Some(to.email.clone()),
            subject,
            body_text,
            body_html,
            subscription_id: Some(to.subscription_id),
            event_key: Some(key),
            list_unsubscribe: Some(unsubscribe_url),
        }
    }

    fn news_vars(&self, news: &News) -> Vec<(&'static str, String)> {
        vec![
            ("reference", news.reference.clone()),
            ("title", news.title.clone()),
            ("status", news.status.clone()),
            ("detail", news.detail.clone()),
            ("due_on", news.due_on.clone()),
            ("link", self.link(news.page.0, news.page.1).unwrap_or_default()),
        ]
    }

    /// The message telling a questioner what happened to their question.
    fn question_message(&self, event: &EventRow, notice: &QuestionNotice) -> Option<NewMessage> {
        let template = question_template(&event.event_type)?;
        let text = |field: &str| {
            notice
                .snapshot
                .get(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let public = event.event_type != "question.rejected";
        let reason = match event.event_type.as_str() {
            "question.rejected" => text("rejection_reason"),
            "question.referred" => text("referral_reason"),
            _ => String::new(),
        };
        let name = notice
            .snapshot
            .pointer("/asker/display_name")
            .and_then(|v| v.as_str())
            .filter(|name| !name.is_empty())
            .unwrap_or("there")
            .to_string();
        let vars = [
            ("panel", self.panel.clone()),
            ("name", name),
            ("reference", text("reference")),
            ("title", text("title")),
            ("reason", reason),
            (
                "referred_to",
                notice.referred_to.clone().unwrap_or_else(|| "another body".into()),
            ),
            ("meeting", notice.meeting.clone().unwrap_or_default()),
            (
                "link",
                if public {
                    self.link("questions", notice.question_id).unwrap_or_default()
                } else {
                    String::new()
                },
            ),
        ];
        let (subject, body_text, body_html) = render(template, &vars, &self.own_links());
        Some(NewMessage {
            id: Uuid::now_v7(),
            event_id: Some(event.id),
            kind: event.event_type.clone(),
            recipient: Some(notice.email.clone()),
            subject,
            body_text,
            body_html,
            subscription_id: None,
            event_key: None,
            list_unsubscribe: None,
        })
    }

    /// A resource's public page: the front end's (`SCRUTINY_PUBLIC_URL_TEMPLATE`) when
    /// set, else the API's when the service knows its own URL (`SCRUTINY_BASE_URL`).
    fn link(&self, kind: &str, id: Uuid) -> Option<String> {
        if let Some(template) = &self.public_url_template {
            return Some(template.replace("{type}", kind).replace("{id}", &id.to_string()));
        }
        self.base_url.as_ref().map(|base| format!("{base}/api/v1/{kind}/{id}"))
    }
}

/// The template of a subscriber's message about a change.
fn news_template(kind: NewsKind) -> &'static str {
    match kind {
        NewsKind::QuestionStatus => include_str!("../templates/mail/subscription_question_status.txt"),
        NewsKind::ResponseCorrected => include_str!("../templates/mail/subscription_response_corrected.txt"),
        NewsKind::ActionStatus => include_str!("../templates/mail/subscription_action_status.txt"),
        NewsKind::ActionUpdate => include_str!("../templates/mail/subscription_action_update.txt"),
        NewsKind::ActionOverdue => include_str!("../templates/mail/subscription_action_overdue.txt"),
    }
}

const CONFIRM_TEMPLATE: &str = include_str!("../templates/mail/subscription_confirm.txt");
const DIGEST_TEMPLATE: &str = include_str!("../templates/mail/subscription_digest.txt");

impl Compose for Templates {
    fn question(&self, event: &EventRow, notice: &QuestionNotice) -> Option<NewMessage> {
        self.question_message(event, notice)
    }

    fn confirmation(&self, to: &Recipient, confirm: &SubscriptionToken, unsubscribe: &SubscriptionToken) -> NewMessage {
        let daily = if to.digest == Digest::Daily { "yes" } else { "" };
        self.to_subscriber(
            CONFIRM_TEMPLATE,
            &[("confirm", self.confirm_url(confirm)), ("daily", daily.into())],
            to,
            format!("confirm:{}", Uuid::now_v7()),
            "subscription.confirm",
            unsubscribe,
        )
    }

    fn news(&self, news: &News, to: &Recipient, unsubscribe: &SubscriptionToken) -> NewMessage {
        let kind = match news.kind {
            NewsKind::QuestionStatus => "subscription.question_status",
            NewsKind::ResponseCorrected => "subscription.response_corrected",
            NewsKind::ActionStatus => "subscription.action_status",
            NewsKind::ActionUpdate => "subscription.action_update",
            NewsKind::ActionOverdue => "subscription.action_overdue",
        };
        self.to_subscriber(
            news_template(news.kind),
            &self.news_vars(news),
            to,
            news.key.clone(),
            kind,
            unsubscribe,
        )
    }

    /// The subject of the change's own message, and its link.
    fn digest_line(&self, news: &News) -> String {
        let (subject, _, _) = render(news_template(news.kind), &self.news_vars(news), &self.own_links());
        match self.link(news.page.0, news.page.1) {
            Some(link) => format!("- {subject}: {link}"),
            None => format!("- {subject}"),
        }
    }

    fn digest(
        &self,
        to: &Recipient,
        day: chrono::NaiveDate,
        lines: &[String],
        unsubscribe: &SubscriptionToken,
    ) -> NewMessage {
        self.to_subscriber(
            DIGEST_TEMPLATE,
            &[("lines", lines.join("\n"))],
            to,
            format!("digest:{day}"),
            "subscription.digest",
            unsubscribe,
        )
    }
}

/// Fills a template: its first line is `Subject: …`, then a blank line, then the body.
/// `{{name}}` is replaced by the value; `{{#name}}…{{/name}}` is kept only when the
/// value is not empty. The HTML alternative is the same text, escaped, a paragraph per
/// blank-line-separated block, in `layout.html`, where only the service's own links
/// (words starting with one of `own`, the addresses it makes links from) are made
/// clickable: a link in text someone else wrote (a question's title, a progress update)
/// stays plain text, so a message from the panel never carries another's link to click.
/// Returns the subject, the text and the HTML.
pub fn render(template: &str, vars: &[(&str, String)], own: &[String]) -> (String, String, String) {
    let value = |name: &str| vars.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v.as_str());
    // Sections first, so that a value is never read as template text.
    let mut text = template.to_string();
    for (name, _) in vars {
        let (open, close) = (format!("{{{{#{name}}}}}"), format!("{{{{/{name}}}}}"));
        while let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) {
            if end < start {
                break;
            }
            let inner = text[start + open.len()..end].to_string();
            let kept = if value(name).is_empty() { String::new() } else { inner };
            text.replace_range(start..end + close.len(), &kept);
        }
    }
    let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
    let subject_template = first.strip_prefix("Subject: ").unwrap_or(first).to_string();
    let body_template = body.trim_start_matches('\n').to_string();
    let fill = |template: &str, escape: bool| {
        let mut out = template.to_string();
        for (name, v) in vars {
            let v = if escape {
                crate::http::html::escape(v)
            } else {
                v.clone()
            };
            out = out.replace(&format!("{{{{{name}}}}}"), &v);
        }
        out
    };
    // A subject is one line whatever the values hold.
    let subject = fill(&subject_template, false).replace(['\r', '\n'], " ");
    let body_text = fill(&body_template, false);
    let own_escaped: Vec<String> = own
        .iter()
        .filter(|o| !o.is_empty())
        .map(|o| crate::http::html::escape(o))
        .collect();
    let paragraphs: Vec<String> = fill(&body_template, true)
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|line| linkify(line, &own_escaped)).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    let body_html = LAYOUT_HTML
        .replace("{{subject}}", &crate::http::html::escape(&subject))
        .replace("{{body}}", &paragraphs.join("\n"));
    (subject, body_text, body_html)
}

/// Makes each word of already-escaped text that starts with one of `own` (escaped
/// too) a link to itself.
fn linkify(escaped: &str, own: &[String]) -> String {
    escaped
        .split(' ')
        .map(|word| {
            if own.iter().any(|prefix| word.starts_with(prefix.as_str())) {
                format!("<a href=\"{word}\">{word}</a>")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_sections_and_escape_html_only_in_the_html() {
        let template = "Subject: About {{reference}}\n\nHello {{name}}.{{#meeting}} At {{meeting}}.{{/meeting}}\n\nSee https://x.example/q";
        let (subject, text, html) = render(
            template,
            &[
                ("reference", "PQ-1".into()),
                ("name", "<Ann & Bo> https://evil.example/login".into()),
                ("meeting", String::new()),
            ],
            &["https://x.example/".to_string()],
        );
        assert_eq!(subject, "About PQ-1");
        assert_eq!(
            text,
            "Hello <Ann & Bo> https://evil.example/login.\n\nSee https://x.example/q"
        );
        assert!(
            html.contains("<p>Hello &lt;Ann &amp; Bo&gt; https://evil.example/login.</p>"),
            "another's link stays text: {html}"
        );
        assert!(html.contains("<a href=\"https://x.example/q\">"), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        let (_, text, _) = render(template, &[("name", "A".into()), ("meeting", "the Panel".into())], &[]);
        assert!(text.starts_with("Hello A. At the Panel."), "{text}");
    }

    #[test]
    fn addresses_are_taken_out_of_a_relays_answer() {
        assert_eq!(
            redact_addresses(
                "permanent error (550): 5.1.1 <Refused.Private+x@Example.org>: Recipient address rejected"
            ),
            "permanent error (550): 5.1.1 <[address]>: Recipient address rejected"
        );
        assert_eq!(
            redact_addresses("to a@[127.0.0.1] and b@c.example, not @here or there@"),
            "to [address] and [address], not @here or there@"
        );
        assert_eq!(
            redact_addresses("Connection refused (os error 111)"),
            "Connection refused (os error 111)"
        );
    }

    #[test]
    fn a_subject_stays_on_one_line() {
        let (subject, _, _) = render("Subject: {{title}}\n\nx", &[("title", "a\r\nBcc: x@y".into())], &[]);
        assert!(!subject.contains('\n'));
    }
}
