//! Scrutiny: public accountability as data for a Police, Fire & Crime Panel.
//!
//! The crate is a library with a thin binary (`src/main.rs`). The layout follows the
//! request's path through the service:
//!
//! - [`startup`] builds the HTTP application, for `main` and for the tests alike;
//! - [`routes`] holds thin handlers and their request/response types;
//! - [`domain`] holds typed ids, states and validated text, with no I/O;
//! - [`repo`] is the only place that builds database queries;
//! - [`error`], [`http`] and [`pagination`] are the contract every resource shares.

pub mod app;
#[cfg(test)]
mod architecture;
pub mod auth;
pub mod background;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod moderngov;
pub mod moderngov_sync;
pub mod openapi;
pub mod pagination;
pub mod repo;
pub mod routes;
pub mod seed;
pub mod sequencer;
pub mod startup;
pub mod wakeups;
pub mod webhooks;
