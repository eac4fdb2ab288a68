//! `/metrics` in the Prometheus text format (encoded by the `prometheus-client` crate).
//!
//! Request counts and latencies are recorded by the HTTP layer's middleware as requests finish
//! ([`Metrics::observe_request`]). Everything else (writer queue, database size, backups, business gauges) is read when
//! the page is scraped, so it can never drift from the database; the business figures come from
//! covering indexes and are cached for a few seconds so that several scrapers cost one query.

mod business;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};

use crate::domain::secret::Secret;
pub use business::Sources;

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
            (MetricsAccess::Token, Some(t)) if t.len() < 16 => anyhow::bail!(
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
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The label value of every method outside HTTP's standard ones, and of every unmatched path.
pub const OTHER: &str = "other";

/// The `method` label: the standard methods by name, anything else [`OTHER`].
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or(OTHER)
}

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
    /// so ids never become label values; `None` when no route matched. Every label takes one of
    /// a known set of values, whatever clients send: a request with a made-up method or path adds
    /// to the [`OTHER`] series instead of creating one of its own.
    pub fn observe_request(
        &self,
        method: &str,
        route: Option<&str>,
        status: u16,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        let route = route.unwrap_or(OTHER);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method,
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The page a scrape answers, in the Prometheus text format: request figures, then what
    /// `src` holds now (business figures reused for a few seconds).
    pub async fn render(&self, src: &Sources<'_>) -> anyhow::Result<String> {
        let snapshot = self.cached_snapshot(src.db).await?;
        let mut body = String::with_capacity(8 * 1024);
        prometheus_client::encoding::prometheus_text::encode(&mut body, &self.registry)?;
        let scraped = business::registry(src, &snapshot);
        prometheus_client::encoding::prometheus_text::encode(&mut body, &scraped)?;
        Ok(body)
    }

    async fn cached_snapshot(&self, db: &crate::db::Db) -> anyhow::Result<business::Snapshot> {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, s)| s.clone());
        if let Some(s) = cached {
            return Ok(s);
        }
        let snapshot = business::read(db)
            .await
            .map_err(|e| anyhow::Error::new(e).context("the metrics could not be read"))?;
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), snapshot.clone()));
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_name_their_own_series() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("get"), OTHER, "methods are case-sensitive");
        assert_eq!(method_label("BREW"), OTHER);
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
