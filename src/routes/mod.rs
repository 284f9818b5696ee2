//! Thin HTTP handlers and their request/response types, one file per resource.
//!
//! Every route is registered here, through `utoipa_actix_web`, so that registering a
//! handler is also documenting it: a route missing from [`configure`] does not exist,
//! and one present here is always in the OpenAPI document.

pub mod actions;
pub mod auth;
pub mod clients;
pub mod health;
pub mod organisations;
pub mod problems;
pub mod recommendations;
pub mod reports;
pub mod users;

use std::sync::Arc;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::auth::Authenticator;
use crate::config::Config;
use crate::db::DbPool;
use crate::error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub auth: Arc<Authenticator>,
}

impl AppState {
    /// A pooled connection; 503 when the database cannot be reached in time.
    pub async fn conn(&self) -> Result<diesel_async::pooled_connection::deadpool::Object<crate::db::DbConn>, ApiError> {
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
                .service(auth::issue_token)
                .service(auth::get_me)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(clients::list_clients)
                .service(clients::create_client)
                .service(clients::get_client)
                .service(clients::update_client)
                .service(clients::rotate_client_secret)
                .service(organisations::list_organisations)
                .service(organisations::create_organisation)
                .service(organisations::get_organisation)
                .service(organisations::update_organisation)
                .service(reports::list_reports)
                .service(reports::create_report)
                .service(reports::get_report)
                .service(reports::update_report)
                .service(reports::get_report_scorecard)
                .service(recommendations::list_report_recommendations)
                .service(recommendations::create_recommendation)
                .service(recommendations::list_recommendations)
                .service(recommendations::get_recommendation)
                .service(recommendations::update_recommendation)
                .service(actions::list_actions)
                .service(actions::create_action)
                .service(actions::get_action)
                .service(actions::update_action)
                .service(actions::list_action_updates)
                .service(actions::post_action_update),
        )
        .service(problems::get_problem_type);
}
