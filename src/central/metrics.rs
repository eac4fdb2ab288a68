//! `/metrics` of `edgebss central` (Prometheus text format): per site, the events applied, the
//! duplicates skipped, the events held back for a missing predecessor, the watermark and the lag.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SiteLabel {
    pub site: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

pub struct CentralMetrics {
    registry: Registry,
    pub applied: Family<SiteLabel, Counter>,
    pub duplicates: Family<SiteLabel, Counter>,
    pub held: Family<SiteLabel, Gauge>,
    pub watermark: Family<SiteLabel, Gauge>,
    pub last_event: Family<SiteLabel, FloatGauge>,
    pub lag: Family<SiteLabel, FloatGauge>,
    pub handed_back: Counter,
    pub invalid: Counter,
    pub batch_seconds: Histogram,
}

impl Default for CentralMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl CentralMetrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("edgebss_central");
        let applied = Family::<SiteLabel, Counter>::default();
        registry.register(
            "events_applied",
            "Events applied, per site",
            applied.clone(),
        );
        let duplicates = Family::<SiteLabel, Counter>::default();
        registry.register(
            "duplicates_skipped",
            "Events delivered again after they were applied, acknowledged and skipped, per site",
            duplicates.clone(),
        );
        let held = Family::<SiteLabel, Gauge>::default();
        registry.register(
            "events_held_back",
            "Events received before their predecessor, waiting for it, per site",
            held.clone(),
        );
        let watermark = Family::<SiteLabel, Gauge>::default();
        registry.register(
            "applied_sequence",
            "The last event applied (the watermark), per site",
            watermark.clone(),
        );
        let last_event = Family::<SiteLabel, FloatGauge>::default();
        registry.register_with_unit(
            "last_event_timestamp",
            "When the last event applied occurred at its branch (Unix time), per site",
            Unit::Seconds,
            last_event.clone(),
        );
        let lag = Family::<SiteLabel, FloatGauge>::default();
        registry.register_with_unit(
            "lag",
            "How old the last event applied was when it was applied, per site",
            Unit::Seconds,
            lag.clone(),
        );
        let handed_back = Counter::default();
        registry.register(
            "events_handed_back",
            "Events held back too long and handed back to the broker for a later delivery",
            handed_back.clone(),
        );
        let invalid = Counter::default();
        registry.register(
            "invalid_messages",
            "Messages that were not a site's event and were refused",
            invalid.clone(),
        );
        let batch_seconds =
            Histogram::new([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]);
        registry.register_with_unit(
            "batch_duration",
            "Time to apply and commit one batch",
            Unit::Seconds,
            batch_seconds.clone(),
        );
        Self {
            registry,
            applied,
            duplicates,
            held,
            watermark,
            last_event,
            lag,
            handed_back,
            invalid,
            batch_seconds,
        }
    }

    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut body = String::with_capacity(4096);
        prometheus_client::encoding::prometheus_text::encode(&mut body, &self.registry)?;
        Ok(body)
    }
}

pub fn site(name: &str) -> SiteLabel {
    SiteLabel {
        site: name.to_owned(),
    }
}

/// Serves `/metrics` on `bind` until the process ends; returns the port bound.
pub fn serve(bind: SocketAddr, metrics: Arc<CentralMetrics>) -> anyhow::Result<u16> {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let server = HttpServer::new(move || {
        let metrics = Arc::clone(&metrics);
        App::new().route(
            "/metrics",
            web::get().to(move || {
                let metrics = Arc::clone(&metrics);
                async move {
                    match metrics.render() {
                        Ok(body) => HttpResponse::Ok()
                            .content_type(
                                prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                            )
                            .body(body),
                        Err(_) => HttpResponse::InternalServerError().finish(),
                    }
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(bind)
    .map_err(|e| anyhow::anyhow!("could not listen on {bind} for /metrics: {e}"))?;
    let port = server.addrs().first().map(SocketAddr::port).unwrap_or(0);
    actix_web::rt::spawn(server.run());
    Ok(port)
}
