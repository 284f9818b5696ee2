//! The integration tests: one binary, a module per area, each test against the real app
//! on port 0 and a database of its own.

mod actions;
mod auth;
mod contract;
mod demo;
mod deployment;
mod events;
mod exports;
mod feeds;
mod helpers;
mod hostile;
mod imports;
mod meetings;
mod migrations;
mod openapi;
mod operations;
mod organisations;
mod permissions;
mod questions;
mod recommendations;
mod reports;
mod resilience;
mod responses;
mod search;
mod webhooks;
