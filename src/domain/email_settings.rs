//! `[email]`: the operator's SMTP server and what edgebss sends through it.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (only for a server on the same machine or network).
    Off,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused without it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    pub const ALL: &'static [SmtpTls] = &[SmtpTls::Off, SmtpTls::Starttls, SmtpTls::Tls];

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::Off => "off",
            SmtpTls::Starttls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }
}

impl std::fmt::Display for SmtpTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSettings {
    /// The SMTP server; empty: no e-mail is sent (nothing is queued either).
    pub smtp_host: String,
    pub smtp_port: u16,
    pub tls: SmtpTls,
    /// Empty: no authentication.
    pub username: String,
    pub password: String,
    /// The sender, e.g. `Billing <billing@example.net>`.
    pub from: String,
    /// Where replies go; empty: to `from`.
    pub reply_to: String,
    /// E-mail each invoice, with its PDF, when it is issued.
    pub send_invoices: bool,
    /// E-mail a receipt when a payment is recorded.
    pub send_receipts: bool,
    /// Seconds the SMTP server has for each step of a delivery.
    pub timeout_seconds: u64,
    /// Seconds to wait before each retry of a message the server did not accept; after the
    /// last one the message is marked failed (it can be resent).
    pub retry_seconds: Vec<u64>,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"***")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            tls: SmtpTls::Starttls,
            username: String::new(),
            password: String::new(),
            from: String::new(),
            reply_to: String::new(),
            send_invoices: true,
            send_receipts: true,
            timeout_seconds: 30,
            retry_seconds: vec![60, 300, 900, 3600, 10800, 21600, 43200, 86400],
        }
    }
}

/// The address inside `Name <addr>` or the whole text.
fn bare_address(s: &str) -> &str {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim(),
        _ => s.trim(),
    }
}

impl EmailSettings {
    /// Whether e-mail is set up: messages are queued and sent only then.
    pub fn enabled(&self) -> bool {
        !self.smtp_host.trim().is_empty() && !self.from.trim().is_empty()
    }

    pub fn check(&self) -> Result<(), FieldError> {
        let host = self.smtp_host.trim();
        if host.contains(char::is_whitespace) || host.contains('/') {
            return Err(FieldError::new(
                "email.smtp_host",
                "must be a host name or address, such as smtp.example.net",
            ));
        }
        if self.smtp_port == 0 {
            return Err(FieldError::new(
                "email.smtp_port",
                "must be from 1 to 65535",
            ));
        }
        for (key, v) in [
            ("email.from", &self.from),
            ("email.reply_to", &self.reply_to),
        ] {
            if !v.trim().is_empty() {
                super::email::Email::parse(key, bare_address(v))?;
            }
        }
        if !host.is_empty() && self.from.trim().is_empty() {
            return Err(FieldError::new(
                "email.from",
                "is required when an SMTP server is set (the sender of every message)",
            ));
        }
        if !(1..=300).contains(&self.timeout_seconds) {
            return Err(FieldError::new(
                "email.timeout_seconds",
                "must be from 1 to 300",
            ));
        }
        if self.retry_seconds.len() > 20
            || !self.retry_seconds.iter().all(|s| (1..=604_800).contains(s))
        {
            return Err(FieldError::new(
                "email.retry_seconds",
                "must list at most 20 waits, each from 1 to 604800 seconds",
            ));
        }
        Ok(())
    }
}
