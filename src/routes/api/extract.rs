//! Request extractors whose failures name the field at fault, in the API's error body.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::ids::PathIds;
use crate::domain::origin::{Actor, IdempotencyClaim, LocationOf, Origin};
use crate::error::ServiceError;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body: `Content-Type: application/json` (415 otherwise), at most 1 MiB (413), parsed
/// strictly (400 naming the field for a wrong type, a bad enum value or an unknown field).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == mime::APPLICATION
                    && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
            });
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the request body must be JSON, sent with Content-Type: application/json",
                ));
            }
            if declared_len.is_some_and(|n| n > BODY_LIMIT) {
                return Err(too_large());
            }
            let mut body = Vec::with_capacity(declared_len.unwrap_or(1024).min(BODY_LIMIT));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        format!("could not read the request body: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > BODY_LIMIT {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {BODY_LIMIT} bytes"),
    )
}

/// Parses a JSON object (every request body of the API is one), naming the path of the value at
/// fault.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "the request body must be a JSON object",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                format!("the request body is not valid JSON: {inner}")
            }
            _ if path == "." => format!("request body: {inner}"),
            _ => format!("{path}: {inner}"),
        };
        ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
    })
}

/// Query parameters, parsed strictly: a wrong type or enum value is a 400 naming the parameter.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if path == "." {
            format!("query string: {inner}")
        } else {
            format!("query parameter {path}: {inner}")
        };
        ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
    })
}

/// The ids in the request's path, parsed: a malformed one is answered `404` like an unknown
/// one, so handlers and services only ever hold well-formed ids.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: PathIds> FromRequest for ApiPath<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ids = crate::routes::path_ids(req).map_err(|e| ApiError::from(ServiceError::from(e)));
        std::future::ready(ids.map(ApiPath))
    }
}

/// Who is asking, for the changes a request makes: the API client of its token, its request id
/// and address, and its idempotency key if it sent one (see `idempotency`).
#[derive(Debug)]
pub struct ApiOrigin(pub Origin);

impl FromRequest for ApiOrigin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let client = req
            .extensions()
            .get::<super::guard::Principal>()
            .map(|p| p.0.client_id.clone());
        let Some(client) = client else {
            return std::future::ready(Err(ApiError::for_status(StatusCode::UNAUTHORIZED)));
        };
        let mut origin = crate::routes::origin_of(req, Actor::api_client(client));
        origin.claim = req.extensions().get::<IdempotencyClaim>().cloned();
        std::future::ready(Ok(ApiOrigin(origin)))
    }
}

impl ApiOrigin {
    /// The origin, with the answer a retry under the same idempotency key gets: `status`, and
    /// the `Location` taken from the returned resource.
    pub fn answering(self, status: StatusCode, location: Option<LocationOf>) -> Origin {
        let mut origin = self.0;
        origin.claim = origin.claim.map(|c| c.answering(status.as_u16(), location));
        origin
    }
}
