//! Webhook endpoints and their deliveries, as the API shows them.

use serde::Serialize;

use super::FieldError;
use super::event::{EventType, EventTypes};
use super::ids::WebhookEndpointId;
use super::text::parse_opt_text;

/// Longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// An endpoint URL: absolute `http` or `https` with a host, no user or password in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.len() > MAX_URL_LEN {
            return Err(FieldError::new(
                field,
                format!("must be at most {MAX_URL_LEN} characters"),
            ));
        }
        let lower = s.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| FieldError::new(field, "must be an http:// or https:// URL"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(FieldError::new(
                field,
                "must not carry a user name or password; the signature authenticates edgebss",
            ));
        }
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty())
            .map_or(authority, |(host, _)| host);
        if host.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new(
                field,
                "must be a URL with a host name or address",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What creating an endpoint takes, checked.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: WebhookUrl,
    pub event_types: EventTypes,
    pub description: Option<String>,
}

impl NewEndpoint {
    pub fn parse(
        url: &str,
        event_types: Option<&[String]>,
        description: Option<&str>,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            url: WebhookUrl::parse("url", url)?,
            event_types: match event_types {
                Some(names) => EventTypes::parse("eventTypes", names)?,
                None => EventTypes::all(),
            },
            description: parse_opt_text("description", description, 500)?,
        })
    }
}

/// A change to an endpoint: each field left out stays as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<WebhookUrl>,
    /// `Some(all())` turns the filter off.
    pub event_types: Option<EventTypes>,
    pub enabled: Option<bool>,
    pub description: Option<Option<String>>,
}

/// An endpoint as the API shows it (never with its secret).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    pub webhook_endpoint_id: WebhookEndpointId,
    pub url: String,
    /// The event types delivered; absent: every type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<EventType>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookEndpoint {
    pub fn types(&self) -> EventTypes {
        match &self.event_types {
            Some(list) => {
                let names: Vec<String> = list.iter().map(|t| t.as_str().to_owned()).collect();
                EventTypes::parse("eventTypes", &names).unwrap_or_default()
            }
            None => EventTypes::all(),
        }
    }
}

/// An endpoint with its signing secret: the answer to creating it or rotating the secret, the
/// only times the secret is shown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Delivered => "Delivered",
            DeliveryStatus::Failed => "Failed",
        }
    }
}

impl rusqlite::types::ToSql for DeliveryStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

impl rusqlite::types::FromSql for DeliveryStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match value.as_str()? {
            "Pending" => Ok(DeliveryStatus::Pending),
            "Delivered" => Ok(DeliveryStatus::Delivered),
            "Failed" => Ok(DeliveryStatus::Failed),
            other => Err(rusqlite::types::FromSqlError::Other(
                format!("`{other}` is not a delivery status").into(),
            )),
        }
    }
}

/// One attempt to deliver an event to an endpoint, with where its delivery stands.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// The delivery this attempt belongs to (resend it by this number).
    pub delivery: i64,
    pub event_id: String,
    pub event_type: EventType,
    pub attempt: u32,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    pub status: DeliveryStatus,
    /// When the next attempt is due, while the delivery is pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_http_or_https_with_a_host_and_no_credentials() {
        assert!(WebhookUrl::parse("url", "https://crm.example/hooks/edgebss").is_ok());
        assert!(WebhookUrl::parse("url", "http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "ftp://x.example/",
            "https://",
            "https://:80/",
            "https://user:pw@x.example/",
            "crm.example/hooks",
            "https://x.example/a b",
        ] {
            let e = WebhookUrl::parse("url", bad).expect_err(bad);
            assert_eq!(e.field, "url");
        }
    }
}
