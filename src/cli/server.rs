//! `scrutiny serve` (the default command): running the HTTP API until told to stop.
//!
//! Serving is more than starting the server: the schema is migrated while the API
//! already answers (as unready), a zero-config run loads the demo story and creates a
//! first `admin`, and a SIGTERM or SIGINT drains the server gracefully. All of that
//! ordering is here, in one function.

use anyhow::Context;

use super::accounts::first_admin;
use super::imports::seed;
use crate::config::{redact_url, Config};
use crate::db::{self, Database};
use crate::startup::Application;

/// Serves the API. The server starts answering at once (503 on the API and on
/// `/health/ready` while migrations run), and on SIGTERM or SIGINT it first reports
/// unready for `SCRUTINY_SHUTDOWN_GRACE_SECS`, then stops accepting connections and
/// finishes in-flight requests.
pub(super) async fn serve(config: Config, database: &Database) -> anyhow::Result<()> {
    let pool = db::pool(&database.url, config.pool_size, config.db_timeout)?;
    let app = Application::build(config.clone(), pool)?;
    let readiness = app.readiness();
    let handle = app.handle();
    readiness.set_migrating(true);
    log::info!(
        "serving on http://{}:{}/ (Swagger UI at /swagger-ui/)",
        config.addr.ip(),
        app.port()
    );
    let server = actix_web::rt::spawn(app.run_until_stopped());

    let prepared = async {
        let applied = db::migrate(&database.url).await.context("migrating the database")?;
        log::info!(
            "database {} ready ({applied} migration(s) applied)",
            redact_url(&database.url)
        );
        if database.cluster.is_some() {
            if seed(&config, database).await? {
                log::info!("loaded the demo story into the empty database");
            }
            first_admin(&config, database).await?;
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(error) = prepared {
        handle.stop(false).await;
        return Err(error);
    }
    readiness.set_migrating(false);

    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
    actix_web::rt::spawn(async move {
        shutdown_signal().await;
        log::info!(
            "shutting down: unready for {}s, then finishing in-flight requests",
            grace.as_secs()
        );
        readiness.begin_shutdown();
        actix_web::rt::time::sleep(grace).await;
        handle.stop(true).await;
    });
    server.await??;
    log::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM or SIGINT (or, where those cannot be listened for, Ctrl-C).
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut terminate), Ok(mut interrupt)) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
