//! The application state every handler can reach: the database pools, the
//! configuration, the authenticator, the metrics and the readiness flags.
//!
//! It lives here, below everything that uses it, so that the HTTP layer (`http`),
//! the routes and the background workers can all import it without importing each
//! other.

use std::sync::Arc;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::auth::hashing::Hashing;
use crate::auth::Authenticator;
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
    /// The bounded gate every password and secret hash goes through.
    pub hashing: Arc<Hashing>,
    pub metrics: Arc<Metrics>,
    pub readiness: Arc<Readiness>,
    /// The gate for answers built whole in memory that can run to megabytes: at most
    /// [`large_answers_at_once`] are built at a time. See [`AppState::large_answer`].
    large_answers: Arc<tokio::sync::Semaphore>,
    replica_down_until_ms: Arc<AtomicU64>,
}

/// How many large answers are built at once: two per core, so that while one waits on
/// PostgreSQL another is being written out, and no more, since more at once only holds
/// more pages in memory without answering any sooner.
pub fn large_answers_at_once() -> usize {
    2 * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl AppState {
    pub fn new(pool: DbPool, read_pool: Option<DbPool>, config: Arc<Config>, auth: Arc<Authenticator>) -> Self {
        let hashing = Arc::new(Hashing::new(config.hashing_concurrency, config.hashing_queue));
        Self {
            pool,
            read_pool,
            config,
            hashing,
            auth,
            metrics: Arc::new(Metrics::new()),
            readiness: Arc::new(Readiness::default()),
            large_answers: Arc::new(tokio::sync::Semaphore::new(large_answers_at_once())),
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
    pub async fn read_conn(&self, signed_in: bool) -> Result<PooledConn, ApiError> {
        let Some(replica) = self.read_pool.as_ref().filter(|_| !signed_in) else {
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

    /// A turn to build a large answer (a page of the change feed of more than 100
    /// events: rows of up to 1,000 snapshots, then their JSON, each about a megabyte):
    /// held while the page is read and written, dropped before it is sent. A burst of
    /// such reads is answered [`large_answers_at_once`] at a time rather than all at
    /// once, so the memory it takes is bounded by the gate rather than by the pool size
    /// or the number of connections. Waits up to `SCRUTINY_DB_TIMEOUT_MS`, as for a
    /// connection, then 503 with `Retry-After`.
    pub async fn large_answer(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        match tokio::time::timeout(self.config.db_timeout, self.large_answers.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::Internal(closed.into())),
            Err(_elapsed) => {
                log::warn!(
                    "a large answer waited {:?} for its turn: answering 503",
                    self.config.db_timeout
                );
                Err(ApiError::Unavailable)
            }
        }
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
    /// Woken when migrating ends.
    migrated: tokio::sync::Notify,
}

impl Readiness {
    pub fn set_migrating(&self, migrating: bool) {
        self.migrating.store(migrating, Ordering::SeqCst);
        if !migrating {
            self.migrated.notify_waiters();
        }
    }

    /// Returns once the instance is not migrating (at once if it is not).
    pub async fn migrated(&self) {
        loop {
            let notified = self.migrated.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if !self.is_migrating() {
                return;
            }
            notified.await;
        }
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
