//! Token signing keys: Ed25519 private keys kept as PKCS#8 PEM files, readable by their owner
//! only, in `<data>/keys/<kid>.pem`.
//!
//! The key id (`kid`) is a ULID made from the key's creation time, so the folder alone says which
//! key is newest (it signs) and when each older key was superseded. A superseded key keeps
//! verifying until every token it can have signed has expired, then it is retired: no longer
//! trusted, no longer published, and its file is removed at the next rotation.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;

use crate::ops::fs::{create_private_dir, write_private_file};

/// One signing key, ready to sign and verify.
pub struct Key {
    pub kid: String,
    pub created: DateTime<Utc>,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public key, base64url without padding (the JWK `x`).
    pub public_x: String,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl Key {
    fn from_signing_key(
        kid: String,
        created: DateTime<Utc>,
        sk: &SigningKey,
    ) -> anyhow::Result<Self> {
        let der = sk
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("failed to encode a signing key: {e}"))?;
        let public_x = URL_SAFE_NO_PAD.encode(sk.verifying_key().to_bytes());
        let decoding = DecodingKey::from_ed_components(&public_x)
            .context("failed to build a verifying key")?;
        Ok(Self {
            kid,
            created,
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding,
            public_x,
        })
    }

    /// The public half as a JSON Web Key.
    pub fn jwk(&self) -> Jwk {
        Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(self.kid.clone()),
                ..Default::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: self.public_x.clone(),
            }),
        }
    }
}

/// The keys in force at one moment: the newest signs, the others still verify.
#[derive(Debug, Default)]
pub struct Keyring {
    /// Oldest first.
    keys: Vec<Arc<Key>>,
}

impl Keyring {
    /// Keeps, of `all`, the newest key and every older key not yet retired at `now`.
    pub fn in_force(mut all: Vec<Arc<Key>>, now: DateTime<Utc>, keep_for: Duration) -> Self {
        all.sort_by(|a, b| a.kid.cmp(&b.kid));
        let successors: Vec<Option<DateTime<Utc>>> = (0..all.len())
            .map(|i| all.get(i + 1).map(|k| k.created))
            .collect();
        let keys = all
            .into_iter()
            .zip(successors)
            .filter(|(_, next)| next.is_none_or(|t| !is_retired(t, now, keep_for)))
            .map(|(k, _)| k)
            .collect();
        Self { keys }
    }

    /// The key new tokens are signed with.
    pub fn signing_key(&self) -> Option<&Arc<Key>> {
        self.keys.last()
    }

    pub fn get(&self, kid: &str) -> Option<&Arc<Key>> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    pub fn keys(&self) -> &[Arc<Key>] {
        &self.keys
    }

    /// The public keys, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().rev().map(|k| k.jwk()).collect(),
        }
    }
}

/// A key superseded at `superseded` can have signed tokens until then (plus the second it takes a
/// running server to notice a rotation); they live `keep_for` at most.
fn is_retired(superseded: DateTime<Utc>, now: DateTime<Utc>, keep_for: Duration) -> bool {
    let keep_for = chrono::Duration::from_std(keep_for).unwrap_or(chrono::Duration::MAX);
    superseded
        .checked_add_signed(keep_for)
        .is_some_and(|end| now >= end)
}

/// The keys folder.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

/// What one look at the keys folder found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub keys: Vec<Arc<Key>>,
    /// Files that look like keys but could not be used, with the reason.
    pub problems: Vec<String>,
}

impl KeyStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("keys"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads every `<kid>.pem`, reusing the keys in `known` instead of parsing them again (the
    /// server looks every second).
    pub fn load(&self, known: &HashMap<String, Arc<Key>>) -> anyhow::Result<Loaded> {
        let mut loaded = Loaded::default();
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(loaded),
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("failed to read the keys folder {}", self.dir.display())
                });
            }
        };
        for entry in entries {
            let path = entry?.path();
            let Some(kid) = kid_of(&path) else { continue };
            if let Some(key) = known.get(&kid) {
                loaded.keys.push(Arc::clone(key));
                continue;
            }
            match read_key(&path, &kid) {
                Ok(key) => loaded.keys.push(Arc::new(key)),
                Err(e) => loaded.problems.push(format!("{}: {e:#}", path.display())),
            }
        }
        Ok(loaded)
    }

    /// Makes a key if the folder holds none that can be used (first start).
    pub fn ensure_key(&self, now: DateTime<Utc>) -> anyhow::Result<Option<String>> {
        let loaded = self.load(&HashMap::new())?;
        if loaded.keys.is_empty() {
            return self.generate(now).map(Some);
        }
        Ok(None)
    }

    /// Adds a new signing key, and deletes the files of keys retired at `now` (nothing can verify
    /// with them any more). Returns the new key's id.
    pub fn rotate(&self, now: DateTime<Utc>, keep_for: Duration) -> anyhow::Result<String> {
        let kid = self.generate(now)?;
        let loaded = self.load(&HashMap::new())?;
        let in_force = Keyring::in_force(loaded.keys.clone(), now, keep_for);
        for key in &loaded.keys {
            if in_force.get(&key.kid).is_none() {
                let path = self.dir.join(format!("{}.pem", key.kid));
                fs::remove_file(&path)
                    .with_context(|| format!("failed to remove retired key {}", path.display()))?;
            }
        }
        Ok(kid)
    }

    /// Writes a new random key; the file appears complete or not at all.
    pub fn generate(&self, now: DateTime<Utc>) -> anyhow::Result<String> {
        create_private_dir(&self.dir)?;
        let kid = ulid::Ulid::from_datetime(now.into()).to_string();
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let sk = SigningKey::from_bytes(&seed);
        let pem = sk
            .to_pkcs8_pem(Default::default())
            .map_err(|e| anyhow::anyhow!("failed to encode a signing key: {e}"))?;
        let path = self.dir.join(format!("{kid}.pem"));
        write_private_file(&path, pem.as_bytes())?;
        Ok(kid)
    }
}

/// The key id of a `<ULID>.pem` file; anything else in the folder is not a key.
fn kid_of(path: &Path) -> Option<String> {
    if path.extension()? != "pem" {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    ulid::Ulid::from_string(stem).ok()?;
    Some(stem.to_owned())
}

fn read_key(path: &Path, kid: &str) -> anyhow::Result<Key> {
    let pem = zeroize::Zeroizing::new(fs::read_to_string(path).context("unreadable")?);
    let sk = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|e| anyhow::anyhow!("not an Ed25519 PKCS#8 private key: {e}"))?;
    let created = ulid::Ulid::from_string(kid)
        .map(|u| DateTime::<Utc>::from(u.datetime()))
        .context("the file name is not a key id")?;
    Key::from_signing_key(kid.to_owned(), created, &sk)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn the_newest_key_signs_and_superseded_keys_verify_until_their_tokens_expire() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let first = store
            .ensure_key(at("2026-11-26T10:00:00Z"))
            .unwrap()
            .unwrap();
        assert_eq!(store.ensure_key(at("2026-11-26T10:00:01Z")).unwrap(), None);
        let keep = Duration::from_secs(900);
        let second = store.rotate(at("2026-11-26T11:00:00Z"), keep).unwrap();

        let all = store.load(&HashMap::new()).unwrap().keys;
        let ring = Keyring::in_force(all.clone(), at("2026-11-26T11:14:59Z"), keep);
        assert_eq!(ring.signing_key().unwrap().kid, second);
        assert!(ring.get(&first).is_some());
        assert_eq!(ring.jwks().keys.len(), 2);

        let ring = Keyring::in_force(all, at("2026-11-26T11:15:00Z"), keep);
        assert!(ring.get(&first).is_none());
        assert_eq!(ring.keys().len(), 1);

        // The next rotation deletes the retired key's file.
        store.rotate(at("2026-11-26T12:00:00Z"), keep).unwrap();
        let kids: Vec<String> = store
            .load(&HashMap::new())
            .unwrap()
            .keys
            .iter()
            .map(|k| k.kid.clone())
            .collect();
        assert!(!kids.contains(&first));
        assert!(kids.contains(&second));
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let kid = store.generate(Utc::now()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.dir().join(format!("{kid}.pem"))), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
    }

    #[test]
    fn files_that_are_not_keys_are_reported_or_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        create_private_dir(store.dir()).unwrap();
        let bad = format!("{}.pem", ulid::Ulid::new());
        fs::write(store.dir().join(&bad), "garbage").unwrap();
        fs::write(store.dir().join("notes.txt"), "hello").unwrap();
        let loaded = store.load(&HashMap::new()).unwrap();
        assert!(loaded.keys.is_empty());
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].contains(&bad), "{:?}", loaded.problems);
    }
}
