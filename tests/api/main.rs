//! The integration tests: one binary, each test against the real app on port 0 and a
//! database of its own.
//!
//! - `routes/` mirrors `src/routes/`: the tests of `src/routes/questions.rs` are in
//!   `routes/questions.rs`, and so on.
//! - `properties/` holds what holds across every route: the HTTP contract, hostile
//!   input, what every list refuses, the permission matrix, resilience, the OpenAPI
//!   document, migrations, deployment files, the demo story, exports and operations.
//! - `helpers.rs` starts apps and sends requests as a stated caller
//!   (`app.as_admin().get(…)`, `app.anonymous().post(…)`); `helpers/` holds the resources
//!   tests start from and the checks many tests make.

mod helpers;

/// One file per route file in `src/routes/`.
mod routes {
    mod accountability;
    mod actions;
    mod audit_events;
    mod auth;
    mod clients;
    mod events;
    mod feeds;
    mod follow;
    pub mod health;
    pub mod imports;
    mod meetings;
    mod organisations;
    mod programme_imports;
    mod programmes;
    mod question_outcomes;
    mod question_referrals;
    mod question_rules;
    mod questions;
    mod recommendation_status;
    mod recommendations;
    mod reports;
    mod responses;
    mod search;
    mod subscriptions;
    mod users;
    mod verbal_answers;
    mod webhooks;
}

/// Properties of the whole service rather than of one route.
mod properties {
    mod contract;
    mod demo;
    mod deployment;
    mod exports;
    mod hostile;
    mod lists;
    mod mail;
    mod migrations;
    mod moderngov;
    mod openapi;
    mod operations;
    mod permissions;
    mod resilience;
}
