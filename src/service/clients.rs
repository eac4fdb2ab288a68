//! API clients (OAuth2 client credentials): created with a random secret shown once, kept as an
//! argon2id hash; revoked for good; their secret replaced. Used by the CLI, the admin UI and the
//! token endpoint.
//!
//! Functions that change which clients are honoured take the running server's
//! [`AuthState`] when there is one (admin UI, API): the change applies to live tokens at once.
//! From another process (CLI) pass `None`; the server notices within about a second.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::auth::password;
use crate::auth::state::AuthState;
use crate::auth::verifier::{Busy, Verifier};
use crate::db::Db;
use crate::db::clients::{self as sql, ClientRow};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::ids::ClientId;
use crate::domain::scope::ScopeSet;
use crate::domain::text::parse_text;

use crate::db::record::Recorder;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

/// Length of generated secrets: 40 letters and digits, about 238 bits.
pub const SECRET_LEN: usize = 40;

/// Last-used times are written at most this often per client, so a client asking for many
/// tokens does not cost a write each time.
const LAST_USED_GRANULARITY: chrono::Duration = chrono::Duration::seconds(60);

/// A client as shown to people: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiClient {
    pub client_id: String,
    pub name: String,
    #[serde(serialize_with = "scopes_as_list")]
    pub scopes: ScopeSet,
    pub enabled: bool,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn scopes_as_list<S: serde::Serializer>(scopes: &ScopeSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(scopes.iter().map(|x| x.as_str()))
}

impl From<ClientRow> for ApiClient {
    fn from(r: ClientRow) -> Self {
        Self {
            client_id: r.id.to_string(),
            name: r.name,
            scopes: r.scopes,
            enabled: r.enabled,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A client with its secret, which exists only in this value: show it once, then drop it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentials {
    #[serde(flatten)]
    pub client: ApiClient,
    pub client_secret: String,
}

/// Why client authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    /// Unknown client or wrong secret; deliberately not told apart.
    #[error("client authentication failed")]
    BadCredentials,
    /// The secret is right but the client has been revoked.
    #[error("client `{0}` has been revoked")]
    Revoked(String),
    /// Too many secret checks are running; the secret was not checked.
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Unexpected(#[from] ServiceError),
}

pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    live: Option<&AuthState>,
    name: &str,
    scopes: ScopeSet,
) -> Result<ClientCredentials, ServiceError> {
    let origin = origin.clone();
    let name = parse_text("name", name, 100)?;
    if scopes.is_empty() {
        return Err(FieldError::new("scopes", "give at least one scope").into());
    }
    let secret = password::generate_secret(SECRET_LEN);
    let hash = password::hash(secret.clone()).await?;
    let id = ClientId::generate();
    let now = clock.timestamp();
    let row = ClientRow {
        id: id.clone(),
        name,
        secret_hash: hash,
        scopes,
        enabled: true,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    let stored = row.clone();
    db.write(move |conn| {
        sql::insert(
            conn,
            &stored.id,
            &stored.name,
            &stored.secret_hash,
            &stored.scopes,
            &stored.created_at,
        )?;
        let shown = ApiClient::from(stored.clone());
        Recorder::new(conn, &origin, &stored.created_at).audit(
            "api_client.created",
            ("api_client", stored.id.as_str()),
            None::<&ApiClient>,
            Some(&shown),
        )?;
        Ok::<_, ServiceError>(())
    })
    .await?;
    if let Some(live) = live {
        live.set_client_enabled(id.as_str(), true);
    }
    Ok(ClientCredentials {
        client: row.into(),
        client_secret: secret,
    })
}

pub async fn list(db: &Db) -> Result<Vec<ApiClient>, ServiceError> {
    db.read(|conn| Ok(sql::list(conn)?.into_iter().map(ApiClient::from).collect()))
        .await
}

pub async fn get(db: &Db, id: &ClientId) -> Result<ApiClient, ServiceError> {
    get_row(db, id).await.map(ApiClient::from)
}

async fn get_row(db: &Db, id: &ClientId) -> Result<ClientRow, ServiceError> {
    let cid = id.clone();
    let missing = ServiceError::not_found("API client", id);
    db.read(move |conn| sql::get(conn, &cid)?.ok_or(missing))
        .await
}

/// Revokes a client: it gets no more tokens and the tokens it holds stop working. Revoking a
/// revoked client changes nothing.
pub async fn revoke(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    live: Option<&AuthState>,
    id: &ClientId,
) -> Result<ApiClient, ServiceError> {
    let cid = id.clone();
    let (now, origin) = (clock.timestamp(), origin.clone());
    let id_text = id.to_owned();
    let client = db
        .write(move |conn| {
            let before = sql::get(conn, &cid)?
                .ok_or_else(|| ServiceError::not_found("API client", &id_text))?;
            sql::revoke(conn, &cid, &now)?;
            let after = sql::get(conn, &cid)?
                .ok_or_else(|| ServiceError::not_found("API client", &id_text))?;
            if before.enabled {
                Recorder::new(conn, &origin, &now).audit(
                    "api_client.revoked",
                    ("api_client", cid.as_str()),
                    Some(&ApiClient::from(before)),
                    Some(&ApiClient::from(after.clone())),
                )?;
            }
            Ok::<_, ServiceError>(after)
        })
        .await?;
    if let Some(live) = live {
        live.set_client_enabled(id.as_str(), false);
    }
    Ok(client.into())
}

/// Replaces a client's secret; the old one stops working at once. Tokens already issued stay
/// valid until they expire (revoke the client to end them).
pub async fn rotate_secret(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ClientId,
) -> Result<ClientCredentials, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    let current = get_row(db, id).await?;
    if !current.enabled {
        return Err(ServiceError::Conflict(format!(
            "API client `{id}` is revoked; create a new client instead"
        )));
    }
    let secret = password::generate_secret(SECRET_LEN);
    let hash = password::hash(secret.clone()).await?;
    let cid = current.id.clone();
    let id_text = id.to_owned();
    let updated = db
        .write(move |conn| {
            if sql::set_secret_hash(conn, &cid, &hash)? == 0 {
                return Err(ServiceError::not_found("API client", &id_text));
            }
            Recorder::new(conn, &origin, &now).audit_values(
                "api_client.secret_rotated",
                ("api_client", cid.as_str()),
                serde_json::json!({"secret": {"before": "(hidden)", "after": "(hidden)"}}),
            )?;
            sql::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("API client", &id_text))
        })
        .await?;
    Ok(ClientCredentials {
        client: updated.into(),
        client_secret: secret,
    })
}

/// Checks a client id and secret (the token endpoint's client authentication) in one of the
/// server's check slots. An unknown id costs the same hash work as a wrong secret, so timing does
/// not tell which ids exist.
pub async fn authenticate(
    db: &Db,
    clock: &Clock,
    verifier: &Verifier,
    id: &str,
    secret: &str,
) -> Result<ApiClient, AuthenticationError> {
    let row = match ClientId::parse(id) {
        Some(cid) => {
            db.read(move |conn| sql::get(conn, &cid).map_err(ServiceError::from))
                .await?
        }
        None => None,
    };
    let Some(row) = row else {
        let _ = verifier
            .verify(secret.to_owned(), dummy_hash().await?.to_owned())
            .await?;
        return Err(AuthenticationError::BadCredentials);
    };
    if !verifier
        .verify(secret.to_owned(), row.secret_hash.clone())
        .await?
    {
        return Err(AuthenticationError::BadCredentials);
    }
    if !row.enabled {
        return Err(AuthenticationError::Revoked(id.to_owned()));
    }
    touch(db, clock, &row).await;
    Ok(row.into())
}

/// Records that a client was used, at most once a minute; a failure is logged, not fatal.
async fn touch(db: &Db, clock: &Clock, row: &ClientRow) {
    let now = clock.now();
    let recent = row
        .last_used_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| now.signed_duration_since(t.with_timezone(&Utc)) < LAST_USED_GRANULARITY);
    if recent {
        return;
    }
    let (id, stamp) = (row.id.clone(), crate::domain::date::format_timestamp(now));
    let result = db
        .write(move |conn| sql::set_last_used(conn, &id, &stamp).map_err(ServiceError::from))
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, client_id = %row.id, "failed to record the client's last use");
    }
}

/// A hash of a random secret, for verifying against when the client id is unknown.
async fn dummy_hash() -> Result<&'static str, ServiceError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| password::hash(password::generate_secret(SECRET_LEN)))
        .await
        .map(String::as_str)
        .map_err(ServiceError::from)
}
