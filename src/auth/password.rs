//! Secrets (user passwords, API client secrets) are stored only as argon2id hashes.
//!
//! Each hash or check fills 19 MiB of memory and takes tens of milliseconds of CPU. Checks are
//! what an anonymous client can ask for, so they are bounded per server by a
//! [`super::verifier::Verifier`]; hashing new secrets (administrators' work) shares a few
//! process-wide slots.
//!
//! The 19 MiB are requested as one allocation larger than any size the allocator serves from its
//! heaps (glibc's largest mmap threshold is 32 MiB on 64-bit), so it never fragments them and is
//! handed back to the system the moment the hash ends; only the 19 MiB written become resident. Allocated by the argon2 crate itself (exactly 19 MiB, 64-byte
//! aligned), glibc kept every such block it had handed out: 40 concurrent wrong secrets took the
//! server from 40 MB to 800 MB resident, and the next 40 to 1.4 GB.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use rand::distr::Alphanumeric;

/// How many hashes of new secrets may run at the same time, process-wide.
const CONCURRENT_HASHES: usize = 2;

static HASH_SLOTS: LazyLock<Arc<tokio::sync::Semaphore>> =
    LazyLock::new(|| Arc::new(tokio::sync::Semaphore::new(CONCURRENT_HASHES)));

/// Capacity asked for argon2's memory: above glibc's largest mmap threshold (32 MiB on 64-bit;
/// blocks are 1 KiB), so the block is always mapped on its own and given back when dropped.
const MAPPED_BLOCKS: usize = 33 * 1024;

/// Salt length of new hashes, in bytes (as the argon2 crate's default).
const SALT_LEN: usize = 16;

/// Zeroed memory for an argon2 run of `blocks` blocks (see the module's documentation).
fn argon2_memory(blocks: usize) -> Vec<Block> {
    let mut memory = Vec::with_capacity(blocks.max(MAPPED_BLOCKS));
    memory.resize(blocks, Block::new());
    memory
}

/// Runs argon2 with `params` over `secret` and `salt` into `out`, in memory of its own.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let mut memory = argon2_memory(params.block_count());
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret,
        salt,
        out,
        &mut memory[..],
    )
}

/// Hashes a secret with argon2id (random salt, default parameters), giving a PHC string.
pub fn hash_blocking(secret: &str) -> anyhow::Result<String> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("failed to hash a secret: {e}");
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill(&mut salt[..]);
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        secret.as_bytes(),
        &salt,
        &mut out,
    )
    .map_err(|e| fail(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.into(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(&e))?),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `secret` matches the stored PHC hash. A malformed stored hash never matches.
pub fn verify_blocking(secret: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let parsed = (
        Algorithm::try_from(hash.algorithm.as_str()),
        hash.version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&hash),
    );
    let (Ok(algorithm), Ok(version), Ok(params)) = parsed else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if argon2_into(
        algorithm,
        version,
        params,
        secret.as_bytes(),
        salt.as_ref(),
        &mut out,
    )
    .is_err()
    {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// [`hash_blocking`] off the async runtime, bounded by the process-wide hash slots. The slot is
/// held by the hashing itself, so a caller that stops waiting does not free it early.
pub async fn hash(secret: String) -> anyhow::Result<String> {
    let slot = Arc::clone(&HASH_SLOTS).acquire_owned().await?;
    tokio::task::spawn_blocking(move || {
        let hashed = hash_blocking(&secret);
        drop(slot);
        hashed
    })
    .await?
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
    use argon2::PasswordHasher;

    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let h = hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("wrong horse", &h));
        assert!(!verify_blocking("correct horse", "not a hash"));
        assert_ne!(h, hash_blocking("correct horse").unwrap(), "salted");
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        let stored = Argon2::default()
            .hash_password(b"made before")
            .unwrap()
            .to_string();
        assert!(verify_blocking("made before", &stored));
        assert!(!verify_blocking("made after", &stored));
    }

    #[test]
    fn generated_secrets_differ() {
        let a = generate_secret(32);
        assert_eq!(a.len(), 32);
        assert_ne!(a, generate_secret(32));
        assert_eq!(generate_password().len(), 20);
    }
}
