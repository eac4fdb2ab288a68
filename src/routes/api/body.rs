//! What the API's handlers share for bodies: JSON answers written into a buffer sized for them,
//! the list envelope, and telling a field sent as `null` from one left out.

use actix_web::HttpResponse;
use serde::{Deserialize, Deserializer, Serialize};

use super::error;
use crate::domain::FieldError;
use crate::domain::page::Pagination;

/// Bytes to start the JSON of one resource in, and of a page of a list: growing a small buffer
/// step by step, copying it each time, cost more than writing the JSON itself.
pub const ONE_BYTES: usize = 2 * 1024;
pub const PAGE_BYTES: usize = 32 * 1024;

/// A `200` answer with `body` as JSON, written into a buffer of `capacity` bytes to start with.
pub fn json_ok<T: Serialize>(body: &T, capacity: usize) -> HttpResponse {
    let mut bytes = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => HttpResponse::Ok()
            .content_type(mime::APPLICATION_JSON)
            .body(bytes),
        Err(e) => {
            tracing::error!(error = %e, "an answer could not be written as JSON");
            actix_web::ResponseError::error_response(&error::ApiError::for_status(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            ))
        }
    }
}

/// A list answer: `data`, and `pagination` for the lists that page.
#[derive(Debug, Serialize)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

/// Tells "sent as null" (`Some(None)`) from "not sent" (`None`).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An optional field is left out or given a value; `null` is refused rather than guessed at.
pub fn not_null<T>(field: &str, v: Option<Option<T>>) -> Result<Option<T>, FieldError> {
    match v {
        Some(None) => Err(FieldError::new(
            field,
            "must not be null; leave the field out instead",
        )),
        Some(Some(x)) => Ok(Some(x)),
        None => Ok(None),
    }
}
