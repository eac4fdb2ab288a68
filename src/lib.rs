//! edgebss: a billing and customer-management appliance in one binary.
//!
//! The library holds everything; `main.rs` only parses the command line and calls in here, so the
//! integration tests start the application exactly as production does.
#![forbid(unsafe_code)]

pub mod auth;
pub mod billing;
pub mod broker;
pub mod central;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod documents;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod metrics;
pub mod ops;
pub mod routes;
pub mod service;
#[cfg(windows)]
pub mod service_windows;
pub mod startup;
pub mod telemetry;
pub mod tls;
