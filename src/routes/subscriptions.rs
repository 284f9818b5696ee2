//! `/api/v1/subscriptions`: following a public question, action, programme or report by
//! e-mail, with double opt-in and one-click unsubscribe (RFC 8058).
//!
//! The address is personal data: no answer here shows it except `admin`'s list, and
//! none says whether an address already follows something. A confirmation or
//! unsubscribe link that leads nowhere (never issued, used, expired, malformed) is
//! always the same 404.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::ActionId;
use crate::domain::programme::ProgrammeId;
use crate::domain::question::QuestionId;
use crate::domain::report::ReportId;
use crate::domain::subscription::{parse_email, Digest, FollowedKind, SubscriptionToken};
use crate::error::{responses, ApiError, FieldError};
use crate::http::caching::Caching;
use crate::http::caller::{Caller, ManageAccounts, Require};
use crate::http::html::{accepts_html, template, Page};
use crate::http::{Body, Json, Query};
use crate::mail::Templates;
use crate::metrics::OutcomeLabels;
use crate::repo::rate_limits::{self, SUBSCRIPTION_LINK_REQUESTS_PER_ADDRESS};
use crate::repo::subscriptions::{self as repo, NewSubscription};

/// A request to follow something by e-mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "resident@example.org", "action_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "digest": "daily"}))]
pub struct CreateSubscriptionRequest {
    /// Where to write: an address at a public mail domain, at most 254 characters (64
    /// before the `@`).
    pub email: String,
    /// A public question to follow. Exactly one of `question_id`, `action_id`,
    /// `programme_id` and `report_id`.
    pub question_id: Option<Uuid>,
    /// An action to follow: its status changes, progress updates and falling overdue.
    pub action_id: Option<Uuid>,
    /// A programme to follow: what its actions' followers are told.
    pub programme_id: Option<Uuid>,
    /// A report to follow: what the followers of the actions on its recommendations are told.
    pub report_id: Option<Uuid>,
    /// `immediate` (default): a message per change; `daily`: one message a day (London
    /// date) listing the changes of the days before.
    pub digest: Option<Digest>,
}

/// The answer to a request to follow something: the same whatever the address.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionRequested {
    /// Always `confirmation_sent`: a confirmation link is on its way to the address,
    /// unless it follows this already (the answer does not say which).
    #[schema(example = "confirmation_sent")]
    pub status: &'static str,
    /// In words, for whoever asked.
    #[schema(
        example = "If this address can receive mail, a link to confirm has been sent to it. Nothing is sent until it is used; it works for 7 days."
    )]
    pub detail: &'static str,
}

impl CreateSubscriptionRequest {
    fn parse(self) -> Result<NewSubscription, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let email = parse_email("email", &self.email).map_err(|e| errors.push(e)).ok();
        let named: Vec<(FollowedKind, Uuid)> = [
            (FollowedKind::Question, self.question_id),
            (FollowedKind::Action, self.action_id),
            (FollowedKind::Programme, self.programme_id),
            (FollowedKind::Report, self.report_id),
        ]
        .into_iter()
        .filter_map(|(kind, id)| id.map(|id| (kind, id)))
        .collect();
        let target = match named.as_slice() {
            [one] => Some(*one),
            [] => {
                errors.push(FieldError::new(
                    "question_id",
                    "one of question_id, action_id, programme_id and report_id is required",
                ));
                None
            }
            [_, second, ..] => {
                errors.push(FieldError::new(
                    second.0.field(),
                    "only one of question_id, action_id, programme_id and report_id may be given",
                ));
                None
            }
        };
        match (email, target) {
            (Some(email), Some((kind, resource_id))) if errors.is_empty() => Ok(NewSubscription {
                email,
                kind,
                resource_id,
                digest: self.digest.unwrap_or_default(),
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// 422 naming the field unless `kind` `id` is public (as anonymous callers see it): the
/// same answer for one that does not exist, so that nothing is learnt about it.
async fn require_public(conn: &mut DbConn, kind: FollowedKind, id: Uuid) -> Result<(), ApiError> {
    let found = match kind {
        FollowedKind::Question => crate::repo::questions::find(conn, QuestionId(id), false)
            .await
            .map(|_| ()),
        FollowedKind::Action => crate::repo::actions::find(conn, ActionId(id)).await.map(|_| ()),
        FollowedKind::Programme => crate::repo::programmes::find(conn, ProgrammeId(id)).await.map(|_| ()),
        FollowedKind::Report => crate::repo::reports::find(conn, ReportId(id)).await.map(|_| ()),
    };
    match found {
        Err(ApiError::NotFound(_)) => Err(ApiError::invalid(
            kind.field(),
            format!("is not the id of a public {}", kind.as_str()),
        )),
        other => other,
    }
}

/// Follow something by e-mail.
///
/// Anyone may ask, without a token, to be e-mailed when a public question, action,
/// programme or report moves: a question's change of status (its answer among them) and
/// corrections to its published answers; an action's change of status, its progress
/// updates and its falling overdue (once per due date); for a programme or a report,
/// all of that for its actions (those on the report's recommendations). An address
/// that follows an action and its programme is told once.
///
/// Double opt-in: the subscription is stored unconfirmed and the only message sent is
/// one with a confirmation link (`POST /api/v1/subscriptions/confirm`), valid for 7
/// days; nothing else is ever sent to an unconfirmed address, and an unconfirmed one is
/// deleted after 7 days. Every message carries a one-click unsubscribe link
/// (`List-Unsubscribe`, `List-Unsubscribe-Post`).
///
/// Always 202 with the same body: it never says whether the address follows this
/// already (then nothing is sent). Something that is not public, or does not exist, is
/// a 422 naming its field; nothing is stored. At most 20 requests an hour from one
/// client address, and 3 confirmation messages a day to one e-mail address: then 429
/// with `Retry-After`. 503 `mail-off` when this service sends no mail (or does not know
/// its own URL for the links): that is how it is set up, not a passing fault, so it
/// comes without `Retry-After` and a client should not retry (nor offer following by
/// e-mail) until the operator turns mail on; a 503 `service-unavailable` (the database
/// is out of reach) has `Retry-After` as everywhere.
#[utoipa::path(
    tag = "subscriptions",
    request_body = CreateSubscriptionRequest,
    security(()),
    responses(
        (status = 202, description = "Asked; a confirmation link is on its way (or the address follows this already).", body = SubscriptionRequested),
        (status = 429, response = responses::TooManyRequests),
        responses::Create,
        (status = 503, description = "This service sends no e-mail (`mail-off`: how it is set up, so no `Retry-After`; do not retry), or the database is unavailable (`service-unavailable`: retry after `Retry-After` seconds).",
            content_type = "application/problem+json", body = crate::error::Problem,
            headers(("Retry-After" = String, description = "With `service-unavailable` only: seconds to wait before trying again.")),
            example = json!({"type": "/problems/mail-off", "title": "E-mail is off on this service", "status": 503, "detail": "This service sends no e-mail, so nothing can be followed by e-mail here"})),
    )
)]
#[post("/subscriptions")]
pub async fn create_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<CreateSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = body.parse()?;
    let mut conn = state.conn().await?;
    require_public(&mut conn, new.kind, new.resource_id).await?;
    let templates = Templates::for_subscriptions(&state.config).ok_or_else(|| {
        ApiError::MailOff("This service sends no e-mail, so nothing can be followed by e-mail here".into())
    })?;
    let address = crate::http::proxy::client_address(&req);
    repo::request(&mut conn, &new, &address, &templates).await?;
    state
        .metrics
        .mail_messages
        .get_or_create(&OutcomeLabels { outcome: "queued" })
        .inc();
    Ok(HttpResponse::Accepted().json(SubscriptionRequested {
        status: "confirmation_sent",
        detail: "If this address can receive mail, a link to confirm has been sent to it. Nothing is sent until it is used; it works for 7 days.",
    }))
}

/// The token of a confirmation link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB"}))]
pub struct ConfirmSubscriptionRequest {
    /// The token from the link in the confirmation message: 43 base64url characters.
    #[schema(example = "q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB")]
    pub token: String,
}

/// What a confirmed subscription follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionConfirmed {
    /// `question`, `action`, `programme` or `report`.
    pub resource_type: FollowedKind,
    pub resource_id: Uuid,
    pub digest: Digest,
}

/// The token of a link, in the query string of the page it opens.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The token from the message's link: 43 base64url characters.
    pub token: String,
}

/// An example of the page a link opens (the stylesheet left out).
const CONFIRM_PAGE_EXAMPLE: &str = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>…<title>Confirm you want these e-mails - Staffordshire Police, Fire &amp; Crime Panel</title>…</head>\n<body>\n<main>\n<p class=\"panel\">Staffordshire Police, Fire &amp; Crime Panel</p>\n<h1>Confirm you want these e-mails</h1>\n<p>…</p>\n<form method=\"post\" action=\"confirm\">\n<input type=\"hidden\" name=\"token\" value=\"q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB\">\n<button type=\"submit\">Confirm and start e-mails</button>\n</form>\n…\n</main>\n</body>\n</html>\n";
const UNSUBSCRIBE_PAGE_EXAMPLE: &str = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>…<title>Stop these e-mails - Staffordshire Police, Fire &amp; Crime Panel</title>…</head>\n<body>\n<main>\n<p class=\"panel\">Staffordshire Police, Fire &amp; Crime Panel</p>\n<h1>Stop these e-mails</h1>\n<p>…</p>\n<form method=\"post\" action=\"unsubscribe\">\n<input type=\"hidden\" name=\"token\" value=\"q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB\">\n<button type=\"submit\">Stop these e-mails</button>\n</form>\n…\n</main>\n</body>\n</html>\n";
const LINK_NOT_WORKING_EXAMPLE: &str = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>…<title>This link does not work - Staffordshire Police, Fire &amp; Crime Panel</title>…</head>\n<body>\n<main>\n<p class=\"panel\">Staffordshire Police, Fire &amp; Crime Panel</p>\n<h1>This link does not work</h1>\n<p>This link does not work. …</p>\n</main>\n</body>\n</html>\n";
const CONFIRMED_PAGE_EXAMPLE: &str = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>…<title>Confirmed - Staffordshire Police, Fire &amp; Crime Panel</title>…</head>\n<body>\n<main>\n<p class=\"panel\">Staffordshire Police, Fire &amp; Crime Panel</p>\n<h1>Confirmed</h1>\n<p>You are now following action M-1, &quot;Audit of missing-child referrals&quot;.</p>\n…\n</main>\n</body>\n</html>\n";
const UNSUBSCRIBED_PAGE_EXAMPLE: &str = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>…<title>E-mails stopped - Staffordshire Police, Fire &amp; Crime Panel</title>…</head>\n<body>\n<main>\n<p class=\"panel\">Staffordshire Police, Fire &amp; Crime Panel</p>\n<h1>E-mails stopped</h1>\n<p>You will get no more e-mail about action M-1, &quot;Audit of missing-child referrals&quot;.</p>\n…\n</main>\n</body>\n</html>\n";

/// The token in a link's query string, when it is one a link could carry: extra
/// parameters (a mail system's tracking, say) are ignored, as people do not choose them.
fn link_token(req: &HttpRequest) -> Option<SubscriptionToken> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "token")
        .and_then(|(_, value)| SubscriptionToken::parse(&value))
}

/// The page that says a link does not work, whatever the reason.
fn link_not_working(confirming: bool) -> Page<'static> {
    Page {
        status: StatusCode::NOT_FOUND,
        title: "This link does not work",
        template: template::LINK_NOT_WORKING,
        vars: vec![
            ("confirming", if confirming { "yes" } else { "" }.into()),
            ("stopping", if confirming { "" } else { "yes" }.into()),
        ],
    }
}

/// A link's page (`confirming`, or unsubscribing): its button when the query carries a
/// token that could be one, otherwise the page that says the link does not work.
fn link_page(req: &HttpRequest, state: &AppState, confirming: bool) -> HttpResponse {
    let panel = crate::mail::panel_name(&state.config);
    let Some(token) = link_token(req) else {
        return link_not_working(confirming).respond(&panel);
    };
    let (title, template) = if confirming {
        ("Confirm you want these e-mails", template::CONFIRM)
    } else {
        ("Stop these e-mails", template::UNSUBSCRIBE)
    };
    Page {
        status: StatusCode::OK,
        title,
        template,
        vars: vec![("token", token.as_str().to_string())],
    }
    .respond(&panel)
}

/// The confirmation link's page.
///
/// What a person's browser opens from the confirmation message: a small HTML page
/// (`text/html; charset=utf-8`) naming the panel, saying what confirming means, with
/// one button that `POST`s the token to `/api/v1/subscriptions/confirm` as a form.
/// Opening it changes nothing (mail scanners and link previewers open links too), and
/// it says nothing about the link: any token that could be one gets the page, and the
/// button decides. A missing or malformed token is a 404 page. Sent with
/// `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and a
/// `Content-Security-Policy` that allows no script. Other parameters are ignored.
#[utoipa::path(
    tag = "subscriptions",
    params(LinkQuery),
    security(()),
    responses(
        (status = 200, description = "The page, with its button.",
            content((String = "text/html", example = json!(CONFIRM_PAGE_EXAMPLE))),
            headers(("Cache-Control" = String, description = "`no-store`: the page carries the link's token."))),
        (status = 404, description = "No token, or one no link could carry: a page that says the link does not work.",
            content((String = "text/html", example = json!(LINK_NOT_WORKING_EXAMPLE))),
            headers(("Cache-Control" = String, description = "`no-store`."))),
    )
)]
#[get("/subscriptions/confirm")]
pub async fn get_confirmation_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    link_page(&req, &state, true)
}

/// The unsubscribe link's page.
///
/// What a person's browser opens from a message's unsubscribe link: a small HTML page
/// (`text/html; charset=utf-8`) naming the panel, with one button that `POST`s the
/// token to `/api/v1/subscriptions/unsubscribe` as a form. Opening it changes nothing,
/// and it says nothing about the link: any token that could be one gets the page, and
/// the button decides. A missing or malformed token is a 404 page. Headers as for the
/// confirmation page. Mail clients unsubscribe in one click without it (RFC 8058).
#[utoipa::path(
    tag = "subscriptions",
    params(LinkQuery),
    security(()),
    responses(
        (status = 200, description = "The page, with its button.",
            content((String = "text/html", example = json!(UNSUBSCRIBE_PAGE_EXAMPLE))),
            headers(("Cache-Control" = String, description = "`no-store`: the page carries the link's token."))),
        (status = 404, description = "No token, or one no link could carry: a page that says the link does not work.",
            content((String = "text/html", example = json!(LINK_NOT_WORKING_EXAMPLE))),
            headers(("Cache-Control" = String, description = "`no-store`."))),
    )
)]
#[get("/subscriptions/unsubscribe")]
pub async fn get_unsubscribe_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    link_page(&req, &state, false)
}

/// A token sent in a body, and whether the body was a form from a browser, which is
/// answered with a page.
struct SentToken {
    token: Option<String>,
    page: bool,
}

/// A form carrying a link's token (what the link's page sends).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenForm {
    token: String,
}

/// What a mail client or the unsubscribe page may send to the unsubscribe URL:
/// `List-Unsubscribe=One-Click` (RFC 8058), the page's `token`, other fields ignored.
#[derive(Debug, Deserialize)]
struct UnsubscribeForm {
    token: Option<String>,
}

/// Whether `media_type` is JSON (`application/json`, `application/*+json`).
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Reads a form body strictly: a field that cannot be read, a missing one or (for `T`
/// that denies them) an unknown one is a 422 naming it.
fn parse_form<T: serde::de::DeserializeOwned>(body: &Body) -> Result<T, ApiError> {
    let text = std::str::from_utf8(&body.bytes).map_err(|_| ApiError::bad_request("The form is not UTF-8 text"))?;
    crate::http::parse_query(text)
}

/// Confirm a subscription.
///
/// Takes the token from the confirmation message's link; from now on the address is
/// told of what it follows. The link works once, for 7 days: a used, expired, unknown
/// or malformed one is the same 404. At most 60 requests by confirmation or unsubscribe
/// link in ten minutes from one client address (429 with `Retry-After`).
///
/// The token comes as JSON (`{"token": "…"}`) or as a form (`token=…`,
/// `application/x-www-form-urlencoded`, what the confirmation link's page sends);
/// another media type is a 415, a form without `token` or with another field a 422.
/// A form from a browser (`Accept` naming `text/html`) is answered with a page
/// (`text/html; charset=utf-8`) that says what is now followed, or why nothing
/// happened, with the same status as the JSON answer; any other caller gets JSON.
#[utoipa::path(
    tag = "subscriptions",
    request_body(content(
        (ConfirmSubscriptionRequest = "application/json"),
        (ConfirmSubscriptionRequest = "application/x-www-form-urlencoded"),
    )),
    security(()),
    responses(
        (status = 200, description = "Confirmed: what is followed, or for a browser's form a page saying so.",
            content((SubscriptionConfirmed = "application/json"), (String = "text/html", example = json!(CONFIRMED_PAGE_EXAMPLE)))),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 429, response = responses::TooManyRequests),
        responses::Transition,
    )
)]
#[post("/subscriptions/confirm")]
pub async fn confirm_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let sent = match body.media_type.as_deref() {
        Some(media) if is_json(media) => SentToken {
            token: Some(crate::http::parse_json::<ConfirmSubscriptionRequest>(&body.bytes)?.token),
            page: false,
        },
        Some(FORM) => {
            let page = accepts_html(&req);
            match parse_form::<TokenForm>(&body) {
                Ok(form) => SentToken {
                    token: Some(form.token),
                    page,
                },
                Err(error) if page => return Ok(error_page(error, true, &state)),
                Err(error) => return Err(error),
            }
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "This operation takes an application/json or application/x-www-form-urlencoded body".into(),
            ))
        }
    };
    let outcome = confirm(&req, &state, sent.token.as_deref().unwrap_or_default()).await;
    match (outcome, sent.page) {
        (Ok((confirmed, _)), false) => Ok(Caching::Secret.mark(HttpResponse::Ok().json(SubscriptionConfirmed {
            resource_type: confirmed.kind,
            resource_id: confirmed.resource_id,
            digest: confirmed.digest,
        }))),
        (Ok((confirmed, followed)), true) => Ok(Page {
            status: StatusCode::OK,
            title: "Confirmed",
            template: template::CONFIRMED,
            vars: vec![
                ("followed", followed),
                (
                    "daily",
                    if confirmed.digest == Digest::Daily { "yes" } else { "" }.into(),
                ),
            ],
        }
        .respond(&crate::mail::panel_name(&state.config))),
        (Err(error), true) => Ok(error_page(error, true, &state)),
        (Err(error), false) => Err(error),
    }
}

/// Confirms by `token`, counted against the client address's allowance; with the words
/// for what is now followed.
async fn confirm(req: &HttpRequest, state: &AppState, token: &str) -> Result<(repo::Confirmed, String), ApiError> {
    let token = SubscriptionToken::parse(token);
    let mut conn = state.conn().await?;
    limit(&mut conn, req).await?;
    let confirmed = repo::confirm(&mut conn, token.as_ref()).await?;
    let followed = repo::describe(&mut conn, confirmed.kind, confirmed.resource_id)
        .await?
        .unwrap_or_else(|| format!("the {}", confirmed.kind.as_str()));
    Ok((confirmed, followed))
}

/// The page for a refusal, with the status, and any `Retry-After`, of the problem a
/// JSON caller would get. A link that leads nowhere gets one page whatever the reason.
fn error_page(error: ApiError, confirming: bool, state: &AppState) -> HttpResponse {
    // The problem's response, for its status and headers (and the log of an internal error).
    let problem = actix_web::ResponseError::error_response(&error);
    let retry_after = problem.headers().get(header::RETRY_AFTER).cloned();
    let detail = error.problem().detail;
    let page = match &error {
        ApiError::NotFound(_) => link_not_working(confirming),
        ApiError::TooManyRequests { retry_after_secs } => Page {
            status: problem.status(),
            title: "Please wait",
            template: template::TOO_MANY,
            vars: vec![(
                "minutes",
                match retry_after_secs.div_ceil(60) {
                    0 | 1 => "a minute".to_string(),
                    minutes => format!("{minutes} minutes"),
                },
            )],
        },
        ApiError::Validation(_) => Page {
            status: problem.status(),
            title: "This did not work",
            template: template::REFUSED,
            vars: vec![(
                "detail",
                "The form was sent without the link's token, or with something else in it.".into(),
            )],
        },
        _ => Page {
            status: problem.status(),
            title: "This did not work",
            template: template::REFUSED,
            vars: vec![("detail", detail)],
        },
    };
    let mut response = page.respond(&crate::mail::panel_name(&state.config));
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The token of an unsubscribe link.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token from the message's unsubscribe link (in the link itself); or send it
    /// in the body instead.
    pub token: Option<String>,
}

/// The token of an unsubscribe link, in a body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB"}))]
pub struct UnsubscribeRequest {
    /// The token from the message's unsubscribe link: 43 base64url characters. As a
    /// form, RFC 8058's `List-Unsubscribe=One-Click` may come with it, or alone when the
    /// token is in the query string.
    #[schema(example = "q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB")]
    pub token: Option<String>,
}

/// Unsubscribe, in one click.
///
/// The URL of every message's `List-Unsubscribe` header and unsubscribe link (RFC
/// 8058): a mail client `POST`s `List-Unsubscribe=One-Click` to it
/// (`application/x-www-form-urlencoded`). With the token in the query string, any
/// body, or none, is accepted. Without it, the token comes in the body: a form
/// (`token=…`, what the unsubscribe link's page sends) or JSON (`{"token": "…"}`);
/// another media type is then a 415, and no token anywhere a 422 (as is a token in the
/// query and a different one in the body). Deletes the subscription and its address,
/// with its unsent messages; 204. A link that leads nowhere (unknown, malformed, or
/// already used) is a 404. Counts against the same limit per client address as
/// confirming (429).
///
/// A form from a browser (`Accept` naming `text/html`) is answered with a page
/// (`text/html; charset=utf-8`, status 200) saying what it will no longer be told of,
/// or why nothing happened (with the status of the problem a JSON caller would get).
#[utoipa::path(
    tag = "subscriptions",
    params(UnsubscribeQuery),
    request_body(content(
        (UnsubscribeRequest = "application/x-www-form-urlencoded"),
        (UnsubscribeRequest = "application/json"),
    )),
    security(()),
    responses(
        (status = 200, description = "Unsubscribed, for a browser's form: a page saying so.",
            content((String = "text/html", example = json!(UNSUBSCRIBED_PAGE_EXAMPLE)))),
        (status = 204, description = "Unsubscribed: the subscription and its address are deleted."),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 429, response = responses::TooManyRequests),
        responses::Transition,
    )
)]
#[post("/subscriptions/unsubscribe")]
pub async fn delete_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(query): Query<UnsubscribeQuery>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let in_query = query.token.is_some();
    let sent = match body.media_type.as_deref() {
        _ if body.bytes.is_empty() => SentToken {
            token: None,
            page: false,
        },
        Some(FORM) => {
            let page = accepts_html(&req);
            match parse_form::<UnsubscribeForm>(&body) {
                Ok(form) => SentToken {
                    token: form.token,
                    page,
                },
                Err(error) if page => return Ok(error_page(error, false, &state)),
                Err(error) => return Err(error),
            }
        }
        Some(media) if is_json(media) && !in_query => SentToken {
            token: crate::http::parse_json::<UnsubscribeRequest>(&body.bytes)?.token,
            page: false,
        },
        // RFC 8058: whatever a mail client sends with the link's token is accepted.
        _ if in_query => SentToken {
            token: None,
            page: false,
        },
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "Without the token in the query string, this operation takes an \
                 application/x-www-form-urlencoded or application/json body"
                    .into(),
            ))
        }
    };
    let token = match (query.token, sent.token) {
        (Some(a), Some(b)) if a != b => Err(ApiError::invalid(
            "token",
            "is given in the query string and in the body, differently",
        )),
        (Some(token), _) | (None, Some(token)) => Ok(token),
        (None, None) => Err(ApiError::invalid(
            "token",
            "is required, in the query string or in the body",
        )),
    };
    let outcome = match token {
        Ok(token) => unsubscribe(&req, &state, &token).await,
        Err(error) => Err(error),
    };
    match (outcome, sent.page) {
        (Ok(_), false) => Ok(HttpResponse::NoContent().finish()),
        (Ok(followed), true) => Ok(Page {
            status: StatusCode::OK,
            title: "E-mails stopped",
            template: template::UNSUBSCRIBED,
            vars: vec![("followed", followed)],
        }
        .respond(&crate::mail::panel_name(&state.config))),
        (Err(error), true) => Ok(error_page(error, false, &state)),
        (Err(error), false) => Err(error),
    }
}

/// Unsubscribes by `token`, counted against the client address's allowance; with the
/// words for what is no longer followed.
async fn unsubscribe(req: &HttpRequest, state: &AppState, token: &str) -> Result<String, ApiError> {
    let token = SubscriptionToken::parse(token);
    let mut conn = state.conn().await?;
    limit(&mut conn, req).await?;
    let gone = repo::unsubscribe(&mut conn, token.as_ref()).await?;
    Ok(repo::describe(&mut conn, gone.kind, gone.resource_id)
        .await?
        .unwrap_or_else(|| format!("the {}", gone.kind.as_str())))
}

/// Counts a request by link against its client address's allowance, before the link
/// is looked at (so a refused guess learns nothing), in a transaction of its own (so
/// that a 404 is counted too).
async fn limit(conn: &mut DbConn, req: &HttpRequest) -> Result<(), ApiError> {
    let address = crate::http::proxy::client_address(req);
    rate_limits::count(conn, &SUBSCRIPTION_LINK_REQUESTS_PER_ADDRESS, &address).await
}

/// Which resource's followers: exactly one of the four.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowedQuery {
    /// A question's id.
    pub question_id: Option<Uuid>,
    /// An action's id.
    pub action_id: Option<Uuid>,
    /// A programme's id.
    pub programme_id: Option<Uuid>,
    /// A report's id.
    pub report_id: Option<Uuid>,
}

impl FollowedQuery {
    fn target(&self) -> Result<(FollowedKind, Uuid), ApiError> {
        let named: Vec<(FollowedKind, Uuid)> = [
            (FollowedKind::Question, self.question_id),
            (FollowedKind::Action, self.action_id),
            (FollowedKind::Programme, self.programme_id),
            (FollowedKind::Report, self.report_id),
        ]
        .into_iter()
        .filter_map(|(kind, id)| id.map(|id| (kind, id)))
        .collect();
        match named.as_slice() {
            [one] => Ok(*one),
            [] => Err(ApiError::invalid(
                "question_id",
                "one of question_id, action_id, programme_id and report_id is required",
            )),
            [_, second, ..] => Err(ApiError::invalid(
                second.0.field(),
                "only one of question_id, action_id, programme_id and report_id may be given",
            )),
        }
    }
}

/// How many follow a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionCounts {
    pub resource_type: FollowedKind,
    pub resource_id: Uuid,
    /// Confirmed subscriptions.
    pub followers: i64,
    /// Of which take the daily digest.
    pub daily_digest: i64,
}

/// How many follow a resource.
///
/// Counts of confirmed subscriptions to one public question, action, programme or
/// report (exactly one of the four parameters), for everyone: never addresses. A
/// resource that is not public, or does not exist, is a 404.
#[utoipa::path(
    tag = "subscriptions",
    params(FollowedQuery),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The counts.", body = SubscriptionCounts),
        responses::ListWithin,
    )
)]
#[get("/subscriptions/counts")]
pub async fn get_subscription_counts(
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<FollowedQuery>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = query.target()?;
    let mut conn = state.conn().await?;
    let public = require_public(&mut conn, kind, id).await;
    if let Err(ApiError::Validation(_)) = public {
        return Err(ApiError::not_found(format!("No public {} has this id", kind.as_str())));
    }
    public?;
    let counts = repo::count(&mut conn, kind, id).await?;
    Ok(HttpResponse::Ok().json(SubscriptionCounts {
        resource_type: kind,
        resource_id: id,
        followers: counts.confirmed,
        daily_digest: counts.daily,
    }))
}

/// A subscription as `admin` sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    /// The address: personal data.
    pub email: String,
    pub digest: Digest,
    /// Whether its confirmation link was used.
    pub confirmed: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The London date of the last daily digest sent to it.
    pub last_digest_on: Option<NaiveDate>,
}

/// The subscriptions to one resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    /// Oldest first, at most 1000; unconfirmed ones too (deleted after 7 days).
    pub items: Vec<Subscription>,
}

/// List the subscriptions to a resource, with addresses.
///
/// For `admin` only (the addresses are personal data): the subscriptions to one
/// question, action, programme or report (exactly one of the four parameters),
/// confirmed or not, oldest first, at most 1000. Sent `Cache-Control: private,
/// no-store`. Not audited: reading changes nothing.
#[utoipa::path(
    tag = "subscriptions",
    params(FollowedQuery),
    responses(
        (status = 200, description = "The subscriptions.", body = SubscriptionList,
            headers(("Cache-Control" = String, description = "`private, no-store`."))),
        responses::ListProtected,
    )
)]
#[get("/subscriptions")]
pub async fn list_subscriptions(
    _auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    Query(query): Query<FollowedQuery>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = query.target()?;
    let mut conn = state.conn().await?;
    let items = repo::list_for(&mut conn, kind, id)
        .await?
        .into_iter()
        .map(|row| Subscription {
            id: row.id,
            email: row.email,
            digest: if row.digest == "daily" {
                Digest::Daily
            } else {
                Digest::Immediate
            },
            confirmed: row.confirmed_at.is_some(),
            confirmed_at: row.confirmed_at,
            created_at: row.created_at,
            last_digest_on: row.last_digest_on,
        })
        .collect();
    Ok(Caching::Personal.mark(HttpResponse::Ok().json(SubscriptionList { items })))
}
