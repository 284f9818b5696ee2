//! The command line: `scrutiny [serve]`, `scrutiny migrate`, `scrutiny openapi`,
//! `scrutiny seed-demo`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{redact_url, Config};
use crate::db::{self, Database};
use crate::startup::Application;

/// Scrutiny: public accountability as data for a Police, Fire & Crime Panel.
///
/// Configuration comes from the environment (see .env.example). With no DATABASE_URL,
/// a private PostgreSQL cluster is run under SCRUTINY_DATA_DIR.
#[derive(Debug, Parser)]
#[command(name = "scrutiny", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Run pending database migrations and exit.
    Migrate {
        /// Revert every migration instead (destroys all data).
        #[arg(long)]
        revert_all: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load the demo story (the 2022 public question on child protection) into the database.
    SeedDemo,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::spec_json());
        return Ok(());
    }
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,actix_server=warn"),
    )
    .init();
    let config = Config::from_env()?;
    actix_web::rt::System::new().block_on(async move {
        let database = Database::open(&config).await?;
        let result = match command {
            Command::Serve => serve(config, &database).await,
            Command::Migrate { revert_all: false } => {
                db::migrate(&database.url).await.map(|applied| {
                    log::info!("{applied} migration(s) applied");
                })
            }
            Command::Migrate { revert_all: true } => {
                db::revert_all(&database.url).await.map(|reverted| {
                    log::info!("{reverted} migration(s) reverted");
                })
            }
            Command::SeedDemo => seed(&config, &database).await.map(|_| ()),
            Command::Openapi => unreachable!("handled above"),
        };
        database.close();
        result
    })
}

async fn seed(config: &Config, database: &Database) -> anyhow::Result<bool> {
    db::migrate(&database.url).await?;
    let pool = db::pool(&database.url, 1, config.db_timeout)?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    crate::seed::demo(&mut conn).await
}

async fn serve(config: Config, database: &Database) -> anyhow::Result<()> {
    let applied = db::migrate(&database.url)
        .await
        .context("migrating the database")?;
    log::info!(
        "database {} ready ({applied} migration(s) applied)",
        redact_url(&database.url)
    );
    if database.cluster.is_some() && seed(&config, database).await? {
        log::info!("loaded the demo story into the empty database");
    }
    let pool = db::pool(&database.url, config.pool_size, config.db_timeout)?;
    let app = Application::build(config.clone(), pool)
        .with_context(|| format!("listening on SCRUTINY_ADDR={}", config.addr))?;
    log::info!(
        "serving on http://{}:{}/ (Swagger UI at /swagger-ui/)",
        config.addr.ip(),
        app.port()
    );
    app.run_until_stopped().await?;
    log::info!("stopped");
    Ok(())
}
