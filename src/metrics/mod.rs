//! `/metrics` in the Prometheus text format (encoded by the `prometheus-client` crate).
//!
//! Request counts and latencies are recorded by the [`http::record`] middleware as requests
//! finish. Everything else (writer queue, database size, backups, business gauges) is read when
//! the page is scraped, so it can never drift from the database; the business figures come from
//! covering indexes and are cached for a few seconds so that several scrapers cost one query.

mod business;
pub mod http;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};

use crate::startup::AppState;

/// Who may read `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsAccess {
    /// Only clients on this machine (127.0.0.1 or ::1), e.g. a local Prometheus or collector.
    Loopback,
    /// Anyone who can reach the port.
    Open,
    /// Clients sending `Authorization: Bearer <metrics.token>`.
    Token,
    /// Not served (404).
    Off,
}

/// `[metrics]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    pub access: MetricsAccess,
    /// The bearer token for `access = "token"`: at least 16 characters. Never logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
}

/// A configured secret: compared in constant time, shown as `***` in logs and errors.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Equality that takes as long for a near miss as for a wild guess.
    pub fn matches(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(candidate.as_bytes()))
    }
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            access: MetricsAccess::Loopback,
            token: None,
        }
    }
}

impl MetricsSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        match (&self.access, &self.token) {
            (MetricsAccess::Token, None) => anyhow::bail!(
                "invalid configuration: metrics.access = \"token\" needs metrics.token (at least \
                 16 characters, e.g. from `openssl rand -hex 24`)"
            ),
            (MetricsAccess::Token, Some(t)) if t.0.chars().count() < 16 => anyhow::bail!(
                "invalid configuration: metrics.token is too short; use at least 16 characters"
            ),
            (MetricsAccess::Token, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => anyhow::bail!(
                "invalid configuration: metrics.token is set but metrics.access is not \"token\"; \
                 set metrics.access = \"token\" to use it, or remove the token"
            ),
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The application's metrics; one per application (tests run many side by side).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    cache: Mutex<Option<(Instant, business::Snapshot)>>,
}

/// How long scraped business figures are reused.
const CACHE_FOR: Duration = Duration::from_secs(5);

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("edgebss");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to having its response, by method and route template",
            latency.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            cache: Mutex::new(None),
        }
    }

    /// Counts a finished request. `route` is the matched template (`/v1/customers/{customerId}`),
    /// so ids never become label values.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }
}

/// `GET /metrics`
pub async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(denied) = refuse(&req, &state.settings.metrics) {
        return denied;
    }
    let snapshot = match cached_snapshot(&state).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "metrics could not be read");
            return HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "code": "internal",
                "message": "the metrics could not be read from the database"
            }));
        }
    };
    let mut body = String::with_capacity(8 * 1024);
    let encoded =
        prometheus_client::encoding::prometheus_text::encode(&mut body, &state.metrics.registry)
            .and_then(|()| {
                let scraped = business::registry(&state, &snapshot);
                prometheus_client::encoding::prometheus_text::encode(&mut body, &scraped)
            });
    if encoded.is_err() {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(prometheus_client::encoding::prometheus_text::CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

async fn cached_snapshot(state: &AppState) -> anyhow::Result<business::Snapshot> {
    let cache = |state: &AppState| {
        state
            .metrics
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, s)| s.clone())
    };
    if let Some(s) = cache(state) {
        return Ok(s);
    }
    let snapshot = business::read(state).await?;
    *state
        .metrics
        .cache
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), snapshot.clone()));
    Ok(snapshot)
}

/// The answer for a client `metrics.access` does not let in, if this is one.
fn refuse(req: &HttpRequest, settings: &MetricsSettings) -> Option<HttpResponse> {
    let body = |code: &str, message: &str| serde_json::json!({ "code": code, "message": message });
    match settings.access {
        MetricsAccess::Open => None,
        MetricsAccess::Off => Some(HttpResponse::NotFound().json(body(
            "not_found",
            "/metrics is turned off (metrics.access = \"off\")",
        ))),
        MetricsAccess::Loopback => {
            let local = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
            (!local).then(|| {
                HttpResponse::Forbidden().json(body(
                    "forbidden",
                    "/metrics is served to this machine only (metrics.access = \"loopback\")",
                ))
            })
        }
        MetricsAccess::Token => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let ok = match (given, &settings.token) {
                (Some(given), Some(token)) => token.matches(given.trim()),
                _ => false,
            };
            (!ok).then(|| {
                HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                    .json(body(
                        "unauthorized",
                        "/metrics needs `Authorization: Bearer <metrics.token>`",
                    ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(addr: &str) -> HttpRequest {
        TestRequest::default()
            .peer_addr(addr.parse().unwrap())
            .to_http_request()
    }

    #[test]
    fn loopback_access_lets_only_this_machine_in() {
        let s = MetricsSettings::default();
        assert!(refuse(&from("127.0.0.1:5000"), &s).is_none());
        assert!(refuse(&from("[::1]:5000"), &s).is_none());
        let denied = refuse(&from("192.0.2.7:5000"), &s).expect("refused");
        assert_eq!(denied.status(), 403);
        let open = MetricsSettings {
            access: MetricsAccess::Open,
            token: None,
        };
        assert!(refuse(&from("192.0.2.7:5000"), &open).is_none());
    }

    #[test]
    fn token_access_needs_a_long_enough_token_and_a_token_needs_token_access() {
        let with = |access, token: Option<&str>| MetricsSettings {
            access,
            token: token.map(Secret::new),
        };
        assert!(with(MetricsAccess::Token, None).check().is_err());
        assert!(with(MetricsAccess::Token, Some("short")).check().is_err());
        assert!(
            with(MetricsAccess::Token, Some("0123456789abcdef"))
                .check()
                .is_ok()
        );
        let err = with(MetricsAccess::Loopback, Some("0123456789abcdef"))
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("metrics.access"), "{err}");
        assert_eq!(format!("{:?}", Secret::new("x")), "***");
    }
}
