//! Thin HTTP handlers and their request/response types, one file per resource.
//!
//! Every route is registered here, through `utoipa_actix_web`, so that registering a
//! handler is also documenting it: a route missing from [`configure`] does not exist,
//! and one present here is always in the OpenAPI document.

pub mod health;
pub mod organisations;
pub mod problems;

use std::sync::Arc;

use actix_web::{FromRequest, HttpMessage, HttpRequest};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::config::Config;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::http::RequestId;
use crate::repo::audit::Actor;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
}

impl AppState {
    /// A pooled connection; 503 when the database cannot be reached in time.
    pub async fn conn(
        &self,
    ) -> Result<diesel_async::pooled_connection::deadpool::Object<crate::db::DbConn>, ApiError>
    {
        Ok(self.pool.get().await?)
    }
}

/// Registers every documented route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::ready)
        .service(
            scope::scope("/api/v1")
                .service(organisations::list_organisations)
                .service(organisations::create_organisation)
                .service(organisations::get_organisation)
                .service(organisations::update_organisation),
        )
        .service(problems::get_problem_type);
}

/// The caller as recorded in the audit log, with the request's id.
impl FromRequest for Actor {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Actor {
            kind: "anonymous",
            id: None,
            request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        }))
    }
}
