//! `[events]` and `[webhooks]`: how long the event feed keeps events, and how webhooks are
//! delivered.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::delivery::webhooks::DeliverySettings;

/// `[events]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsSettings {
    /// Days an event stays in the feed (and can be delivered) after it occurred.
    pub retention_days: u32,
}

impl Default for EventsSettings {
    fn default() -> Self {
        Self { retention_days: 30 }
    }
}

/// `[webhooks]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Seconds an endpoint has to answer a delivery with a 2xx.
    pub timeout_seconds: u64,
    /// Seconds to wait before each retry of a delivery that was not answered with a 2xx; after
    /// the last one the delivery is marked failed (it can be resent).
    pub retry_seconds: Vec<u64>,
    /// Deliveries in flight at once per endpoint.
    pub concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            timeout_seconds: 10,
            retry_seconds: vec![5, 30, 120, 600, 3600, 21600, 86400],
            concurrency: 16,
        }
    }
}

impl EventsSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=3650).contains(&self.retention_days),
            "invalid configuration: events.retention_days must be from 1 to 3650"
        );
        Ok(())
    }
}

impl WebhookSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=60).contains(&self.timeout_seconds),
            "invalid configuration: webhooks.timeout_seconds must be from 1 to 60"
        );
        anyhow::ensure!(
            self.retry_seconds.len() <= 20
                && self.retry_seconds.iter().all(|s| (1..=604_800).contains(s)),
            "invalid configuration: webhooks.retry_seconds must list at most 20 waits, each from \
             1 to 604800 seconds"
        );
        anyhow::ensure!(
            (1..=64).contains(&self.concurrency),
            "invalid configuration: webhooks.concurrency must be from 1 to 64"
        );
        Ok(())
    }

    /// What the delivery tasks run with.
    pub fn delivery(&self) -> DeliverySettings {
        DeliverySettings {
            timeout: Duration::from_secs(self.timeout_seconds),
            retry_seconds: self.retry_seconds.clone(),
            concurrency: self.concurrency,
        }
    }
}
