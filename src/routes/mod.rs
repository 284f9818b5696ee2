//! Thin HTTP handlers and their request/response types, one file per resource.
//!
//! Every route is registered here, through `utoipa_actix_web`, so that registering a
//! handler is also documenting it: a route missing from [`configure`] does not exist,
//! and one present here is always in the OpenAPI document.

pub mod accountability;
pub mod actions;
pub mod audit_events;
pub mod auth;
pub mod clients;
pub mod events;
pub mod feeds;
pub mod follow;
pub mod health;
pub mod imports;
pub mod meetings;
pub mod organisations;
pub mod pending_imports;
pub mod problems;
pub mod programme_imports;
pub mod programmes;
pub mod progress_updates;
pub mod question_requests;
pub mod question_rules;
pub mod question_supplementaries;
pub mod question_transitions;
pub mod questions;
pub mod recommendations;
pub mod reports;
pub mod response_versions;
pub mod responses;
pub mod search;
pub mod subscriptions;
pub mod users;
pub mod webhook_deliveries;
pub mod webhooks;

use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// Registers every documented route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::get_liveness)
        .service(health::get_readiness)
        .service(health::get_metrics)
        .service(feeds::get_questions_feed)
        .service(feeds::get_responses_feed)
        .service(feeds::get_actions_feed)
        .service(
            scope::scope("/api/v1")
                .service(auth::issue_token)
                .service(auth::get_me)
                .service(audit_events::list_audit_events)
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
                .service(question_rules::get_question_rules)
                .service(question_rules::replace_question_rules)
                .service(meetings::list_meetings)
                .service(meetings::create_meeting)
                .service(meetings::get_meeting)
                .service(meetings::update_meeting)
                .service(questions::list_questions)
                .service(questions::create_question)
                .service(questions::get_question)
                .service(questions::update_question)
                .service(question_transitions::accept_question)
                .service(question_transitions::reject_question)
                .service(question_transitions::refer_question)
                .service(question_transitions::withdraw_question)
                .service(question_supplementaries::create_supplementary_question)
                .service(follow::replace_follow_link)
                .service(follow::get_followed_question)
                .service(follow::withdraw_followed_question)
                .service(subscriptions::create_subscription)
                .service(subscriptions::get_confirmation_page)
                .service(subscriptions::confirm_subscription)
                .service(subscriptions::get_unsubscribe_page)
                .service(subscriptions::delete_subscription)
                .service(subscriptions::get_subscription_counts)
                .service(subscriptions::list_subscriptions)
                .service(accountability::get_question_accountability)
                .service(accountability::get_nested_question_accountability)
                .service(imports::create_import)
                .service(pending_imports::list_pending_imports)
                .service(pending_imports::confirm_pending_import)
                .service(pending_imports::dismiss_pending_import)
                .service(responses::list_responses)
                .service(responses::create_response)
                .service(responses::get_response)
                .service(responses::update_response)
                .service(responses::publish_response)
                .service(response_versions::list_response_versions)
                .service(reports::list_reports)
                .service(reports::create_report)
                .service(reports::get_report)
                .service(reports::update_report)
                .service(reports::get_report_scorecard)
                .service(programmes::list_programmes)
                .service(programmes::create_programme)
                .service(programmes::get_programme)
                .service(programmes::update_programme)
                .service(programmes::get_programme_progress)
                .service(programme_imports::create_programme_import)
                .service(recommendations::list_report_recommendations)
                .service(recommendations::create_recommendation)
                .service(recommendations::list_recommendations)
                .service(recommendations::get_recommendation)
                .service(recommendations::update_recommendation)
                .service(actions::list_actions)
                .service(actions::create_action)
                .service(actions::get_action)
                .service(actions::update_action)
                .service(progress_updates::list_progress_updates)
                .service(progress_updates::create_progress_update)
                .service(events::list_events)
                .service(webhooks::list_webhooks)
                .service(webhooks::create_webhook)
                .service(webhooks::get_webhook)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::rotate_webhook_secret)
                .service(webhook_deliveries::list_webhook_deliveries)
                .service(webhook_deliveries::redeliver_webhook_delivery)
                .service(search::search_records),
        )
        .service(problems::get_problem_type);
}
