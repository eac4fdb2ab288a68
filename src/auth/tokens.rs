//! Access tokens: JWTs in the shape of RFC 9068 (`typ: at+jwt`), signed with EdDSA.
//!
//! Verification pins the algorithm to EdDSA and takes the key only from our own keyring by `kid`,
//! so `alg: none`, HMAC tokens made with a public key as the secret, and keys named inside the
//! token itself are all refused. Expiry is checked against the application's [`Clock`], the same
//! clock that stamped `iat`/`exp`, so a server run on a moved clock accepts its own tokens.
//!
//! [`Clock`]: crate::domain::clock::Clock

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{Key, Keyring};
use super::settings::AuthSettings;
use crate::domain::scope::ScopeSet;

/// The `typ` header of our access tokens (RFC 9068 §2.1).
pub const TOKEN_TYPE: &str = "at+jwt";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// What the token endpoint hands out.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    pub scope: ScopeSet,
}

/// A token that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub client_id: String,
    pub scopes: ScopeSet,
    pub kid: String,
    pub iat: i64,
    pub exp: i64,
}

/// Why a token was refused; the text goes into `error_description` and the API message, so it
/// says what is wrong without echoing the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is malformed")]
    Malformed,
    #[error("the access token is not signed with EdDSA")]
    Algorithm,
    #[error("the access token is not an access token of this server")]
    NotAnAccessToken,
    #[error("the access token was signed with an unknown or retired key")]
    UnknownKey,
    #[error("the access token's signature is invalid")]
    Signature,
    #[error("the access token was issued for another issuer or audience")]
    WrongIssuerOrAudience,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token was issued in the future")]
    NotYetValid,
    #[error("the access token's client has been revoked")]
    Revoked,
}

/// Issuing and checking tokens with the configured issuer, audience and lifetimes.
#[derive(Debug, Clone)]
pub struct TokenRules {
    issuer: String,
    audience: String,
    ttl: Duration,
    leeway: Duration,
    validation: Validation,
}

impl TokenRules {
    pub fn new(settings: &AuthSettings) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Checked in `verify` against the application clock instead of the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl: Duration::from_secs(settings.token_ttl_seconds),
            leeway: Duration::from_secs(settings.leeway_seconds),
            validation,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// How long after being superseded a key must still verify: the longest a token it signed can
    /// live, the leeway, and a minute for running servers to notice the rotation.
    pub fn key_overlap(&self) -> Duration {
        self.ttl + self.leeway + Duration::from_secs(60)
    }

    pub fn issue(
        &self,
        key: &Key,
        client_id: &str,
        scope: ScopeSet,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IssuedToken> {
        let iat = now.timestamp();
        let ttl = self.ttl.as_secs();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: client_id.to_owned(),
            client_id: client_id.to_owned(),
            scope: scope.to_string(),
            iat,
            exp: iat.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
            jti: ulid::Ulid::new().to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TOKEN_TYPE.to_owned());
        header.kid = Some(key.kid.clone());
        let access_token = jsonwebtoken::encode(&header, &claims, &key.encoding)
            .map_err(|e| anyhow::anyhow!("failed to sign a token: {e}"))?;
        Ok(IssuedToken {
            access_token,
            expires_in: ttl,
            scope,
        })
    }

    /// Checks signature, algorithm, type, issuer, audience and time. Whether the client is still
    /// allowed is the caller's business (it needs the live client list).
    pub fn verify(
        &self,
        token: &str,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<VerifiedToken, TokenError> {
        let verified = self.decode(token, keys)?;
        self.check_times(&verified, now)?;
        Ok(verified)
    }

    /// Everything [`TokenRules::verify`] checks except time, which changes: the part worth
    /// remembering for a token seen again.
    pub fn decode(&self, token: &str, keys: &Keyring) -> Result<VerifiedToken, TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Algorithm);
        }
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(TOKEN_TYPE) || t.eq_ignore_ascii_case("application/at+jwt")
        });
        if !typ_ok {
            return Err(TokenError::NotAnAccessToken);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| keys.get(kid))
            .ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => TokenError::Signature,
                ErrorKind::InvalidAlgorithm => TokenError::Algorithm,
                ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                    TokenError::WrongIssuerOrAudience
                }
                _ => TokenError::Malformed,
            },
        )?;
        let claims = data.claims;
        if claims.client_id != claims.sub {
            return Err(TokenError::NotAnAccessToken);
        }
        let scopes =
            ScopeSet::parse("scope", &claims.scope).map_err(|_| TokenError::NotAnAccessToken)?;
        Ok(VerifiedToken {
            client_id: claims.sub,
            scopes,
            kid: key.kid.clone(),
            iat: claims.iat,
            exp: claims.exp,
        })
    }

    /// `exp` and `iat` against `now`, with the leeway.
    pub fn check_times(&self, token: &VerifiedToken, now: DateTime<Utc>) -> Result<(), TokenError> {
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        let now = now.timestamp();
        if token.exp.saturating_add(leeway) <= now {
            return Err(TokenError::Expired);
        }
        if token.iat.saturating_sub(leeway) > now {
            return Err(TokenError::NotYetValid);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::auth::keys::KeyStore;

    fn setup() -> (tempfile::TempDir, TokenRules, Keyring, DateTime<Utc>) {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let now = DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .to_utc();
        store.ensure_key(now).unwrap();
        let keys = store.load(&HashMap::new()).unwrap().keys;
        let rules = TokenRules::new(&AuthSettings::default());
        let ring = Keyring::in_force(keys, now, rules.key_overlap());
        (dir, rules, ring, now)
    }

    #[test]
    fn an_issued_token_verifies_until_it_expires() {
        let (_dir, rules, ring, now) = setup();
        let key = Arc::clone(ring.signing_key().unwrap());
        let scope = ScopeSet::parse("s", "read:customers").unwrap();
        let t = rules.issue(&key, "cli_x", scope.clone(), now).unwrap();
        assert_eq!(t.expires_in, 900);
        let v = rules.verify(&t.access_token, &ring, now).unwrap();
        assert_eq!(v.client_id, "cli_x");
        assert_eq!(v.scopes, scope);
        let within_leeway = now + chrono::Duration::seconds(900 + 29);
        assert!(rules.verify(&t.access_token, &ring, within_leeway).is_ok());
        let late = now + chrono::Duration::seconds(900 + 30);
        assert_eq!(
            rules.verify(&t.access_token, &ring, late).unwrap_err(),
            TokenError::Expired
        );
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let (_dir, rules, ring, now) = setup();
        let other = TokenRules::new(&AuthSettings {
            audience: "someone-else".into(),
            ..AuthSettings::default()
        });
        let key = Arc::clone(ring.signing_key().unwrap());
        let t = other.issue(&key, "cli_x", ScopeSet::all(), now).unwrap();
        assert_eq!(
            rules.verify(&t.access_token, &ring, now).unwrap_err(),
            TokenError::WrongIssuerOrAudience
        );
    }
}
