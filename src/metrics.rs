//! Prometheus metrics (`GET /metrics`, text format), with the `prometheus-client` crate
//! maintained by the Prometheus project.
//!
//! Labels never carry ids or personal data: requests are labelled by route template
//! (`/api/v1/questions/{id}`), never by raw path, and unmatched paths share one label.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::db::DbPool;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `succeeded`, `retrying` or `failed` (webhooks); `queued`, `sent`, `retrying` or
    /// `failed` (mail).
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    pool_size: Family<PoolLabels, Gauge>,
    pool_available: Family<PoolLabels, Gauge>,
    pool_waiting: Family<PoolLabels, Gauge>,
    /// Reads that fell back to the primary because the replica was unreachable.
    pub replica_fallbacks: Counter<u64, AtomicU64>,
    /// The change feed's last position.
    pub feed_head: Gauge,
    /// Events committed but not yet given a position.
    pub feed_unsequenced: Gauge,
    /// Webhook delivery attempts, by what came of them.
    pub webhook_attempts: Family<OutcomeLabels, Counter>,
    /// Webhook deliveries waiting to be sent.
    pub webhook_pending: Gauge,
    /// E-mail messages, by what came of them: `queued`, `sent`, `retrying`, `failed`.
    pub mail_messages: Family<OutcomeLabels, Counter>,
    /// E-mail messages waiting to be sent (including those waiting for a retry).
    pub mail_pending: Gauge,
    /// Scheduled ModernGov syncs run by this instance, by outcome: `succeeded`, `failed`.
    pub moderngov_sync_runs: Family<OutcomeLabels, Counter>,
    /// Meetings the scheduled syncs of this instance went through, by what became of
    /// them: `created`, `updated`, `unchanged`, `cancelled`, `skipped`.
    pub moderngov_meetings: Family<OutcomeLabels, Counter>,
    /// Public questions items of agendas, by what became of them: `queued` (a dry run
    /// stored for confirmation), `already_queued`, `already_imported`, `document_only`,
    /// `no_text`, `unread`, `failed`.
    pub moderngov_agenda_items: Family<OutcomeLabels, Counter>,
    /// When a scheduled ModernGov sync last succeeded on this instance (Unix seconds; 0:
    /// not yet).
    pub moderngov_last_success: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("scrutiny");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let pool_size = Family::<PoolLabels, Gauge>::default();
        let pool_available = Family::<PoolLabels, Gauge>::default();
        let pool_waiting = Family::<PoolLabels, Gauge>::default();
        let replica_fallbacks = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests handled, by route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to handle an HTTP request, by route template and status",
            latency.clone(),
        );
        registry.register("db_pool_connections", "Connections open in the pool", pool_size.clone());
        registry.register(
            "db_pool_available",
            "Idle connections ready in the pool",
            pool_available.clone(),
        );
        registry.register(
            "db_pool_waiting",
            "Requests waiting for a connection",
            pool_waiting.clone(),
        );
        registry.register(
            "db_replica_fallbacks",
            "Reads sent to the primary because the read replica was unreachable",
            replica_fallbacks.clone(),
        );
        let feed_head = Gauge::default();
        let feed_unsequenced = Gauge::default();
        registry.register("events_feed_head", "The change feed's last event id", feed_head.clone());
        registry.register(
            "events_unsequenced",
            "Events committed but not yet in the feed (waiting for older transactions to end)",
            feed_unsequenced.clone(),
        );
        let webhook_attempts = Family::<OutcomeLabels, Counter>::default();
        let webhook_pending = Gauge::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts, by outcome (succeeded, retrying, failed)",
            webhook_attempts.clone(),
        );
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries waiting to be sent",
            webhook_pending.clone(),
        );
        let mail_messages = Family::<OutcomeLabels, Counter>::default();
        let mail_pending = Gauge::default();
        registry.register(
            "mail_messages",
            "E-mail messages, by outcome (queued, sent, retrying, failed)",
            mail_messages.clone(),
        );
        registry.register(
            "mail_pending",
            "E-mail messages waiting to be sent or retried",
            mail_pending.clone(),
        );
        let moderngov_sync_runs = Family::<OutcomeLabels, Counter>::default();
        let moderngov_meetings = Family::<OutcomeLabels, Counter>::default();
        let moderngov_agenda_items = Family::<OutcomeLabels, Counter>::default();
        let moderngov_last_success = Gauge::default();
        registry.register(
            "moderngov_sync_runs",
            "Scheduled ModernGov syncs run by this instance, by outcome (succeeded, failed)",
            moderngov_sync_runs.clone(),
        );
        registry.register(
            "moderngov_meetings",
            "Meetings gone through by scheduled ModernGov syncs, by outcome (created, updated, unchanged, cancelled, skipped)",
            moderngov_meetings.clone(),
        );
        registry.register(
            "moderngov_agenda_items",
            "Public questions agenda items, by outcome (queued, already_queued, already_imported, document_only, no_text, unread, failed)",
            moderngov_agenda_items.clone(),
        );
        registry.register(
            "moderngov_last_success_timestamp_seconds",
            "When a scheduled ModernGov sync last succeeded on this instance (0: not yet)",
            moderngov_last_success.clone(),
        );
        registry.register(
            "build",
            "The running build",
            Info::new(BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            }),
        );
        Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_available,
            pool_waiting,
            replica_fallbacks,
            feed_head,
            feed_unsequenced,
            webhook_attempts,
            webhook_pending,
            mail_messages,
            mail_pending,
            moderngov_sync_runs,
            moderngov_meetings,
            moderngov_agenda_items,
            moderngov_last_success,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = RequestLabels {
            method: method.to_string(),
            route: route.to_string(),
            status: status.to_string(),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// The metrics in the Prometheus text format, with the pools' gauges read now.
    pub fn render(&self, pools: &[(&'static str, &DbPool)]) -> String {
        for (name, pool) in pools {
            let status = pool.status();
            let labels = PoolLabels { pool: name };
            self.pool_size.get_or_create(&labels).set(status.size as i64);
            self.pool_available.get_or_create(&labels).set(status.available as i64);
            self.pool_waiting.get_or_create(&labels).set(status.waiting as i64);
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            log::error!("encoding the metrics failed");
        }
        text
    }
}

/// The `method` label of a request: one of the methods HTTP defines, or `other`. A
/// client can send any token as a method; labelling by it would let anyone grow the
/// metrics without bound (one series per invented method).
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    const KNOWN: &[(Method, &str)] = &[
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::TRACE, "TRACE"),
        (Method::CONNECT, "CONNECT"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

/// Middleware: counts and times every request by method, route template and status,
/// each label from a closed set (a known method or `other`, a registered route template
/// or `unmatched`, a status code).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method());
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_string());
        metrics.observe(
            method,
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    #[test]
    fn an_invented_method_is_labelled_other() {
        assert_eq!(super::method_label(&Method::GET), "GET");
        assert_eq!(super::method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"XYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYXYZZYX").unwrap();
        assert_eq!(super::method_label(&invented), "other");
    }
}
