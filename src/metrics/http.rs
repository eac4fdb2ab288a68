//! The request middleware: counts and times every request by route template and status, logs
//! one line per request, and returns the request id (the one on every log line of the request)
//! in an `X-Request-Id` header so a user's report can be matched to the log.
//!
//! It runs inside `TracingLogger`, so its log line carries the request's root span.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing_actix_web::RequestId;

use crate::startup::AppState;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Label for requests no route matched: one series, whatever paths clients try.
const UNMATCHED: &str = "unmatched";

pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let request_id = req.extensions().get::<RequestId>().copied();

    let result = next.call(req).await;

    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .observe_request(&method, &route, status.as_u16(), elapsed);
    }
    tracing::info!(
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request finished"
    );
    result.map(|mut res| {
        if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
            res.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        res
    })
}
