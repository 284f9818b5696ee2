//! Thin HTTP handlers and their request/response types, one file per resource.
//!
//! Every route is registered here, through `utoipa_actix_web`, so that registering a
//! handler is also documenting it: a route missing from [`configure`] does not exist,
//! and one present here is always in the OpenAPI document.

pub mod accountability;
pub mod actions;
pub mod auth;
pub mod clients;
pub mod events;
pub mod feeds;
pub mod health;
pub mod imports;
pub mod meetings;
pub mod organisations;
pub mod problems;
pub mod questions;
pub mod recommendations;
pub mod reports;
pub mod responses;
pub mod search;
pub mod users;
pub mod webhooks;

use std::sync::Arc;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::auth::{Authenticator, Caller};
use crate::config::Config;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::metrics::Metrics;

/// A connection taken from a pool.
pub type PooledConn = diesel_async::pooled_connection::deadpool::Object<crate::db::DbConn>;

/// How long reads skip a replica that just failed, so that its outage costs each
/// request nothing rather than a connect timeout.
const REPLICA_RETRY_AFTER_MS: u64 = 5_000;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// The read replica's pool (`DATABASE_READ_URL`), if any.
    pub read_pool: Option<DbPool>,
    pub config: Arc<Config>,
    pub auth: Arc<Authenticator>,
    pub metrics: Arc<Metrics>,
    pub readiness: Arc<Readiness>,
    replica_down_until_ms: Arc<AtomicU64>,
}

impl AppState {
    pub fn new(pool: DbPool, read_pool: Option<DbPool>, config: Arc<Config>, auth: Arc<Authenticator>) -> Self {
        Self {
            pool,
            read_pool,
            config,
            auth,
            metrics: Arc::new(Metrics::new()),
            readiness: Arc::new(Readiness::default()),
            replica_down_until_ms: Arc::default(),
        }
    }

    /// A connection to the primary; 503 when the database cannot be reached in time.
    /// Everything that writes, or must read its own writes, uses this.
    pub async fn conn(&self) -> Result<PooledConn, ApiError> {
        Ok(self.pool.get().await?)
    }

    /// A connection for a read that may be slightly stale: the replica for anonymous
    /// callers when one is configured and reachable, else the primary (counted in
    /// `scrutiny_db_replica_fallbacks`). Signed-in callers read the primary, so they
    /// always see their own writes.
    pub async fn read_conn(&self, caller: &Caller) -> Result<PooledConn, ApiError> {
        let Some(replica) = self.read_pool.as_ref().filter(|_| caller.principal.is_none()) else {
            return self.conn().await;
        };
        let now = now_ms();
        if self.replica_down_until_ms.load(Ordering::Relaxed) <= now {
            match replica.get().await {
                Ok(conn) => return Ok(conn),
                Err(error) => {
                    log::warn!("read replica unreachable, reading from the primary: {error}");
                    self.replica_down_until_ms
                        .store(now + REPLICA_RETRY_AFTER_MS, Ordering::Relaxed);
                }
            }
        }
        self.metrics.replica_fallbacks.inc();
        self.conn().await
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Whether this instance should receive traffic: not while migrations run, nor once
/// shutdown has begun.
#[derive(Debug, Default)]
pub struct Readiness {
    migrating: AtomicBool,
    shutting_down: AtomicBool,
}

impl Readiness {
    pub fn set_migrating(&self, migrating: bool) {
        self.migrating.store(migrating, Ordering::SeqCst);
    }

    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_migrating(&self) -> bool {
        self.migrating.load(Ordering::SeqCst)
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}

/// Registers every documented route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(feeds::questions_feed)
        .service(feeds::responses_feed)
        .service(feeds::actions_feed)
        .service(
            scope::scope("/api/v1")
                .service(auth::issue_token)
                .service(auth::get_me)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(clients::list_clients)
                .service(clients::create_client)
                .service(clients::get_client)
                .service(clients::update_client)
                .service(clients::rotate_client_secret)
                .service(organisations::list_organisations)
                .service(organisations::create_organisation)
                .service(organisations::get_organisation)
                .service(organisations::update_organisation)
                .service(meetings::list_meetings)
                .service(meetings::create_meeting)
                .service(meetings::get_meeting)
                .service(meetings::update_meeting)
                .service(questions::list_questions)
                .service(questions::create_question)
                .service(questions::get_question)
                .service(questions::update_question)
                .service(questions::accept_question)
                .service(questions::reject_question)
                .service(questions::withdraw_question)
                .service(accountability::get_question_accountability)
                .service(imports::create_import)
                .service(responses::list_responses)
                .service(responses::create_response)
                .service(responses::get_response)
                .service(responses::update_response)
                .service(responses::publish_response)
                .service(responses::list_response_versions)
                .service(reports::list_reports)
                .service(reports::create_report)
                .service(reports::get_report)
                .service(reports::update_report)
                .service(reports::get_report_scorecard)
                .service(recommendations::list_report_recommendations)
                .service(recommendations::create_recommendation)
                .service(recommendations::list_recommendations)
                .service(recommendations::get_recommendation)
                .service(recommendations::update_recommendation)
                .service(actions::list_actions)
                .service(actions::create_action)
                .service(actions::get_action)
                .service(actions::update_action)
                .service(actions::list_action_updates)
                .service(actions::post_action_update)
                .service(events::list_events)
                .service(webhooks::list_webhooks)
                .service(webhooks::create_webhook)
                .service(webhooks::get_webhook)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::rotate_webhook_secret)
                .service(webhooks::list_deliveries)
                .service(webhooks::redeliver)
                .service(search::search),
        )
        .service(problems::get_problem_type);
}
