//! `[sync]` (a branch: its site id, and the broker its events are forwarded to) and `[central]`
//! (head office: `edgebss central`, which applies every branch's events to PostgreSQL).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::broker::BrokerLink;
use crate::broker::protocol;
use crate::domain::secret::Secret;
use crate::domain::site::SiteId;

/// `[sync]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSettings {
    /// This branch's site id (e.g. `PORTS`): prefixes its invoice numbers and names its events
    /// at head office. Once set, a data folder keeps it.
    pub site_id: Option<SiteId>,
    /// The NATS server events are forwarded to (`nats://hub:4222`, `tls://hub:4222`); unset: not
    /// forwarded.
    pub nats_url: Option<String>,
    /// The hub's JetStream domain, when `nats_url` is a leaf node of the hub.
    pub jetstream_domain: Option<String>,
    /// The site's NATS credentials file (from `nsc`), or `user` and `password`.
    pub credentials_file: Option<PathBuf>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// Certificate authorities (PEM) trusted for the NATS server's certificate; requires TLS.
    pub tls_ca_file: Option<PathBuf>,
    /// Client certificate and key (PEM), for a server that verifies its clients.
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// The JetStream stream holding `bss.*.ev`.
    pub stream: String,
    /// The key-value bucket where head office reports how far it has applied each site.
    pub applied_bucket: String,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            site_id: None,
            nats_url: None,
            jetstream_domain: None,
            credentials_file: None,
            user: None,
            password: None,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
            stream: protocol::STREAM.to_owned(),
            applied_bucket: protocol::APPLIED_BUCKET.to_owned(),
        }
    }
}

/// `[central]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CentralSettings {
    /// The hub's NATS server.
    pub nats_url: String,
    pub jetstream_domain: Option<String>,
    pub credentials_file: Option<PathBuf>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub tls_ca_file: Option<PathBuf>,
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// The consolidated database, e.g. `postgresql://edgebss@localhost/bss` (add
    /// `?sslmode=require` for TLS).
    pub postgres_url: Option<Secret>,
    pub stream: String,
    pub applied_bucket: String,
    /// The durable consumer's name.
    pub consumer: String,
    /// Seconds within which the broker drops a message whose id it has already stored.
    pub duplicate_window_seconds: u64,
    /// Days the stream keeps a message (0: until removed by hand).
    pub stream_max_age_days: u32,
    /// Most events applied in one PostgreSQL transaction.
    pub batch: usize,
    /// Seconds before the broker delivers again an event that was not acknowledged.
    pub ack_wait_seconds: u64,
    /// Where `/metrics` is served (Prometheus text format); unset: not served.
    pub metrics_bind: Option<SocketAddr>,
}

impl Default for CentralSettings {
    fn default() -> Self {
        Self {
            nats_url: "nats://127.0.0.1:4222".to_owned(),
            jetstream_domain: None,
            credentials_file: None,
            user: None,
            password: None,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
            postgres_url: None,
            stream: protocol::STREAM.to_owned(),
            applied_bucket: protocol::APPLIED_BUCKET.to_owned(),
            consumer: protocol::CONSUMER.to_owned(),
            duplicate_window_seconds: 120,
            stream_max_age_days: 90,
            batch: 1000,
            ack_wait_seconds: 30,
            metrics_bind: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
        }
    }
}

/// A JetStream name: letters, digits, `-` and `_`.
fn check_name(key: &str, value: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !value.is_empty()
            && value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "invalid configuration: {key} `{value}` must be 1 to 64 letters, digits, `-` or `_`"
    );
    Ok(())
}

fn check_link(section: &str, link: &BrokerLink) -> anyhow::Result<()> {
    anyhow::ensure!(
        !link.url.trim().is_empty(),
        "invalid configuration: {section}.nats_url is empty"
    );
    anyhow::ensure!(
        link.user.is_some() == link.password.is_some(),
        "invalid configuration: {section}.user and {section}.password go together"
    );
    anyhow::ensure!(
        link.tls_cert_file.is_some() == link.tls_key_file.is_some(),
        "invalid configuration: {section}.tls_cert_file and {section}.tls_key_file go together"
    );
    if let Some(domain) = &link.jetstream_domain {
        check_name(&format!("{section}.jetstream_domain"), domain)?;
    }
    Ok(())
}

impl SyncSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        check_name("sync.stream", &self.stream)?;
        check_name("sync.applied_bucket", &self.applied_bucket)?;
        if let Some(link) = self.link() {
            anyhow::ensure!(
                self.site_id.is_some(),
                "invalid configuration: sync.nats_url is set but sync.site_id is not; give this \
                 branch its site id (e.g. site_id = \"PORTS\")"
            );
            check_link("sync", &link)?;
        }
        Ok(())
    }

    /// The link to the broker, when events are forwarded.
    pub fn link(&self) -> Option<BrokerLink> {
        let url = self.nats_url.clone()?;
        Some(BrokerLink {
            url,
            name: format!(
                "edgebss {}",
                self.site_id.as_ref().map(SiteId::as_str).unwrap_or("?")
            ),
            jetstream_domain: self.jetstream_domain.clone(),
            credentials_file: self.credentials_file.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            tls_ca_file: self.tls_ca_file.clone(),
            tls_cert_file: self.tls_cert_file.clone(),
            tls_key_file: self.tls_key_file.clone(),
            inbox_prefix: self.site_id.as_ref().map(|s| format!("_INBOX_{s}")),
        })
    }
}

impl CentralSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        check_name("central.stream", &self.stream)?;
        check_name("central.applied_bucket", &self.applied_bucket)?;
        check_name("central.consumer", &self.consumer)?;
        check_link("central", &self.link())?;
        anyhow::ensure!(
            (1..=86_400).contains(&self.duplicate_window_seconds),
            "invalid configuration: central.duplicate_window_seconds must be from 1 to 86400"
        );
        anyhow::ensure!(
            self.stream_max_age_days <= 3650,
            "invalid configuration: central.stream_max_age_days must be from 0 to 3650"
        );
        anyhow::ensure!(
            (1..=10_000).contains(&self.batch),
            "invalid configuration: central.batch must be from 1 to 10000"
        );
        anyhow::ensure!(
            (2..=3600).contains(&self.ack_wait_seconds),
            "invalid configuration: central.ack_wait_seconds must be from 2 to 3600"
        );
        Ok(())
    }

    pub fn link(&self) -> BrokerLink {
        BrokerLink {
            url: self.nats_url.clone(),
            name: "edgebss central".to_owned(),
            jetstream_domain: self.jetstream_domain.clone(),
            credentials_file: self.credentials_file.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            tls_ca_file: self.tls_ca_file.clone(),
            tls_cert_file: self.tls_cert_file.clone(),
            tls_key_file: self.tls_key_file.clone(),
            inbox_prefix: None,
        }
    }

    pub fn ack_wait(&self) -> Duration {
        Duration::from_secs(self.ack_wait_seconds)
    }
}
