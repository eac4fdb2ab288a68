//! Every request passes here once. It gets a request id, returned in `X-Request-Id`, carried by
//! every log line written while it runs and stored with any change it makes; it is counted and
//! timed for `/metrics`; and it is logged only when the line tells an operator something: a 5xx,
//! a request slower than `log.slow_request_ms`, or every request when `log.access` is on.
//!
//! An appliance on a small disk cannot write a line per request by default: at the API's
//! throughput that would be gigabytes an hour, and formatting and writing it would cost a third
//! of the server's CPU.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

use super::state::AppState;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request: a ULID, so ids sort by time like every other id of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(ulid::Ulid);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What the log calls a request no route matched.
const UNMATCHED: &str = "unmatched";

/// What a finished request is worth a log line for, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Failed,
    Slow,
    Access,
}

/// The logging policy: `log.slow_request_ms` and `log.access`.
#[derive(Debug, Clone, Copy)]
pub struct LogPolicy {
    pub slow: Duration,
    pub access: bool,
}

impl LogPolicy {
    fn line(&self, status: StatusCode, elapsed: Duration) -> Option<Line> {
        if status.is_server_error() {
            Some(Line::Failed)
        } else if elapsed >= self.slow {
            Some(Line::Slow)
        } else if self.access {
            Some(Line::Access)
        } else {
            None
        }
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId(ulid::Ulid::new());
    req.extensions_mut().insert(id);
    let span = tracing::info_span!("request", request_id = %id);
    let state = req.app_data::<web::Data<AppState>>().cloned();

    let result = next.call(req).instrument(span.clone()).await;

    let elapsed = started.elapsed();
    let (status, request) = match &result {
        Ok(res) => (res.status(), Some(res.request())),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    if let (Some(state), Some(request)) = (&state, request) {
        let pattern = request.match_pattern();
        // Metrics label every unmatched path `other`, whatever clients try.
        state.metrics.observe_request(
            request.method().as_str(),
            pattern.as_deref(),
            status.as_u16(),
            elapsed,
        );
        let route = pattern.as_deref().unwrap_or(UNMATCHED);
        if let Some(line) = state.log_policy().line(status, elapsed) {
            let _entered = span.enter();
            log(line, request, route, status, elapsed);
        }
    }
    result.map(|mut res| {
        let mut text = [0; ulid::ULID_LEN];
        if let Ok(value) = HeaderValue::from_bytes(id.0.array_to_str(&mut text).as_bytes()) {
            res.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        res
    })
}

fn log(
    line: Line,
    req: &actix_web::HttpRequest,
    route: &str,
    status: StatusCode,
    elapsed: Duration,
) {
    let method = req.method().as_str();
    let path = req.path();
    let status = status.as_u16();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    match line {
        Line::Failed => {
            tracing::error!(
                method,
                route,
                path,
                status,
                latency_ms,
                peer,
                "request failed"
            )
        }
        Line::Slow => {
            tracing::warn!(
                method,
                route,
                path,
                status,
                latency_ms,
                peer,
                "slow request"
            )
        }
        Line::Access => tracing::info!(
            target: "edgebss::access",
            method,
            route,
            path,
            status,
            latency_ms,
            peer,
            "request finished"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: LogPolicy = LogPolicy {
        slow: Duration::from_millis(500),
        access: false,
    };

    #[test]
    fn a_quick_answer_is_not_logged_unless_the_access_log_is_on() {
        let quick = Duration::from_millis(3);
        assert_eq!(POLICY.line(StatusCode::OK, quick), None);
        assert_eq!(POLICY.line(StatusCode::NOT_FOUND, quick), None);
        let access = LogPolicy {
            access: true,
            ..POLICY
        };
        assert_eq!(access.line(StatusCode::OK, quick), Some(Line::Access));
    }

    #[test]
    fn a_server_error_is_logged_even_when_quick_and_a_slow_answer_is_logged_as_slow() {
        let quick = Duration::from_millis(3);
        assert_eq!(
            POLICY.line(StatusCode::INTERNAL_SERVER_ERROR, quick),
            Some(Line::Failed)
        );
        assert_eq!(
            POLICY.line(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(2)),
            Some(Line::Failed)
        );
        assert_eq!(
            POLICY.line(StatusCode::OK, Duration::from_millis(500)),
            Some(Line::Slow)
        );
    }
}
