//! Authentication and authorisation: secrets, API tokens and scopes, admin sessions.

pub mod csrf;
pub mod password;
pub mod session;
pub mod users;
pub mod users_cli;
