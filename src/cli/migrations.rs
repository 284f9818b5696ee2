//! `scrutiny migrate`, and the database connection every one-off command opens.
//!
//! The schema is migrated in one place for the command line: `migrate` does only that,
//! and the other one-off commands (accounts, import) migrate first too, so that they
//! work on a fresh database without a separate step.

use crate::config::Config;
use crate::db::{self, Database};

/// `scrutiny migrate`: applies the pending migrations or, with `--revert-all`, reverts
/// every one (destroying all data), and logs how many. Reverting needs `yes`, or a
/// person at a terminal typing `yes` when asked.
pub(super) async fn migrate(database: &Database, revert_all: bool, yes: bool) -> anyhow::Result<()> {
    if revert_all {
        confirm_revert_all(database, yes)?;
        let reverted = db::revert_all(&database.url).await?;
        log::info!("{reverted} migration(s) reverted");
    } else {
        let applied = db::migrate(&database.url).await?;
        log::info!("{applied} migration(s) applied");
    }
    Ok(())
}

/// Whether the operator has agreed to lose every table: `--yes`, or `yes` typed at a
/// terminal. Without a terminal, and without `--yes`, the answer is no.
fn confirm_revert_all(database: &Database, yes: bool) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    if yes {
        return Ok(());
    }
    let refusal = "nothing was reverted: pass --yes to revert every migration and delete all data";
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{refusal}");
    }
    eprint!(
        "This drops every table of {} and all their data. Type yes to go on: ",
        crate::config::redact_url(&database.url)
    );
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        anyhow::bail!("{refusal}");
    }
    Ok(())
}

/// A connection for a one-off command, after making sure the schema is current.
pub(super) async fn admin_conn(config: &Config, database: &Database) -> anyhow::Result<db::DbConn> {
    db::migrate(&database.url).await?;
    let _ = config;
    db::connect(&database.url).await
}
