//! Admin UI sessions: a random token in an `HttpOnly; SameSite=Strict` cookie; the server keeps
//! only its SHA-256, with idle and absolute expiry. A new token is issued at every sign-in.

use sha2::{Digest, Sha256};

use crate::domain::user::User;

/// The session lifetimes and sign-in limits, in seconds, from the `ui` settings.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
    pub max_failures: i64,
    pub lockout_secs: i64,
    pub secure_cookies: bool,
}

/// A signed-in user's session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

/// A fresh random token: 32 bytes from the OS-seeded generator, hex encoded.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// What is stored for a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }
}
