//! `scrutiny migrate`, and the database connection every one-off command opens.
//!
//! The schema is migrated in one place for the command line: `migrate` does only that,
//! and the other one-off commands (accounts, import) migrate first too, so that they
//! work on a fresh database without a separate step.

use crate::config::Config;
use crate::db::{self, Database};

/// `scrutiny migrate`: applies the pending migrations or, with `--revert-all`, reverts
/// every one (destroying all data), and logs how many.
pub(super) async fn migrate(database: &Database, revert_all: bool) -> anyhow::Result<()> {
    if revert_all {
        let reverted = db::revert_all(&database.url).await?;
        log::info!("{reverted} migration(s) reverted");
    } else {
        let applied = db::migrate(&database.url).await?;
        log::info!("{applied} migration(s) applied");
    }
    Ok(())
}

/// A connection for a one-off command, after making sure the schema is current.
pub(super) async fn admin_conn(config: &Config, database: &Database) -> anyhow::Result<db::DbConn> {
    db::migrate(&database.url).await?;
    let _ = config;
    db::connect(&database.url).await
}
