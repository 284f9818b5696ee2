//! The background task that sends webhooks: it fans the change feed out into
//! deliveries, claims the ones that are due, signs and posts them, and records every
//! attempt (see [`crate::repo::webhooks`] for why several instances can run it at once).
//!
//! Deliveries follow the Standard Webhooks specification: a JSON body `{"type",
//! "timestamp", "data"}` with the headers `webhook-id` (the delivery's id, the same on
//! every attempt), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` and
//! the base64 HMAC-SHA256 of `id.timestamp.body`). A receiver answering 2xx has it; any
//! other answer, a timeout or a refused connection is retried with exponential backoff
//! and jitter until the retry window (24 hours by default) has passed.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_tls::connect::{Resolve, Resolver};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::background::Next;
use crate::config::WebhookConfig;
use crate::db::DbPool;
use crate::domain::webhook::{is_public, retry_delay, sign, DeliveryId};
use crate::metrics::{Metrics, OutcomeLabels};
use crate::repo::webhooks::{self as repo, Attempt, Claimed};

/// How often the worker looks for work on its own when no subscription is active
/// (new events wake it: see [`crate::wakeups`]).
pub const FALLBACK: Duration = Duration::from_secs(10);
/// How often it looks while subscriptions are active and nothing woke it: a retry
/// falls due at its time, which nobody announces.
pub const RETRY_CHECK: Duration = Duration::from_secs(1);
/// The most events fanned out per subscription in one go.
const FAN_OUT_BATCH: i64 = 500;

/// Sends webhooks for ever. A database outage is logged once and retried; nothing is
/// lost, since deliveries and the feed position live in the database.
///
/// Each send runs as a task of its own, holding one of `config.concurrency` slots, and
/// records its own attempt when it ends: a slow receiver holds its slot and its own
/// subscription's queue (one delivery per subscription at a time, see
/// [`repo::claim`]), never the deliveries to anyone else.
/// The worker wakes on `wake`: new events in the feed, a delivery queued or made due,
/// and a send that finished (its subscription's next delivery may go at once).
pub async fn run(pool: DbPool, metrics: Arc<Metrics>, config: WebhookConfig, wake: Arc<Notify>) {
    // Only the ring provider is compiled in; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let worker = Worker {
        client: client(&config),
        slots: Arc::new(Semaphore::new(config.concurrency)),
        finished: wake,
        pool,
        metrics,
        config: Arc::new(config),
    };
    let worker = &worker;
    crate::background::repeat_when_woken("webhook worker", FALLBACK, &worker.finished, move |round| {
        worker.tick(round.is_multiple_of(25))
    })
    .await
}

/// What every round and every send shares.
struct Worker {
    client: awc::Client,
    /// One permit per send in flight: at most `config.concurrency` at once.
    slots: Arc<Semaphore>,
    /// Notified when a send has ended and been recorded: its slot is free and its
    /// subscription's next delivery may go.
    finished: Arc<Notify>,
    pool: DbPool,
    metrics: Arc<Metrics>,
    config: Arc<WebhookConfig>,
}

impl Worker {
    /// One round: fan out, claim as many due deliveries as there are free slots, and
    /// start sending them. The next round starts at once when this one made deliveries
    /// or filled every free slot (more may be due), within [`RETRY_CHECK`] while
    /// subscriptions are active, and otherwise when woken.
    async fn tick(&self, measure: bool) -> anyhow::Result<Next> {
        let (claimed, free, made) = {
            let mut conn = self.pool.get().await?;
            if measure {
                self.metrics.webhook_pending.set(repo::pending(&mut conn).await?);
            }
            if !repo::any_active(&mut conn).await? {
                return Ok(Next::WhenWoken);
            }
            let made = repo::fan_out(&mut conn, FAN_OUT_BATCH).await?;
            let free = self.slots.available_permits();
            if free == 0 {
                // A finished send wakes the worker.
                return Ok(Next::After(RETRY_CHECK));
            }
            // The lease outlives the longest attempt, so it cannot expire while one is sent.
            let lease = self.config.timeout + Duration::from_secs(30);
            let claimed = repo::claim(&mut conn, i64::try_from(free).unwrap_or(i64::MAX), lease).await?;
            // The connection goes back to the pool here: none is held while sending.
            (claimed, free, made)
        };
        let full = claimed.len() == free;
        for delivery in claimed {
            // Only this loop takes slots, and it saw `free` of them: one is there.
            let slot = self.slots.clone().try_acquire_owned()?;
            actix_web::rt::spawn(deliver(
                self.client.clone(),
                self.pool.clone(),
                self.metrics.clone(),
                self.config.clone(),
                self.finished.clone(),
                delivery,
                slot,
            ));
        }
        Ok(if full || made > 0 {
            Next::Now
        } else {
            Next::After(RETRY_CHECK)
        })
    }
}

/// Sends one delivery and records the attempt, then frees its slot and wakes the worker.
/// A failure to record is logged: the delivery's lease then runs out and it is sent
/// again (delivery is at least once).
async fn deliver(
    client: awc::Client,
    pool: DbPool,
    metrics: Arc<Metrics>,
    config: Arc<WebhookConfig>,
    finished: Arc<Notify>,
    delivery: Claimed,
    slot: OwnedSemaphorePermit,
) {
    let attempt = send(&client, &config, &delivery).await;
    let retry_at = next_attempt(&config, &delivery, &attempt);
    let outcome = match (attempt.succeeded(), retry_at) {
        (true, _) => "succeeded",
        (false, Some(_)) => "retrying",
        (false, None) => "failed",
    };
    metrics.webhook_attempts.get_or_create(&OutcomeLabels { outcome }).inc();
    let recorded = async {
        let mut conn = pool.get().await?;
        repo::record_attempt(&mut conn, DeliveryId(delivery.id), &attempt, retry_at).await?;
        anyhow::Ok(())
    };
    if let Err(error) = recorded.await {
        log::warn!(
            "webhook worker: the attempt at delivery {} could not be recorded ({error}); it will be sent again when its lease ends",
            delivery.id
        );
    }
    drop(slot);
    finished.notify_one();
}

/// When to try a failed delivery again: after the backoff delay, but no later than the
/// end of its retry window, so that it is tried for the whole window; `None` once the
/// window is over (or when it succeeded).
fn next_attempt(config: &WebhookConfig, delivery: &Claimed, attempt: &Attempt) -> Option<chrono::DateTime<Utc>> {
    if attempt.succeeded() {
        return None;
    }
    let now = Utc::now();
    let window_end = delivery.retry_from + chrono::Duration::from_std(config.retry_window).ok()?;
    if now >= window_end {
        return None;
    }
    let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
    let delay = retry_delay(config.retry_base, attempts, rand::random::<f64>());
    Some((now + chrono::Duration::from_std(delay).ok()?).min(window_end))
}

/// Posts one delivery, signed, and says what came of it.
async fn send(client: &awc::Client, config: &WebhookConfig, delivery: &Claimed) -> Attempt {
    let started = Instant::now();
    let failed = |error: String| Attempt {
        status_code: None,
        error: Some(error),
        duration: started.elapsed(),
    };
    if let Err(error) = check_literal_address(&delivery.url, config.allow_private) {
        return failed(error);
    }
    let body = match serde_json::to_vec(&delivery.payload) {
        Ok(body) => body,
        Err(error) => return failed(format!("the payload could not be written: {error}")),
    };
    let message_id = delivery.id.to_string();
    let timestamp = Utc::now().timestamp();
    let signature = match sign(&delivery.secret, &message_id, timestamp, &body) {
        Ok(signature) => signature,
        Err(error) => return failed(error.to_string()),
    };
    let request = client
        .post(&delivery.url)
        .timeout(config.timeout)
        .insert_header(("content-type", "application/json"))
        .insert_header(("webhook-id", message_id))
        .insert_header(("webhook-timestamp", timestamp.to_string()))
        .insert_header(("webhook-signature", signature));
    match request.send_body(body).await {
        Ok(response) => {
            let code = response.status().as_u16();
            Attempt {
                status_code: Some(code),
                error: (!(200..300).contains(&code)).then(|| format!("the receiver answered {code}")),
                duration: started.elapsed(),
            }
        }
        Err(error) => failed(describe(&error)),
    }
}

/// A send error in words for the delivery log, with its cause (the resolver's refusal,
/// say) rather than only "connect error".
fn describe(error: &awc::error::SendRequestError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// A URL whose host is a literal private address (never resolved, so the resolver
/// below does not see it) is refused unless private targets are allowed.
fn check_literal_address(url: &str, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("the target URL is invalid: {e}"))?;
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(format!("refused: {ip} is a private, loopback or link-local address"))
    }
}

/// The HTTP client for deliveries: no redirects followed (a redirect could lead to a
/// private address), connections through [`PublicOnly`], rustls with the Mozilla roots.
fn client(config: &WebhookConfig) -> awc::Client {
    let resolver = Resolver::custom(PublicOnly {
        allow_private: config.allow_private,
    });
    let connector = awc::Connector::new()
        .connector(actix_tls::connect::Connector::new(resolver).service())
        .timeout(config.timeout);
    awc::Client::builder()
        .connector(connector)
        .disable_redirects()
        .add_default_header(("user-agent", concat!("Scrutiny-Webhooks/", env!("CARGO_PKG_VERSION"))))
        .timeout(config.timeout)
        .finish()
}

/// Resolves host names and drops private, loopback and link-local addresses (unless
/// allowed): checked on every connection, so a name that later resolves somewhere
/// private (DNS rebinding) is refused then.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn StdError>>> {
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
            if self.allow_private {
                return Ok(addresses);
            }
            let public: Vec<SocketAddr> = addresses.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(
                    format!("refused: {host} resolves only to private, loopback or link-local addresses").into(),
                );
            }
            Ok(public)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_private_addresses_are_refused_at_send_time_unless_allowed() {
        assert!(check_literal_address("http://127.0.0.1:9/x", false).is_err());
        assert!(check_literal_address("http://[::1]:9/x", false).is_err());
        assert!(check_literal_address("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_literal_address("https://93.184.216.34/x", false).is_ok());
        assert!(check_literal_address("https://council.example/x", false).is_ok());
    }

    #[actix_web::test]
    async fn names_that_resolve_to_private_addresses_are_refused_unless_allowed() {
        let refusing = PublicOnly { allow_private: false };
        let error = refusing.lookup("localhost", 80).await.unwrap_err();
        assert!(error.to_string().contains("resolves only to private"), "{error}");
        let allowing = PublicOnly { allow_private: true };
        assert!(!allowing.lookup("localhost", 80).await.unwrap().is_empty());
    }
}
