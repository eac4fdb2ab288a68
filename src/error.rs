//! The error of every use case, whichever surface (API, admin UI, CLI, jobs) called it; each
//! surface maps it once to its own answer.

use crate::db::DbError;
use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input itself is wrong (400).
    #[error("{0}")]
    Invalid(FieldError),
    /// The input is well-formed but breaks a rule about what it refers to (422).
    #[error("{0}")]
    Unprocessable(FieldError),
    #[error("{what} `{id}` was not found")]
    NotFound { what: &'static str, id: String },
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts, or too busy to check a secret now (429): try again after
    /// `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

impl From<crate::domain::ids::MalformedId> for ServiceError {
    fn from(e: crate::domain::ids::MalformedId) -> Self {
        Self::not_found(e.what, e.id)
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        Self::Unexpected(anyhow::Error::new(e))
    }
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("database query failed"))
    }
}
