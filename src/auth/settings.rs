//! `[auth]`: API tokens, client authentication, and the bounds on password and secret checks.

use serde::{Deserialize, Serialize};

/// API tokens and client authentication (see the README's "API clients and tokens").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// `iss` of the tokens we issue and accept; usually the server's public base URL.
    pub issuer: String,
    /// `aud` of the tokens we issue and accept.
    pub audience: String,
    /// Lifetime of an access token.
    pub token_ttl_seconds: u64,
    /// Clock difference tolerated when checking a token's `exp` and `iat`.
    pub leeway_seconds: u64,
    /// Failed client authentications allowed per client id, and per source address, within
    /// `failure_window_seconds`; more are answered 429 until the window has moved on.
    pub max_failed_attempts: u32,
    pub failure_window_seconds: u64,
    /// Password and client-secret checks (argon2, 19 MiB and tens of milliseconds each) run at
    /// once, for sign-ins and token requests together; 0: one per CPU core.
    pub argon2_concurrency: u32,
    /// How long a check waits for its turn before the request is answered 429 (0: not at all).
    pub argon2_wait_seconds: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: "edgebss".to_owned(),
            audience: "edgebss-api".to_owned(),
            token_ttl_seconds: 900,
            leeway_seconds: 30,
            max_failed_attempts: 10,
            failure_window_seconds: 300,
            argon2_concurrency: 0,
            argon2_wait_seconds: 5,
        }
    }
}

impl AuthSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            !self.issuer.trim().is_empty() && !self.audience.trim().is_empty(),
            "invalid configuration: auth.issuer and auth.audience must not be empty"
        );
        anyhow::ensure!(
            (60..=86_400).contains(&self.token_ttl_seconds),
            "invalid configuration: auth.token_ttl_seconds must be from 60 to 86400"
        );
        anyhow::ensure!(
            self.leeway_seconds <= 300,
            "invalid configuration: auth.leeway_seconds must be at most 300"
        );
        anyhow::ensure!(
            self.max_failed_attempts >= 1 && (1..=86_400).contains(&self.failure_window_seconds),
            "invalid configuration: auth.max_failed_attempts must be at least 1 and \
             auth.failure_window_seconds from 1 to 86400"
        );
        anyhow::ensure!(
            self.argon2_concurrency <= 64 && self.argon2_wait_seconds <= 60,
            "invalid configuration: auth.argon2_concurrency must be from 0 (one per CPU core) to \
             64, and auth.argon2_wait_seconds from 0 to 60"
        );
        Ok(())
    }
}
