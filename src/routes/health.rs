//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiError;

/// The state of one check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the check passed.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness, with the state of each dependency. When not ready, the same fields come
/// as extension members of a problem document (`readiness` instead of `status`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "primary": "ok", "replica": "unreachable"}))]
pub struct Readiness {
    /// `ok`, `migrating`, `shutting_down` or `unavailable`.
    pub status: &'static str,
    /// `ok` or `unreachable`.
    pub primary: &'static str,
    /// `ok`, `unreachable`, or absent when no replica is configured. An unreachable
    /// replica does not make the instance unready: reads fall back to the primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<&'static str>,
}

/// Is the process alive?
///
/// Answers 200 while the process can serve HTTP. It never touches the database, so a
/// database outage does not make an orchestrator restart healthy instances.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/health/live")]
pub async fn get_liveness() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

async fn ping(pool: &crate::db::DbPool) -> bool {
    match pool.get().await {
        Ok(mut conn) => crate::repo::ping(&mut conn).await,
        Err(_) => false,
    }
}

/// Can this instance serve requests?
///
/// Answers 200 when the primary database answers a query, and 503 (with
/// `Retry-After`) when it does not, while migrations run at start-up, and once shutdown
/// has begun, so that a load balancer sends traffic elsewhere. Reports the read replica
/// too when one is configured.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Ready for traffic.", body = Readiness),
        (status = 503, description = "Not ready: the primary is unreachable, or migrations or shutdown are under way. \
A problem document with the extension members `readiness` (`migrating`, `shutting_down` or `unavailable`), `primary` and `replica`.",
            body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait."))),
    )
)]
#[get("/health/ready")]
pub async fn get_readiness(state: web::Data<AppState>) -> HttpResponse {
    let primary_ok = ping(&state.pool).await;
    let replica = match &state.read_pool {
        Some(pool) => Some(if ping(pool).await { "ok" } else { "unreachable" }),
        None => None,
    };
    let status = if state.readiness.is_shutting_down() {
        "shutting_down"
    } else if state.readiness.is_migrating() {
        "migrating"
    } else if !primary_ok {
        "unavailable"
    } else {
        "ok"
    };
    let body = Readiness {
        status,
        primary: if primary_ok { "ok" } else { "unreachable" },
        replica,
    };
    if status == "ok" {
        return HttpResponse::Ok().json(body);
    }
    let mut problem = serde_json::to_value(ApiError::Unavailable.problem()).unwrap_or_default();
    problem["detail"] = serde_json::json!(match status {
        "migrating" => "This instance is migrating the database",
        "shutting_down" => "This instance is shutting down",
        _ => "The database is unavailable",
    });
    problem["readiness"] = serde_json::json!(status);
    problem["primary"] = serde_json::json!(body.primary);
    if let Some(replica) = body.replica {
        problem["replica"] = serde_json::json!(replica);
    }
    HttpResponse::ServiceUnavailable()
        .content_type("application/problem+json")
        .insert_header(("Retry-After", crate::error::UNAVAILABLE_RETRY_AFTER_SECS.to_string()))
        .body(problem.to_string())
}

/// Metrics for Prometheus.
///
/// The Prometheus text format: requests and latency by route template and status,
/// connection pool use, replica fallbacks and the build. When the service is configured
/// with `SCRUTINY_METRICS_TOKEN`, send it as a bearer token.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = "text/plain; version=0.0.4",
            example = json!("# HELP scrutiny_events_feed_head The change feed's last event id\n# TYPE scrutiny_events_feed_head gauge\nscrutiny_events_feed_head 1042\n")),
        (status = 401, response = crate::error::responses::Unauthorized),
    )
)]
#[get("/metrics")]
pub async fn get_metrics(req: actix_web::HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.config.metrics_token {
        let sent = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(ApiError::unauthorized("GET /metrics needs the metrics token"));
        }
    }
    let mut pools = vec![("primary", &state.pool)];
    if let Some(replica) = &state.read_pool {
        pools.push(("replica", replica));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&pools)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
