//! Authentication and authorisation: secrets, API tokens and scopes, admin sessions.

pub mod cache;
pub mod commands;
pub mod csrf;
pub mod demo;
pub mod guard;
pub mod keys;
pub mod password;
pub mod scope;
pub mod session;
pub mod state;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod users_cli;
