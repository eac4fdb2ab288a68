//! `POST /oauth/token`: the client-credentials grant (RFC 6749 §4.4), answered per §5.1/§5.2.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::OAuthError;
use super::request::TokenRequest;
use crate::auth::attempt::Refused;
use crate::domain::ids::ClientId;
use crate::domain::scope::ScopeSet;
use crate::routes::state::AppState;
use crate::service::clients::{self, AuthenticationError};

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
}

pub async fn issue_token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let auth = &state.auth;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Some(wait) = auth.failures_by_address().retry_after(&address) {
        return Err(throttled(wait));
    }
    let request = TokenRequest::read(&req, payload).await?;
    match request.grant_type.as_deref() {
        None => return Err(OAuthError::invalid_request("grant_type is required")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type `{other}` is not supported; use client_credentials"),
            ));
        }
    }
    let requested =
        match &request.scope {
            Some(text) => Some(ScopeSet::parse("scope", text).map_err(|e| {
                OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", e.message)
            })?),
            None => None,
        };
    // Failures are counted per client only for well-formed ids, so made-up ids cannot fill the
    // limiter's memory; they still count against the source address. The attempt is counted
    // before the secret is checked, so the limits hold however many arrive at once.
    let client_key = ClientId::parse(&request.client_id).map(|id| id.to_string());
    let attempt = auth
        .begin_client_attempt(&address, client_key.as_deref())
        .await
        .map_err(|refused| match refused {
            Refused::Throttled(wait) => throttled(wait),
            Refused::Busy(wait) => busy(wait),
        })?;

    let client = match clients::authenticate(
        &state.db,
        &state.clock,
        auth.verifier(),
        &request.client_id,
        &request.client_secret,
    )
    .await
    {
        Ok(client) => {
            attempt.succeeded();
            auth.confirm_enabled(&client.client_id);
            client
        }
        Err(AuthenticationError::BadCredentials) => {
            attempt.failed();
            tracing::warn!(client_id = %request.client_id, %address, "client authentication failed");
            return Err(OAuthError::invalid_client("client authentication failed"));
        }
        Err(e @ AuthenticationError::Revoked(_)) => {
            // The secret was right: not a failed guess.
            attempt.succeeded();
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                e.to_string(),
            ));
        }
        Err(AuthenticationError::Busy(b)) => {
            attempt.not_checked();
            return Err(busy(b.retry_after));
        }
        Err(AuthenticationError::Unexpected(e)) => {
            attempt.not_checked();
            tracing::error!(error = ?e, "token request failed");
            return Err(server_error());
        }
    };

    let granted = match requested {
        Some(scope) if !scope.is_empty() => {
            if !scope.is_subset(&client.scopes) {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    format!(
                        "this client may not have the scope {}; it may have: {}",
                        scope.missing_from(&client.scopes),
                        client.scopes
                    ),
                ));
            }
            scope
        }
        _ => client.scopes.clone(),
    };
    let token = auth.issue(&client.client_id, granted).map_err(|e| {
        tracing::error!(error = ?e, "failed to sign an access token");
        server_error()
    })?;
    tracing::info!(client_id = %client.client_id, scope = %token.scope, "issued an access token");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: token.access_token,
            token_type: "Bearer",
            expires_in: token.expires_in,
            scope: token.scope.to_string(),
        }))
}

/// Too many failed attempts from this address or for this client: 429 with `Retry-After`.
fn throttled(wait: Duration) -> OAuthError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    OAuthError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "slow_down",
        format!("too many failed client authentications; try again in {secs} seconds"),
    )
    .with_header(header::RETRY_AFTER, secs.to_string())
}

/// Too many secret checks are running or waiting: 429 with `Retry-After`; nothing was counted.
fn busy(wait: Duration) -> OAuthError {
    let secs = wait.as_secs().max(1);
    OAuthError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
        format!("the server is busy checking other client secrets; try again in {secs} seconds"),
    )
    .with_header(header::RETRY_AFTER, secs.to_string())
}

fn server_error() -> OAuthError {
    OAuthError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the token could not be issued; the cause is in the server log",
    )
}
