//! Use cases shared by the API, the admin UI, the CLI and the background jobs. They own their
//! transactions: a write runs as one job on the writer, so it is all-or-nothing.

pub mod bill_runs;
pub mod clients;
pub mod customers;
pub mod invoices;
pub mod lifecycle;
pub mod payments;
pub mod products;
pub mod sessions;
pub mod subscriptions;
pub mod ui_reports;
pub mod users;

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
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
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
