//! Builds the HTTP application, for `main` and for the tests alike.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::app::{AppState, Readiness};
use crate::auth::{signing_secret, Authenticator};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::{self, BodyLimit, BodyTimeout, RouteTable};
use crate::openapi::ApiDoc;
use crate::routes;

/// A bound, not yet running, HTTP server.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

impl Application {
    /// Binds `config.addr` (port 0 picks a free port) and builds the server. A read pool
    /// is made from `config.database_read_url` when set.
    pub fn build(config: Config, pool: DbPool) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(config.addr).with_context(|| format!("listening on SCRUTINY_ADDR={}", config.addr))?;
        Self::build_on(config, pool, listener)
    }

    /// Builds the server on a listener already bound (`scrutiny serve` binds before it
    /// starts a database, so that a taken address costs nothing).
    pub fn build_on(config: Config, pool: DbPool, listener: TcpListener) -> anyhow::Result<Self> {
        let authenticator = Authenticator::new(&config.auth, &signing_secret(&config)?)?;
        let read_pool = match &config.database_read_url {
            Some(url) => Some(crate::db::pool(url, config.pool_size, config.db_timeout)?),
            None => None,
        };
        let port = listener.local_addr()?.port();
        let state = AppState::new(pool, read_pool, Arc::new(config.clone()), Arc::new(authenticator));
        let spec = crate::openapi::spec();
        let route_table = web::Data::new(RouteTable::from_openapi(&spec));
        let metrics = web::Data::from(state.metrics.clone());
        let body_limit = config.body_limit;
        let body_timeout = config.body_timeout;
        let cors_origins = config.cors_origins.clone();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(web::Data::new(app_state.clone()))
                .app_data(route_table.clone())
                .app_data(metrics.clone())
                .app_data(BodyLimit(body_limit))
                .app_data(BodyTimeout(body_timeout))
                .app_data(http::path_config())
                .configure(routes::configure)
                .split_for_parts();
            app.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec.clone()))
                .route(
                    "/",
                    web::get().to(|| async {
                        HttpResponse::Found()
                            .insert_header(("Location", "/swagger-ui/"))
                            .finish()
                    }),
                )
                // The UI's own route needs the slash; without it, a permanent redirect.
                .route(
                    "/swagger-ui",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/swagger-ui/"))
                            .finish()
                    }),
                )
                .default_service(web::to(http::fallback))
                .wrap(from_fn(http::head_as_get))
                .wrap(from_fn(crate::idempotency::middleware))
                .wrap(from_fn(http::caching::vary_by_caller))
                .wrap(from_fn(http::not_while_migrating))
                .wrap(from_fn(crate::metrics::track))
                .wrap(from_fn(http::log_request))
                .wrap(Condition::new(!cors_origins.is_empty(), cors(&cors_origins)))
                .wrap(http::security_headers())
                .wrap(from_fn(http::request_id))
        })
        // Signals are handled by the caller (`scrutiny serve`), which first marks the
        // instance unready so load balancers drain it.
        .disable_signals()
        .listen(listener)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.shutdown_timeout(30).run(),
            port,
            state,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Readiness flags shared with `/health/ready`.
    pub fn readiness(&self) -> Arc<Readiness> {
        self.state.readiness.clone()
    }

    /// Serves until stopped through [`Application::handle`], finishing in-flight requests.
    /// The change-feed sequencer, the webhook and mail workers and the scheduled
    /// ModernGov sync start once the schema is migrated: before that their queries could
    /// only fail.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // The background tasks start once migrations are done (no warnings from them
        // while the tables they read are being made).
        let wakeups = crate::wakeups::Wakeups::default();
        let readiness = self.state.readiness.clone();
        let pool = self.state.pool.clone();
        let listening = wakeups.clone();
        let notifications = actix_web::rt::spawn(async move {
            readiness.migrated().await;
            crate::wakeups::listen(pool, listening).await
        });
        let readiness = self.state.readiness.clone();
        let (pool, metrics) = (self.state.pool.clone(), self.state.metrics.clone());
        let wake = wakeups.sequencer.clone();
        let sequencer = actix_web::rt::spawn(async move {
            readiness.migrated().await;
            crate::sequencer::run(pool, metrics, wake).await
        });
        let readiness = self.state.readiness.clone();
        let (pool, metrics) = (self.state.pool.clone(), self.state.metrics.clone());
        let webhook_config = self.state.config.webhooks.clone();
        let wake = wakeups.webhooks.clone();
        let webhooks = actix_web::rt::spawn(async move {
            readiness.migrated().await;
            crate::webhooks::run(pool, metrics, webhook_config, wake).await
        });
        let readiness = self.state.readiness.clone();
        let (pool, metrics) = (self.state.pool.clone(), self.state.metrics.clone());
        let config = &self.state.config;
        let (mail_config, public_url_template, base_url) = (
            config.mail.clone(),
            config.public_url_template.clone(),
            config.base_url.clone(),
        );
        crate::mail::announce(&mail_config, base_url.is_some());
        let wake = wakeups.mail.clone();
        let mail = actix_web::rt::spawn(async move {
            readiness.migrated().await;
            crate::mail::run(pool, metrics, mail_config, public_url_template, base_url, wake).await
        });
        let readiness = self.state.readiness.clone();
        let (pool, metrics) = (self.state.pool.clone(), self.state.metrics.clone());
        let moderngov_config = self.state.config.moderngov.clone();
        crate::moderngov_sync::announce(&moderngov_config);
        let moderngov = actix_web::rt::spawn(async move {
            readiness.migrated().await;
            crate::moderngov_sync::run(pool, metrics, moderngov_config).await
        });
        let result = self.server.await;
        moderngov.abort();
        notifications.abort();
        sequencer.abort();
        webhooks.abort();
        mail.abort();
        result
    }
}

/// CORS for the origins in `SCRUTINY_CORS_ORIGINS` (applied only when there are some):
/// preflights answered for them, the headers clients need to read exposed, and those
/// they send allowed. A request from another origin is served without CORS headers, so
/// a browser keeps its answer from the page; a preflight from one is refused.
fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG, header::LINK, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600);
    origins.iter().fold(cors, |cors, origin| cors.allowed_origin(origin))
}
