//! `/api/v1/subscriptions`: following a public question, action, programme or report by
//! e-mail, with double opt-in and one-click unsubscribe (RFC 8058).
//!
//! The address is personal data: no answer here shows it except `admin`'s list, and
//! none says whether an address already follows something. A confirmation or
//! unsubscribe link that leads nowhere (never issued, used, expired, malformed) is
//! always the same 404.

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
use crate::http::{Json, Query};
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
/// with `Retry-After`. 503 (`mail-off`) when this service sends no mail.
#[utoipa::path(
    tag = "subscriptions",
    request_body = CreateSubscriptionRequest,
    security(()),
    responses(
        (status = 202, description = "Asked; a confirmation link is on its way (or the address follows this already).", body = SubscriptionRequested),
        (status = 429, response = responses::TooManyRequests),
        responses::Create,
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

/// Confirm a subscription.
///
/// Takes the token from the confirmation message's link; from now on the address is
/// told of what it follows. The link works once, for 7 days: a used, expired, unknown
/// or malformed one is the same 404. At most 60 requests by confirmation or unsubscribe
/// link in ten minutes from one client address (429 with `Retry-After`).
#[utoipa::path(
    tag = "subscriptions",
    request_body = ConfirmSubscriptionRequest,
    security(()),
    responses(
        (status = 200, description = "Confirmed.", body = SubscriptionConfirmed),
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
    Json(body): Json<ConfirmSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = SubscriptionToken::parse(&body.token);
    let mut conn = state.conn().await?;
    limit(&mut conn, &req).await?;
    let confirmed = repo::confirm(&mut conn, token.as_ref()).await?;
    Ok(Caching::Secret.mark(HttpResponse::Ok().json(SubscriptionConfirmed {
        resource_type: confirmed.kind,
        resource_id: confirmed.resource_id,
        digest: confirmed.digest,
    })))
}

/// The token of an unsubscribe link.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token from the message's unsubscribe link.
    pub token: String,
}

/// Unsubscribe, in one click.
///
/// The URL of every message's `List-Unsubscribe` header and unsubscribe link (RFC
/// 8058): a mail client `POST`s `List-Unsubscribe=One-Click` to it
/// (`application/x-www-form-urlencoded`); any body, or none, is accepted. Deletes the
/// subscription and its address, with its unsent messages; 204. A link that leads
/// nowhere (unknown, malformed, or already used) is a 404. Counts against the same
/// limit per client address as confirming (429).
#[utoipa::path(
    tag = "subscriptions",
    params(UnsubscribeQuery),
    security(()),
    responses(
        (status = 204, description = "Unsubscribed: the subscription and its address are deleted."),
        (status = 429, response = responses::TooManyRequests),
        responses::Transition,
    )
)]
#[post("/subscriptions/unsubscribe")]
pub async fn delete_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(query): Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = SubscriptionToken::parse(&query.token);
    let mut conn = state.conn().await?;
    limit(&mut conn, &req).await?;
    repo::unsubscribe(&mut conn, token.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
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
