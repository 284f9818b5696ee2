//! `scrutiny serve` (the default command): running the HTTP API until told to stop.
//!
//! Serving is more than starting the server: the schema is migrated while the API
//! already answers (as unready), a zero-config run loads the demo story and creates a
//! first `admin`, and a SIGTERM or SIGINT drains the server gracefully. All of that
//! ordering is here, in one function.

use std::net::TcpListener;

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
pub(super) async fn serve(config: Config, database: &Database, listener: TcpListener) -> anyhow::Result<()> {
    let pool = db::pool(&database.url, config.pool_size, config.db_timeout)?;
    let app = Application::build_on(config.clone(), pool, listener)?;
    let readiness = app.readiness();
    let handle = app.handle();
    let port = app.port();
    readiness.set_migrating(true);
    log::info!(
        "listening on http://{}:{port}/ (answering 503 until the database is ready)",
        config.addr.ip()
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
    log::info!(
        "serving on http://{}:{port}/ (Swagger UI at /swagger-ui/)",
        config.addr.ip()
    );

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

/// Binds `SCRUTINY_ADDR`, before anything else is started: an address in use (another
/// instance, another program) is reported with what to do about it, and nothing (no
/// private cluster, no data directory) is left behind.
pub(super) fn bind(config: &Config) -> anyhow::Result<TcpListener> {
    TcpListener::bind(config.addr).map_err(|error| {
        let advice = match error.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "the address is in use (is another scrutiny running?): stop it, or listen \
                 elsewhere with SCRUTINY_ADDR, e.g. SCRUTINY_ADDR={}:{}",
                config.addr.ip(),
                config.addr.port().wrapping_add(1).max(1024)
            ),
            _ => "set SCRUTINY_ADDR to an address of this machine, e.g. SCRUTINY_ADDR=127.0.0.1:8080".into(),
        };
        anyhow::anyhow!("cannot listen on SCRUTINY_ADDR={}: {error}; {advice}", config.addr)
    })
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
