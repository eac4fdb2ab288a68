//! Authentication and authorisation: secrets, API tokens and scopes, admin sessions.

pub mod password;
