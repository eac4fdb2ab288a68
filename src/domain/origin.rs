//! Who asked for a change, and from where: recorded on every event and audit entry, so the API,
//! the admin UI, the command line and the background jobs leave the same trail.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// The kind of actor, as events and the audit trail spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum ActorKind {
    #[serde(rename = "apiClient")]
    ApiClient,
    #[serde(rename = "user")]
    User,
    #[serde(rename = "system")]
    System,
}

impl ActorKind {
    pub const ALL: &'static [ActorKind] =
        &[ActorKind::ApiClient, ActorKind::User, ActorKind::System];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::ApiClient => "apiClient",
            ActorKind::User => "user",
            ActorKind::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl rusqlite::types::ToSql for ActorKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

impl rusqlite::types::FromSql for ActorKind {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = value.as_str()?;
        Self::parse(s).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("`{s}` is not an actor kind").into())
        })
    }
}

/// Who made a change: an API client (its id), an admin user (their user name), or edgebss
/// itself (`system`, with the job or command that acted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

impl Actor {
    pub fn api_client(client_id: impl Into<String>) -> Self {
        Self {
            kind: ActorKind::ApiClient,
            id: client_id.into(),
        }
    }

    pub fn user(username: impl Into<String>) -> Self {
        Self {
            kind: ActorKind::User,
            id: username.into(),
        }
    }

    /// edgebss itself: `what` names the job or command (`jobs`, `bill-run`, `cli`, `start-up`).
    pub fn system(what: impl Into<String>) -> Self {
        Self {
            kind: ActorKind::System,
            id: what.into(),
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.id)
    }
}

/// How the HTTP answer to an idempotent request is derived from what the use case returned:
/// its status, and its `Location` from the returned resource (as JSON).
pub type LocationOf = fn(&serde_json::Value) -> Option<String>;

/// An `Idempotency-Key` request being served: the use case stores its answer in the same
/// transaction as its effect, so a retry after a crash finds it and changes nothing.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub client_id: String,
    pub key: String,
    /// SHA-256 of the request's method, path and body: another body under the same key is
    /// refused.
    pub fingerprint: String,
    /// The status of the answer (e.g. 201).
    pub status: u16,
    pub location: Option<LocationOf>,
    stored: Arc<AtomicBool>,
}

impl IdempotencyClaim {
    pub fn new(client_id: String, key: String, fingerprint: String) -> Self {
        Self {
            client_id,
            key,
            fingerprint,
            status: 200,
            location: None,
            stored: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The answer's status and where its `Location` comes from.
    pub fn answering(mut self, status: u16, location: Option<LocationOf>) -> Self {
        self.status = status;
        self.location = location;
        self
    }

    /// Notes that the answer was stored with the effect (the HTTP layer then stores nothing).
    pub fn mark_stored(&self) {
        self.stored.store(true, Ordering::Release);
    }

    pub fn is_stored(&self) -> bool {
        self.stored.load(Ordering::Acquire)
    }
}

/// Everything recorded about where a change came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub actor: Actor,
    /// The request id of an HTTP request (also on its log lines and `X-Request-Id`).
    pub request_id: Option<String>,
    /// The client's address, for a change made over HTTP.
    pub source: Option<String>,
    /// The idempotency key of an API request that carries one.
    pub claim: Option<IdempotencyClaim>,
}

impl Origin {
    /// A change edgebss makes by itself (a background job, start-up).
    pub fn system(what: impl Into<String>) -> Self {
        Self::of(Actor::system(what))
    }

    /// A change from the command line.
    pub fn cli() -> Self {
        Self::system("cli")
    }

    pub fn of(actor: Actor) -> Self {
        Self {
            actor,
            request_id: None,
            source: None,
            claim: None,
        }
    }
}
