//! The database: connection pool, embedded migrations, and the private PostgreSQL
//! cluster used when no `DATABASE_URL` is configured.

pub mod cluster;
pub mod schema;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl as _;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{redact_url, Config};

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// An arbitrary constant shared by every instance: whoever holds this advisory lock
/// is the one instance running migrations.
const MIGRATION_LOCK: i64 = 0x5c2a_7100_0000_0001;

/// The shared connection pool.
pub type DbPool = Pool<AsyncPgConnection>;

/// A database connection, as repositories take it.
pub type DbConn = AsyncPgConnection;

/// The database an instance uses: a configured URL, or the private cluster (which is
/// stopped when this is dropped, if this process started it).
#[derive(Debug)]
pub struct Database {
    pub url: String,
    pub cluster: Option<cluster::PrivateCluster>,
}

impl Database {
    /// Resolves the configured database, starting the private cluster if needed.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        match &config.database_url {
            Some(url) => Ok(Self {
                url: url.clone(),
                cluster: None,
            }),
            None => {
                let data_dir = config.data_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || cluster::PrivateCluster::ensure_running(&data_dir))
                    .await
                    .context("starting the private PostgreSQL cluster")??;
                cluster.ensure_database("scrutiny").await?;
                Ok(Self {
                    url: cluster.url("scrutiny"),
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// Stops the private cluster if this process started it.
    pub fn close(self) {
        if let Some(cluster) = self.cluster {
            cluster.stop_if_started_here();
        }
    }
}

/// A connection URL with a connect timeout, so that an unreachable database makes a
/// request fail fast (503) instead of hanging.
pub fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={}", timeout.as_secs().max(1))
}

/// Builds the pool. No connection is opened until one is needed, so the service starts
/// (and answers 503) even while the database is away, and recovers when it returns.
///
/// Connections are recycled by error, not by query: taking one from the pool sends
/// nothing to PostgreSQL (diesel-async's `Fast` recycling checks only that no
/// transaction is left open), where the default `Verified` sent a `SELECT 1` before
/// every request's first statement. A connection that failed is marked broken by
/// diesel-async and discarded when it comes back, so after an outage each idle
/// connection costs at most one failed request (a 503 with `Retry-After`).
pub fn pool(url: &str, size: usize, timeout: Duration) -> anyhow::Result<DbPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(with_connect_timeout(url, timeout), config);
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the connection pool")
}

/// Runs pending migrations under an advisory lock, so that several instances starting
/// at once run each migration exactly once. Blocking work runs off the async runtime.
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
            .with_context(|| format!("connecting to {}", redact_url(&url)))?;
        warn_unless_utf8_locale(&mut conn);
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(&mut conn)?;
        let result = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.len())
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))
            .and_then(|applied| rekey_organisations(&mut conn).map(|_| applied))
            .and_then(|applied| fill_question_deadlines(&mut conn).map(|_| applied));
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(&mut conn)?;
        result
    })
    .await?
}

/// An organisation's name and the key its uniqueness is checked on.
#[derive(diesel::QueryableByName)]
struct NameAndKey {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name_key: String,
}

/// Brings every organisation's `name_key` up to [`caseless_key`] of its name, and says
/// how many changed. The migration that added the key could only start from SQL's
/// `lower(name)`, which is the true key for ASCII names but not for all others ("Straße"),
/// and a new Unicode version may fold a character differently: so each migration run
/// (under the migration lock) checks the names beyond ASCII, which are few. Two
/// existing organisations that only now turn out to share a key cannot both have it:
/// the later one keeps its old key, with a warning naming both spellings, until a
/// person renames or merges them; nothing fails.
///
/// [`caseless_key`]: crate::domain::text::caseless_key
fn rekey_organisations(
    conn: &mut impl diesel::connection::LoadConnection<Backend = diesel::pg::Pg>,
) -> anyhow::Result<usize> {
    use diesel::sql_types::{Text, Uuid};
    let rows: Vec<NameAndKey> = diesel::sql_query(
        "SELECT id, name, name_key FROM organisations WHERE octet_length(name) <> char_length(name) ORDER BY id",
    )
    .load(conn)
    .context("reading organisation names to key")?;
    let mut changed = 0;
    for row in rows {
        let key = crate::domain::text::caseless_key(&row.name);
        if key == row.name_key {
            continue;
        }
        let updated = diesel::sql_query("UPDATE organisations SET name_key = $1 WHERE id = $2")
            .bind::<Text, _>(&key)
            .bind::<Uuid, _>(row.id)
            .execute(conn);
        match updated {
            Ok(_) => changed += 1,
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                log::warn!(
                    "organisation {} ({:?}) has the same name as another, ignoring letter case; \
                     rename or merge one of them",
                    row.id,
                    row.name
                );
            }
            Err(error) => return Err(error).context("keying organisation names"),
        }
    }
    if changed > 0 {
        log::info!("{changed} organisation name key(s) brought up to date");
    }
    Ok(changed)
}

/// A panel meeting waiting for its question deadline.
#[derive(diesel::QueryableByName)]
struct Undated {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Date)]
    held_on: chrono::NaiveDate,
}

/// Gives each panel meeting that has no question deadline the one the default rules
/// give it, and says how many it filled. Deadlines are stored since panels have had
/// their own rules (the migration that added the column could not work them out: the
/// bank holiday rules live here); every meeting scheduled before then was scheduled
/// under the defaults, and every one scheduled since gets its deadline as it is
/// written, so after the first run this finds only meetings whose deadline the calendar
/// cannot vouch for, which stay without one (they take no questions). A cancelled
/// meeting has none, and is left so.
fn fill_question_deadlines(
    conn: &mut impl diesel::connection::LoadConnection<Backend = diesel::pg::Pg>,
) -> anyhow::Result<usize> {
    use diesel::sql_types::{Timestamptz, Uuid};
    let rows: Vec<Undated> = diesel::sql_query(
        "SELECT id, held_on FROM meetings WHERE kind = 'panel_meeting' AND question_deadline IS NULL \
         AND NOT cancelled ORDER BY id",
    )
    .load(conn)
    .context("reading panel meetings without a question deadline")?;
    let rules = crate::domain::question_rules::QuestionRules::default();
    let mut filled = 0;
    for row in rows {
        let Ok((_, deadline)) = rules.deadline(row.held_on) else {
            continue;
        };
        diesel::sql_query("UPDATE meetings SET question_deadline = $1 WHERE id = $2")
            .bind::<Timestamptz, _>(deadline)
            .bind::<Uuid, _>(row.id)
            .execute(conn)
            .context("filling in a question deadline")?;
        filled += 1;
    }
    if filled > 0 {
        log::info!("{filled} panel meeting question deadline(s) filled in");
    }
    Ok(filled)
}

/// The character classification (`LC_CTYPE`) of the connected database.
#[derive(diesel::QueryableByName)]
struct Ctype {
    #[diesel(sql_type = diesel::sql_types::Text)]
    ctype: String,
}

/// Whether a database whose `LC_CTYPE` is `ctype` reads non-ASCII letters as letters.
/// Under `C` or `POSIX` PostgreSQL's full-text parser splits words at every byte beyond
/// ASCII, so "Môn" or "children’s" are not found or highlighted as words.
pub fn ctype_reads_unicode_letters(ctype: &str) -> bool {
    let lower = ctype.to_ascii_lowercase();
    lower.contains("utf-8") || lower.contains("utf8")
}

/// Logs a warning, once at start, when the database's locale would make full-text search
/// treat non-ASCII letters as separators (see [`ctype_reads_unicode_letters`]). The
/// private cluster is created with a UTF-8 locale; an external database is the
/// operator's to create, so this says what to do rather than refusing to start.
fn warn_unless_utf8_locale(conn: &mut impl diesel::connection::LoadConnection<Backend = diesel::pg::Pg>) {
    let found: Result<Ctype, _> =
        diesel::sql_query("SELECT datctype AS ctype FROM pg_database WHERE datname = current_database()")
            .get_result(conn);
    if let Ok(Ctype { ctype }) = found {
        if !ctype_reads_unicode_letters(&ctype) {
            log::warn!(
                "the database's LC_CTYPE is {ctype:?}: full-text search will split words at every non-ASCII letter \
                 (\"Môn\", \"children’s\"); create the database with a UTF-8 locale, e.g. \
                 CREATE DATABASE scrutiny TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            );
        }
    }
}

/// Reverts every migration: for the migration round-trip test and `scrutiny migrate --revert-all`.
pub async fn revert_all(url: &str) -> anyhow::Result<usize> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        let result = conn
            .revert_all_migrations(MIGRATIONS)
            .map(|reverted| reverted.len())
            .map_err(|e| anyhow::anyhow!("reverting migrations: {e}"));
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
        result
    })
    .await?
}

/// Opens one connection outside the pool (for administrative work).
pub async fn connect(url: &str) -> anyhow::Result<AsyncPgConnection> {
    AsyncPgConnection::establish(url)
        .await
        .with_context(|| format!("connecting to {}", redact_url(url)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_utf8_locales_read_unicode_letters() {
        for ctype in ["C.UTF-8", "C.utf8", "en_GB.UTF-8", "en_US.utf8"] {
            assert!(super::ctype_reads_unicode_letters(ctype), "{ctype}");
        }
        for ctype in ["C", "POSIX", "en_GB.ISO-8859-1"] {
            assert!(!super::ctype_reads_unicode_letters(ctype), "{ctype}");
        }
    }
}
