//! The API's one error-to-HTTP mapping: every non-2xx answer is the contract's
//! `{ "code": ..., "message": ... }` with a stable snake_case code.

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::FieldError;
use crate::error::ServiceError;

#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra headers such as `WWW-Authenticate`.
    pub headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn validation(e: FieldError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_failed", e.to_string())
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The body for a status produced outside our handlers (routing, framework errors).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "this method is not allowed on this resource",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "the request body is larger than 1 MiB")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported_media_type", "unsupported Content-Type")
            }
            StatusCode::UNAUTHORIZED => ("unauthorized", "authentication is required"),
            StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
            s if s.is_client_error() => ("bad_request", "the request could not be understood"),
            _ => ("internal", "internal error; the cause is in the server log"),
        };
        Self::new(status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            res.insert_header((name.clone(), value.as_str()));
        }
        res.json(ErrorBody {
            code: self.code,
            message: self.message.clone(),
        })
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(f) => Self::validation(f),
            ServiceError::Unprocessable(f) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable_entity",
                f.to_string(),
            ),
            ServiceError::NotFound { .. } => {
                Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            ServiceError::Conflict(msg) => Self::new(StatusCode::CONFLICT, "conflict", msg),
            ServiceError::TooManyRequests {
                message,
                retry_after_secs,
            } => Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
                .with_header(header::RETRY_AFTER, retry_after_secs.max(1).to_string()),
            ServiceError::Unexpected(err) => {
                // The one place the cause chain is logged; the client learns nothing internal.
                tracing::error!(error = ?err, "request failed");
                Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::validation(e)
    }
}

/// Rewrites any error response that is not already JSON (routing 404/405, framework errors) into
/// the contract's error body, keeping its status and headers such as `Allow`.
pub fn json_error_bodies<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut new = ApiError::for_status(status).error_response();
    for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
        if let Some(v) = old.headers().get(&name) {
            new.headers_mut().insert(name, v.clone());
        }
    }
    new.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

/// For paths that match no route.
pub async fn not_found() -> HttpResponse {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource").error_response()
}
