//! Optional HTTPS: with `tls.cert` and `tls.key` set, the server speaks only HTTPS (rustls with
//! the `ring` crypto provider: pure Rust and assembly, no C++ toolchain or cmake needed for the
//! Linux or the Windows build).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};

/// `[tls]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsSettings {
    /// PEM file with the server certificate, followed by any intermediate certificates.
    pub cert: Option<PathBuf>,
    /// PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
}

impl TlsSettings {
    pub fn enabled(&self) -> bool {
        self.cert.is_some()
    }

    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.cert.is_some() == self.key.is_some(),
            "invalid configuration: tls.cert and tls.key go together; set both for HTTPS, or \
             neither for plain HTTP"
        );
        Ok(())
    }

    /// The rustls configuration, or `None` for plain HTTP. Errors name the file at fault.
    pub fn server_config(&self) -> anyhow::Result<Option<ServerConfig>> {
        let (Some(cert), Some(key)) = (&self.cert, &self.key) else {
            return Ok(None);
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                anyhow::anyhow!(
                    "tls.cert {} could not be read as PEM certificates: {e}",
                    cert.display()
                )
            })?;
        anyhow::ensure!(
            !chain.is_empty(),
            "tls.cert {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            cert.display()
        );
        let private_key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
            anyhow::anyhow!(
                "tls.key {} could not be read as a PEM private key: {e}",
                key.display()
            )
        })?;
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("the TLS provider supports no protocol version")?
            .with_no_client_auth()
            .with_single_cert(chain, private_key)
            .with_context(|| {
                format!(
                    "tls.key {} does not match tls.cert {}, or is of an unsupported kind",
                    key.display(),
                    cert.display()
                )
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Some(config))
    }
}

/// The crypto provider for both the server and `edgebss healthcheck`.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
