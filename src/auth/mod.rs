//! Authentication and authorisation: secrets, API tokens and scopes, admin sessions.

pub mod attempt;
pub mod cache;
pub mod csrf;
pub mod keys;
pub mod password;
pub mod session;
pub mod settings;
pub mod state;
pub mod throttle;
pub mod tokens;
pub mod verifier;
