//! `[http]`: limits on what a client may make the server wait for.

use serde::{Deserialize, Serialize};

/// `[http]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Seconds a request's body has to arrive in full, counted from its head; a request still
    /// sending after that is answered 408 and its connection closed. (The head itself must
    /// arrive within 5 seconds.)
    pub body_timeout_seconds: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_timeout_seconds: 10,
        }
    }
}

impl HttpSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=3600).contains(&self.body_timeout_seconds),
            "invalid configuration: http.body_timeout_seconds must be from 1 to 3600"
        );
        Ok(())
    }
}
