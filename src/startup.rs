//! Builds the HTTP application, for `main` and for the tests alike.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Logger};
use actix_web::{web, App, HttpResponse, HttpServer};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use anyhow::Context;

use crate::auth::{signing_secret, Authenticator};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::{self, BodyLimit, RouteTable};
use crate::openapi::ApiDoc;
use crate::routes::{self, AppState};
use utoipa::OpenApi;

/// A bound, not yet running, HTTP server.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds `config.addr` (port 0 picks a free port) and builds the server.
    pub fn build(config: Config, pool: DbPool) -> anyhow::Result<Self> {
        let authenticator = Authenticator::new(&config.auth, &signing_secret(&config)?)?;
        let listener =
            TcpListener::bind(config.addr).with_context(|| format!("listening on SCRUTINY_ADDR={}", config.addr))?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            pool,
            config: Arc::new(config.clone()),
            auth: Arc::new(authenticator),
        };
        let spec = crate::openapi::spec();
        let route_table = web::Data::new(RouteTable::from_openapi(&spec));
        let body_limit = config.body_limit;
        let mut server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(web::Data::new(state.clone()))
                .app_data(route_table.clone())
                .app_data(BodyLimit(body_limit))
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
                .default_service(web::to(http::fallback))
                .wrap(from_fn(crate::idempotency::middleware))
                .wrap(from_fn(http::request_id))
                .wrap(
                    Logger::new("%{method}xi %U %s %Dms req=%{x-request-id}o")
                        .custom_request_replace("method", |req| req.method().to_string()),
                )
        })
        .listen(listener)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.shutdown_timeout(30).run(),
            port,
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

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
