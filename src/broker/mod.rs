//! The link to the NATS JetStream broker that carries branch events to head office: how to
//! connect (address, credentials, TLS, JetStream domain) and what travels over it
//! ([`protocol`]). The forwarder at each edge and `edgebss central` both connect through here.

pub mod protocol;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;

use crate::domain::secret::Secret;

/// Where the broker is and how to authenticate to it.
#[derive(Debug, Clone)]
pub struct BrokerLink {
    /// `nats://host:4222` or `tls://host:4222`; several separated by commas.
    pub url: String,
    /// The name this connection shows in the server's monitoring.
    pub name: String,
    /// The JetStream domain of the hub, when the broker reached is a leaf node of it.
    pub jetstream_domain: Option<String>,
    /// A NATS credentials file (user JWT and nkey seed).
    pub credentials_file: Option<PathBuf>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// PEM file of the certificate authorities trusted for the server's certificate (besides the
    /// system's); setting it requires TLS.
    pub tls_ca_file: Option<PathBuf>,
    /// PEM client certificate and key, for servers that verify clients.
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// Where answers to this client's requests arrive (`_INBOX` unless set): a branch uses its
    /// own, so the server's permissions can keep it from reading other clients' answers.
    pub inbox_prefix: Option<String>,
}

/// How many times a client has (re)connected: a change tells its user that the broker may have
/// restarted, and what it believed about the broker's state must be checked again.
#[derive(Debug, Default)]
pub struct Connections(AtomicU64);

impl Connections {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// Longest wait for the server to answer a request (JetStream API calls, acknowledgements).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

impl BrokerLink {
    /// Connects. With `keep_trying`, the client is returned at once and keeps (re)connecting in
    /// the background, for ever; otherwise the first connection must succeed.
    pub async fn connect(
        &self,
        keep_trying: bool,
    ) -> anyhow::Result<(async_nats::Client, Arc<Connections>)> {
        let connections = Arc::new(Connections::default());
        let seen = Arc::clone(&connections);
        let name = self.name.clone();
        let mut options = match &self.credentials_file {
            Some(path) => async_nats::ConnectOptions::with_credentials_file(path)
                .await
                .with_context(|| {
                    format!(
                        "the NATS credentials file {} could not be read",
                        path.display()
                    )
                })?,
            None => async_nats::ConnectOptions::new(),
        };
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            options = options.user_and_password(user.clone(), password.expose().to_owned());
        }
        if let Some(ca) = &self.tls_ca_file {
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert_file, &self.tls_key_file) {
            options = options
                .add_client_certificate(cert.clone(), key.clone())
                .require_tls(true);
        }
        if self.url.trim_start().starts_with("tls://") {
            options = options.require_tls(true);
        }
        options = options
            .name(&self.name)
            .connection_timeout(REQUEST_TIMEOUT)
            .request_timeout(Some(REQUEST_TIMEOUT))
            .ping_interval(Duration::from_secs(10))
            .max_reconnects(None)
            // Back off to 5 s between attempts while the broker is away.
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis(
                    (100_u64.saturating_mul(1 << attempts.min(6))).min(5_000),
                )
            })
            .event_callback(move |event| {
                let seen = Arc::clone(&seen);
                let name = name.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            seen.0.fetch_add(1, Ordering::AcqRel);
                            tracing::info!(connection = %name, "connected to the NATS server");
                        }
                        async_nats::Event::Disconnected => {
                            tracing::warn!(connection = %name, "lost the NATS server; reconnecting");
                        }
                        other => {
                            tracing::warn!(connection = %name, event = %other, "NATS connection")
                        }
                    }
                }
            });
        if let Some(prefix) = &self.inbox_prefix {
            options = options.custom_inbox_prefix(prefix);
        }
        if keep_trying {
            options = options.retry_on_initial_connect();
        }
        let client = options
            .connect(self.url.as_str())
            .await
            .with_context(|| format!("could not connect to the NATS server at {}", self.url))?;
        Ok((client, connections))
    }

    /// The JetStream API over `client`, in the hub's domain when one is set.
    pub fn jetstream(&self, client: async_nats::Client) -> async_nats::jetstream::Context {
        let builder = async_nats::jetstream::ContextBuilder::new().timeout(REQUEST_TIMEOUT);
        match &self.jetstream_domain {
            Some(domain) => builder.domain(domain.clone()).build(client),
            None => builder.build(client),
        }
    }
}
