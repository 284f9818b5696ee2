//! `/api/v1/webhooks/{id}/deliveries`: a subscription's delivery log, every attempt of
//! each delivery, and delivering one again.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::webhooks::scope;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::webhook::{DeliveryId, DeliveryStatus, WebhookId};
use crate::error::{responses, ApiError};
use crate::http::caller::{ManageWebhooks, Require};
use crate::http::listing::{Listing, PageParams, Paged};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::webhooks::{self as repo, AttemptRow, DeliveryFilter, DeliveryRow};

/// One attempt to deliver.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status code; null when it did not answer.
    pub status_code: Option<i32>,
    /// Why the attempt failed (a non-2xx answer, a timeout, a refused connection, a
    /// private address); null when it succeeded.
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            attempted_at: row.attempted_at,
            status_code: row.status_code,
            error: row.error,
            duration_ms: row.duration_ms,
        }
    }
}

/// One event to be delivered to one subscription, with every attempt so far.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-5a1c-7d2e-8f3a-4b5c6d7e8f90", "webhook_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "event_id": 1043, "event_type": "response.published", "status": "succeeded", "attempt_count": 2,
    "next_attempt_at": null, "last_status_code": 204, "last_error": null,
    "payload": {"type": "response.published", "timestamp": "2022-06-09T12:00:00Z", "data": {"id": 1043}},
    "attempts": [
        {"attempted_at": "2022-06-09T12:00:01Z", "status_code": 503, "error": "the receiver answered 503", "duration_ms": 41},
        {"attempted_at": "2022-06-09T12:00:07Z", "status_code": 204, "error": null, "duration_ms": 38}
    ],
    "created_at": "2022-06-09T12:00:01Z", "updated_at": "2022-06-09T12:00:07Z"
}))]
pub struct Delivery {
    /// Also the `webhook-id` header of every attempt: receivers use it to drop repeats.
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The change-feed event delivered.
    pub event_id: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempt_count: i32,
    /// When the next attempt is due; null unless `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    /// The body posted (the same on every attempt).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Delivery {
    fn from_rows(row: DeliveryRow, attempts: Vec<AttemptRow>) -> Self {
        Self {
            id: row.id,
            webhook_id: row.webhook_id,
            event_id: row.event_id,
            event_type: row.event_type,
            next_attempt_at: (row.status == DeliveryStatus::Pending).then_some(row.next_attempt_at),
            status: row.status,
            attempt_count: row.attempts,
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            payload: row.payload,
            attempts: attempts.into_iter().map(Into::into).collect(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

crate::page_type!(DeliveryPage, Delivery);

/// Filters for a subscription's deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// List a subscription's deliveries.
///
/// Newest first, each with every attempt made (status code, error, duration).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = WebhookId, Path, description = "The subscription's id."), DeliveryQuery, PageParams),
    responses(
        (status = 200, description = "A page of deliveries, newest first.", body = DeliveryPage),
        responses::ListWithin,
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    auth: Require<ManageWebhooks>,
    id: web::Path<WebhookId>,
    Paged(query, page): Paged<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let deliveries = Deliveries {
        owner: scope(&auth),
        filter: DeliveryFilter {
            webhook: *id,
            status: query.status,
        },
    };
    page.respond_json(auth.caller(), deliveries).await
}

/// Deliver again.
///
/// Makes the delivery due now, whatever its state, with a fresh 24-hour retry window:
/// after fixing a receiver, send what failed. The receiver gets the same `webhook-id`.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = WebhookId, Path, description = "The subscription's id."),
        ("delivery_id" = DeliveryId, Path, description = "The delivery's id."),
    ),
    responses(
        (status = 202, description = "The delivery is due again; it is sent within a second or so while the subscription is active.", body = Delivery),
        responses::ReadProtected,
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    auth: Require<ManageWebhooks>,
    state: web::Data<AppState>,
    path: web::Path<(WebhookId, DeliveryId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let mut conn = state.conn().await?;
    repo::find(&mut conn, id, scope(&auth).as_deref()).await?;
    let row = repo::redeliver(&mut conn, &auth.actor(), id, delivery).await?;
    let attempts = repo::attempts_of(&mut conn, delivery).await?;
    Ok(HttpResponse::Accepted().json(Delivery::from_rows(row, attempts)))
}

/// A subscription's deliveries, as JSON pages: 404 unless the caller (`owner`) may see
/// the subscription.
pub struct Deliveries {
    owner: Option<String>,
    filter: DeliveryFilter,
}

impl Listing for Deliveries {
    type Item = Delivery;
    const COLUMNS: &'static [&'static str] = &[];
    const NAME: &'static str = "deliveries";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Delivery>, Option<Cursor>), ApiError> {
        repo::find(conn, self.filter.webhook, self.owner.as_deref()).await?;
        let (rows, next) = repo::list_deliveries(conn, &self.filter, &page).await?;
        let items = rows
            .into_iter()
            .map(|(row, attempts)| Delivery::from_rows(row, attempts))
            .collect();
        Ok((items, next))
    }
}
