//! `/api/v1/webhooks`: subscriptions that push the change feed to a URL, signed as the
//! Standard Webhooks specification says, with a log of every delivery and attempt.
//! `admin` manages every subscription; an `integration` system manages its own.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::Role;
use crate::domain::text::BoundedText;
use crate::domain::webhook::{new_secret, parse_event_types, PayloadView, WebhookId, WebhookUrl};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caching::Caching;
use crate::http::caller::{ManageWebhooks, Require};
use crate::http::conditional::{created, ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, Listing, PageParams, Paged};
use crate::http::{patch_field, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::webhooks::{self as repo, NewWebhook, WebhookChanges, WebhookFilter, WebhookRow};

/// The longest description.
const MAX_DESCRIPTION_CHARS: usize = 500;

/// A subscription: changes of the listed types are posted to `url`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "url": "https://council.example/hooks/scrutiny",
    "description": "Council website mirror", "event_types": ["question.*", "response.published"],
    "is_active": true, "payload_view": "public", "last_event_id": 1042,
    "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z", "version": 1
}))]
pub struct Webhook {
    pub id: WebhookId,
    /// Where deliveries are posted.
    pub url: String,
    pub description: Option<String>,
    /// The event types delivered: `question.accepted`, or `question.*` for every change
    /// to questions. Empty: every event.
    pub event_types: Vec<String>,
    /// Inactive subscriptions are not sent to; when made active again, they receive the
    /// events they missed meanwhile, in order.
    pub is_active: bool,
    /// What the payloads show: `public` (events of public records, public fields only:
    /// subscriptions made by `integration` systems) or `staff` (every event, never
    /// contact details: subscriptions made by `admin`).
    pub payload_view: PayloadView,
    /// The change-feed position this subscription has been matched up to: events after
    /// it are still to be turned into deliveries.
    pub last_event_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Self {
            id: row.id,
            url: row.url,
            description: row.description,
            event_types: row.event_types,
            is_active: row.is_active,
            payload_view: row.view,
            last_event_id: row.feed_position,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A subscription with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret (`whsec_` and base64): verify each
    /// delivery's `webhook-signature` with it. Store it now: it is never shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

crate::page_type!(WebhookPage, Webhook);

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://council.example/hooks/scrutiny", "description": "Council website mirror",
    "event_types": ["question.*", "response.published"]
}))]
pub struct CreateWebhookRequest {
    /// An absolute `http` or `https` URL, at most 2000 characters, without credentials
    /// or fragment. Private, loopback and link-local targets are refused unless the
    /// service allows them (`SCRUTINY_WEBHOOK_ALLOW_PRIVATE`).
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    #[schema(min_length = 1, max_length = 500)]
    pub description: Option<String>,
    /// `<resource>.<change>` or `<resource>.*`, at most 50, no repeats; empty or absent:
    /// every event.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub event_types: Vec<String>,
    /// Default `true`.
    pub is_active: Option<bool>,
}

/// Changes to a subscription (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"is_active": false}))]
pub struct UpdateWebhookRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 2000)]
    pub url: Option<Option<String>>,
    /// `null` removes the description.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, required = false, nullable, min_length = 1, max_length = 500)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    pub event_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = bool, required = false)]
    pub is_active: Option<Option<bool>>,
}

/// Filters for the subscription list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    /// Only active (`true`) or inactive (`false`) subscriptions.
    pub is_active: Option<bool>,
}

/// Whose subscriptions the caller manages: every one for `admin`, else its own.
pub(super) fn scope(auth: &Require<ManageWebhooks>) -> Option<String> {
    if auth.principal.has_any(&[Role::Admin]) {
        None
    } else {
        Some(repo::owner_of(&auth.actor()))
    }
}

fn parse_description(field: &str, value: &str) -> crate::domain::FieldResult<String> {
    BoundedText::<MAX_DESCRIPTION_CHARS>::parse(field, value).map(BoundedText::into_inner)
}

/// A request with what its validity depends on: whether the service allows private,
/// loopback and link-local targets (`SCRUTINY_WEBHOOK_ALLOW_PRIVATE`).
pub struct Targeting<T> {
    pub request: T,
    pub allow_private: bool,
}

impl<T> Targeting<T> {
    fn new(state: &AppState, request: T) -> Self {
        Self {
            request,
            allow_private: state.config.webhooks.allow_private,
        }
    }
}

impl TryFrom<Targeting<CreateWebhookRequest>> for NewWebhook {
    type Error = ApiError;

    fn try_from(
        Targeting {
            request: body,
            allow_private,
        }: Targeting<CreateWebhookRequest>,
    ) -> Result<Self, ApiError> {
        let (url, description, event_types) = (
            WebhookUrl::parse("url", &body.url, allow_private),
            body.description
                .as_deref()
                .map(|d| parse_description("description", d))
                .transpose(),
            parse_event_types("event_types", &body.event_types),
        )
            .collect_fields()?;
        Ok(Self {
            url: url.into_inner(),
            description,
            event_types,
            is_active: body.is_active.unwrap_or(true),
        })
    }
}

impl TryFrom<Targeting<UpdateWebhookRequest>> for WebhookChanges {
    type Error = ApiError;

    fn try_from(
        Targeting {
            request: body,
            allow_private,
        }: Targeting<UpdateWebhookRequest>,
    ) -> Result<Self, ApiError> {
        let description = match body.description {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(text)) => parse_description("description", &text).map(|text| Some(Some(text))),
        };
        let (url, description, event_types, is_active) = (
            patch_field("url", body.url).and_then(|v| {
                v.map(|u| WebhookUrl::parse("url", &u, allow_private).map(WebhookUrl::into_inner))
                    .transpose()
            }),
            description,
            patch_field("event_types", body.event_types)
                .and_then(|v| v.map(|types| parse_event_types("event_types", &types)).transpose()),
            patch_field("is_active", body.is_active),
        )
            .collect_fields()?;
        Ok(Self {
            url,
            description,
            event_types,
            is_active,
            secret: None,
        })
    }
}

/// A subscription with its signing secret, for the answers that show it this once.
fn with_secret(row: WebhookRow, secret: String) -> WebhookWithSecret {
    WebhookWithSecret {
        webhook: row.into(),
        secret,
    }
}

/// List webhook subscriptions.
///
/// `admin` sees every subscription; an `integration` system sees its own.
#[utoipa::path(
    tag = "webhooks",
    params(WebhookQuery, PageParams),
    responses(
        (status = 200, description = "A page of subscriptions, oldest first.", body = WebhookPage),
        responses::ListProtected,
        (status = 400, response = responses::BadRequest),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    auth: Require<ManageWebhooks>,
    Paged(query, page): Paged<WebhookQuery>,
) -> Result<HttpResponse, ApiError> {
    let webhooks = Webhooks(WebhookFilter {
        owner: scope(&auth),
        is_active: query.is_active,
    });
    page.respond_json(auth.caller(), webhooks).await
}

/// Subscribe a URL to changes.
///
/// From now on, every change-feed event of the listed types is posted to `url` as JSON
/// `{"type", "timestamp", "data"}`, where `data` is the event exactly as
/// `GET /api/v1/events` shows it. Each delivery carries the Standard Webhooks headers
/// `webhook-id` (the same on every attempt of one delivery), `webhook-timestamp` and
/// `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `id.timestamp.body`, keyed with
/// the secret in this answer): verify them with any Standard Webhooks library.
///
/// A 2xx answer within 10 seconds delivers it. Anything else is retried with
/// exponential backoff and jitter (from 5 seconds, doubling, to at most an hour apart)
/// for 24 hours, then marked `failed` (these are the defaults; the operator may change
/// them); every attempt is in the delivery log. Deliveries
/// may arrive more than once and out of order: use `webhook-id` to drop repeats and
/// `data.id` (the feed position) to order them.
///
/// The answer holds the signing `secret`, shown this once.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Subscribed; the signing secret is in the body, this once.", body = WebhookWithSecret,
            headers(("Location" = String, description = "The subscription's URL."), ("ETag" = String, description = "Its version."),
                ("Cache-Control" = String, description = "`no-store`: the secret is shown this once; a retry with the same `Idempotency-Key` is sent to the resource (303)."))),
        responses::Create,
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    Json(body): Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewWebhook::try_from(Targeting::new(&state, body))?;
    let secret = new_secret();
    let mut conn = state.conn().await?;
    let row = repo::insert(&mut conn, &auth.actor(), new, PayloadView::of(auth.view()), &secret).await?;
    Ok(Caching::Secret.mark(created(
        format!("/api/v1/webhooks/{}", row.id),
        row.version,
        &with_secret(row, secret),
    )))
}

/// Get a webhook subscription.
///
/// Its target, event types, state and feed position; the secret is not shown.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = WebhookId, Path, description = "The subscription's id.")),
    responses(
        (status = 200, description = "The subscription.", body = Webhook, headers(("ETag" = String, description = "Its version."))),
        responses::ReadProtected,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    id: web::Path<WebhookId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = repo::find(&mut conn, *id, scope(&auth).as_deref()).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &Webhook::from(row)))
}

/// Change a webhook subscription.
///
/// Change its URL, description or event types, or pause it (`is_active: false`): a
/// paused subscription is not sent to, and when resumed receives what it missed.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = WebhookId, Path, description = "The subscription's id.")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "The subscription as changed.", body = Webhook),
        responses::Update,
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
    Json(body): Json<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = WebhookChanges::try_from(Targeting::new(&state, body))?;
    let mut conn = state.conn().await?;
    let owner = scope(&auth);
    let row = repo::update(
        &mut conn,
        &auth.actor(),
        "webhook.updated",
        *id,
        owner.as_deref(),
        &if_match,
        changes,
    )
    .await?;
    Ok(ok(row.version, &Webhook::from(row)))
}

/// Rotate a webhook subscription's signing secret.
///
/// Deliveries from now on are signed with the new secret, in the body this once.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = WebhookId, Path, description = "The subscription's id.")),
    responses(
        (status = 200, description = "The subscription with its new secret, this once.", body = WebhookWithSecret,
            headers(("Cache-Control" = String, description = "`no-store`: the secret is shown this once; a retry with the same `Idempotency-Key` is sent to the resource (303)."))),
        responses::Transition,
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let secret = new_secret();
    let changes = WebhookChanges {
        secret: Some(secret.clone()),
        ..WebhookChanges::default()
    };
    let mut conn = state.conn().await?;
    let owner = scope(&auth);
    let action = "webhook.secret_rotated";
    let row = repo::update(
        &mut conn,
        &auth.actor(),
        action,
        *id,
        owner.as_deref(),
        &if_match,
        changes,
    )
    .await?;
    Ok(Caching::Secret.mark(ok(row.version, &with_secret(row, secret))))
}

/// Delete a webhook subscription.
///
/// Nothing more is sent to it; its delivery log goes with it.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = WebhookId, Path, description = "The subscription's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        responses::Delete,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    id: web::Path<WebhookId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    repo::delete(&mut conn, &auth.actor(), *id, scope(&auth).as_deref(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The subscription list, as JSON pages (never exported: see [`Page::respond_json`](crate::http::listing::Page::respond_json)).
pub struct Webhooks(WebhookFilter);

impl Listing for Webhooks {
    type Item = Webhook;
    const COLUMNS: &'static [&'static str] = &[];
    const NAME: &'static str = "webhooks";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Webhook>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list(conn, &self.0, &page).await?))
    }
}
