//! Secrets (user passwords, API client secrets) are stored only as argon2id hashes.
//!
//! Each hash costs ~19 MiB and tens of milliseconds of CPU, so at most a few run at once: a burst
//! of sign-ins or token requests cannot exhaust memory, it queues.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use rand::distr::Alphanumeric;

/// How many hashes may run at the same time, process-wide.
const CONCURRENT_HASHES: usize = 2;

static HASH_SLOTS: LazyLock<tokio::sync::Semaphore> =
    LazyLock::new(|| tokio::sync::Semaphore::new(CONCURRENT_HASHES));

/// Hashes a secret with argon2id (random salt, default parameters), giving a PHC string.
pub fn hash_blocking(secret: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("failed to hash a secret: {e}"))
}

/// Whether `secret` matches the stored PHC hash. A malformed stored hash never matches.
pub fn verify_blocking(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash_blocking`] off the async runtime, bounded by the process-wide hash slots.
pub async fn hash(secret: String) -> anyhow::Result<String> {
    let _slot = HASH_SLOTS.acquire().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&secret)).await?
}

/// [`verify_blocking`] off the async runtime, bounded by the process-wide hash slots.
pub async fn verify(secret: String, phc: String) -> bool {
    let Ok(_slot) = HASH_SLOTS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_blocking(&secret, &phc))
        .await
        .unwrap_or(false)
}

/// A random secret of `len` letters and digits (about 5.95 bits each).
pub fn generate_secret(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A generated password: 20 letters and digits (about 119 bits).
pub fn generate_password() -> String {
    generate_secret(20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let h = hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("wrong horse", &h));
        assert!(!verify_blocking("correct horse", "not a hash"));
    }

    #[test]
    fn generated_secrets_differ() {
        let a = generate_secret(32);
        assert_eq!(a.len(), 32);
        assert_ne!(a, generate_secret(32));
        assert_eq!(generate_password().len(), 20);
    }
}
