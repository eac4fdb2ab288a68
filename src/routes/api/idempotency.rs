//! `Idempotency-Key` on every `POST` under `/v1` (IETF draft-ietf-httpapi-idempotency-key-header).
//!
//! The middleware sits inside the token check, so it knows the client. For a request with a key
//! it reads the body (bounded, like every body) and fingerprints method, path and body, then:
//!
//! - a stored answer for the same client and key with the same fingerprint is sent again, with
//!   `Idempotent-Replayed: true`, and nothing runs; another fingerprint is `422
//!   idempotency_key_reused`;
//! - a request with the same key still running is `409 idempotency_key_in_use`;
//! - otherwise the handler runs with an [`IdempotencyClaim`] in the request: the use case stores
//!   its answer in the same transaction as its effect, so a retry after a crash finds it. An
//!   answer that had no write behind it (a dry run) is stored after the fact.
//!
//! Only successful answers are kept: a request refused for bad input changed nothing and may be
//! sent again, corrected, with the same key. Keys are kept 24 hours.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::extract::BODY_LIMIT;
use super::guard::Principal;
use crate::domain::origin::IdempotencyClaim;
use crate::routes::state::AppState;
use crate::service::idempotency as service;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

/// The keys of requests being served right now, per client: a second request with one of them
/// waits for nothing and is told so (409). Holds only requests in flight, so it stays small.
#[derive(Debug, Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<(String, String)>>>);

/// Removes its key from the in-flight set when the request ends, however it ends.
struct Running {
    set: InFlight,
    id: (String, String),
}

impl Drop for Running {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

impl InFlight {
    fn begin(&self, client: &str, key: &str) -> Option<Running> {
        let id = (client.to_owned(), key.to_owned());
        let fresh = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone());
        fresh.then(|| Running {
            set: self.clone(),
            id,
        })
    }
}

fn refuse(e: ApiError) -> HttpResponse {
    e.error_response()
}

/// The key of a request, checked: 1 to 255 visible ASCII characters.
fn key_of(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(|k| k.trim().trim_matches('"').to_owned())
        .filter(|k| {
            !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                format!(
                    "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters (for \
                     example a UUID)"
                ),
            )
        })?;
    Ok(Some(key))
}

/// Reads the whole body (at most the API's body limit).
async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("could not read the request body: {e}"),
            )
        })?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn fingerprint(req: &ServiceRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update(b" ");
    h.update(req.path().as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

fn replay(answer: service::StoredAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    res.content_type(mime::APPLICATION_JSON)
        .insert_header((REPLAYED, HeaderValue::from_static("true")));
    if let Some(location) = answer.location {
        res.insert_header((header::LOCATION, location));
    }
    res.body(answer.body)
}

/// The middleware; wrap it around each `POST` route, inside the token check.
pub async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
        Err(e) => return Ok(req.into_response(refuse(e))),
    };
    let client = req
        .extensions()
        .get::<Principal>()
        .map(|p| p.0.client_id.clone());
    let (Some(client), Some(state)) = (client, req.app_data::<web::Data<AppState>>().cloned())
    else {
        return Ok(req.into_response(refuse(ApiError::for_status(StatusCode::UNAUTHORIZED))));
    };
    let body = match read_body(&mut req).await {
        Ok(b) => b,
        Err(e) => return Ok(req.into_response(refuse(e))),
    };
    let print = fingerprint(&req, &body);
    match service::stored(&state.db, &state.clock, &client, &key).await {
        Ok(Some(answer)) if answer.fingerprint == print => {
            return Ok(req.into_response(replay(answer)));
        }
        Ok(Some(_)) => {
            return Ok(req.into_response(refuse(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request (another body or \
                 operation); use a new key for a new request",
            ))));
        }
        Ok(None) => {}
        Err(e) => return Ok(req.into_response(refuse(ApiError::from(e)))),
    }
    let Some(_running) = state.idempotency.begin(&client, &key) else {
        return Ok(req.into_response(refuse(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is still being processed; retry when it has \
             finished",
        ))));
    };
    let claim = IdempotencyClaim::new(client.clone(), key.clone(), print.clone());
    req.extensions_mut().insert(claim.clone());
    req.set_payload(Payload::from(body));
    let res = next.call(req).await?;
    if !res.status().is_success() || claim.is_stored() {
        return Ok(res.map_into_boxed_body());
    }
    // No write stored the answer with an effect (a dry run, say): store it now.
    let (req, res) = res.into_parts();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("the answer could not be read"))?;
    let answer = service::StoredAnswer {
        fingerprint: print,
        status: status.as_u16(),
        location,
        body: bytes.to_vec(),
    };
    if let Err(e) = service::store(&state.db, &state.clock, &client, &key, answer).await {
        tracing::error!(error = %e, "an idempotent answer could not be stored");
    }
    Ok(ServiceResponse::new(
        req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}
