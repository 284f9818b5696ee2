//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::error::ApiError;

/// The state of one check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the check passed.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Is the process alive?
///
/// Answers 200 while the process can serve HTTP. It never touches the database, so a
/// database outage does not make an orchestrator restart healthy instances.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Can this instance serve requests?
///
/// Answers 200 when a connection to the database can be taken from the pool and
/// answers a query, and 503 with `Retry-After` otherwise.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The database is reachable.", body = Health),
        (status = 503, description = "The database is unreachable.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
