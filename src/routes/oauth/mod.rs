//! The OAuth2 surface: the client-credentials token endpoint (RFC 6749 §4.4) and the public keys
//! that verify our tokens (RFC 7517). Errors here are RFC 6749's `{error, error_description}`,
//! not the `/v1` API's `{code, message}`, because OAuth2 client libraries read them.

mod request;
mod token;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};
use serde::Serialize;

use crate::routes::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/oauth/token")
            .route(web::post().to(token::issue_token))
            .default_service(web::to(method_not_allowed)),
    )
    .service(web::resource("/.well-known/jwks.json").route(web::get().to(jwks)));
}

/// The public keys in force: the one signing new tokens and those whose tokens may still be
/// live. Verifiers should fetch again when they meet an unknown `kid`.
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(state.auth.jwks())
}

async fn method_not_allowed() -> HttpResponse {
    let mut res = OAuthError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "the token endpoint accepts POST only",
    )
    .error_response();
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    res
}

/// An RFC 6749 §5.2 error answer.
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    headers: Vec<(header::HeaderName, String)>,
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            headers: Vec::new(),
        }
    }

    /// The request is missing a parameter, repeats one, or is otherwise malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// Client authentication failed; the challenge names the scheme to use (§5.2).
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description).with_header(
            header::WWW_AUTHENTICATE,
            format!("Basic realm=\"{}\"", crate::routes::api::guard::REALM),
        )
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"));
        for (name, value) in &self.headers {
            res.insert_header((name.clone(), value.as_str()));
        }
        res.json(OAuthErrorBody {
            error: self.error,
            error_description: &self.description,
        })
    }
}
