//! HTTP surfaces: the REST API under `/v1`, health probes, and the fallbacks.

pub mod api;
pub mod assets;
pub mod health;
pub mod oauth;
pub mod ui;
