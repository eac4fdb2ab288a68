//! Tokens already verified, so a client presenting the same token again (the normal case: one
//! token for its whole 15 minutes) costs a hash lookup instead of an Ed25519 signature check.
//!
//! Only what never changes for a given token string is remembered: that its signature, algorithm,
//! type, issuer and audience are right, and its claims. Time, the key still being in force and
//! the client still being enabled are checked on every use. The key is the whole token, so a
//! token differing in any byte is a miss and gets the full check; only tokens that passed it are
//! stored, so garbage cannot fill the cache.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::tokens::VerifiedToken;

/// Most tokens remembered; past that, expired ones are dropped, then everything if need be.
const CAPACITY: usize = 4096;

/// Keyed with foldhash rather than SipHash: a token is several hundred bytes, hashed on every
/// request, and only tokens that passed the full check are ever stored, so there is no table
/// for a client to flood with colliding keys.
#[derive(Debug, Default)]
pub struct VerifiedTokens {
    tokens: RwLock<HashMap<Box<str>, Arc<VerifiedToken>, foldhash::fast::RandomState>>,
}

impl VerifiedTokens {
    pub fn get(&self, token: &str) -> Option<Arc<VerifiedToken>> {
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned()
    }

    /// Remembers a verified token; `expired_before` (Unix seconds) lets a full cache drop tokens
    /// that can no longer be used.
    pub fn insert(&self, token: &str, verified: Arc<VerifiedToken>, expired_before: i64) {
        let mut map = self.tokens.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY {
            map.retain(|_, v| v.exp >= expired_before);
            if map.len() >= CAPACITY {
                map.clear();
            }
        }
        map.insert(token.into(), verified);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.tokens.read().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::ScopeSet;

    fn token(exp: i64) -> Arc<VerifiedToken> {
        Arc::new(VerifiedToken {
            client_id: "cli_x".into(),
            scopes: ScopeSet::all(),
            kid: "k".into(),
            iat: exp - 900,
            exp,
        })
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first_and_never_grows_past_its_capacity() {
        let cache = VerifiedTokens::default();
        for i in 0..CAPACITY {
            let exp = if i % 2 == 0 { 100 } else { 10_000 };
            cache.insert(&format!("t{i}"), token(exp), 0);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.insert("new", token(10_000), 1_000);
        assert_eq!(cache.len(), CAPACITY / 2 + 1, "the expired half went");
        assert!(cache.get("t1").is_some() && cache.get("t0").is_none());
        for i in 0..CAPACITY {
            cache.insert(&format!("u{i}"), token(10_000), 1_000);
        }
        assert!(cache.len() <= CAPACITY);
    }
}
