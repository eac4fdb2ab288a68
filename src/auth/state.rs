//! What the server keeps in memory to check a token without touching the database: the keys in
//! force and the ids of the clients whose tokens are honoured.
//!
//! A background task refreshes both every second, from the keys folder and the `api_clients`
//! table, so a key rotated or a client revoked by another process (`edgebss keys rotate`,
//! `edgebss client revoke`) takes effect within about a second. Changes made in this process
//! through [`crate::service::clients`] apply at once, and so does a client created elsewhere once
//! the token endpoint has issued it a token ([`AuthState::confirm_enabled`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;

use super::cache::VerifiedTokens;
use super::keys::{Key, KeyStore, Keyring};
use super::settings::AuthSettings;
use super::throttle::FailureLimiter;
use super::tokens::{IssuedToken, TokenError, TokenRules, VerifiedToken};
use super::verifier::Verifier;
use crate::db::{Db, DbError};
use crate::domain::clock::Clock;
use crate::domain::scope::ScopeSet;

/// How often the refresher looks at the keys folder and the clients table.
pub const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// Shared by every worker; cheap to clone.
#[derive(Clone)]
pub struct AuthState {
    inner: Arc<Inner>,
}

struct Inner {
    rules: TokenRules,
    store: KeyStore,
    clock: Clock,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Bumped by every in-process client change, so a refresh that read the table before the
    /// change cannot undo it.
    client_changes: AtomicU64,
    /// Failed client authentications, per client id and per source address.
    failures_by_client: FailureLimiter,
    failures_by_address: FailureLimiter,
    /// Woken whenever a client authentication attempt is settled (see [`super::attempt`]).
    attempt_settled: tokio::sync::Notify,
    /// Bounds the argon2 checks of passwords and client secrets.
    verifier: Verifier,
    verified: VerifiedTokens,
    /// Key files that could not be used, so each is reported once rather than every second.
    reported_problems: std::sync::Mutex<Vec<String>>,
}

#[derive(Default)]
struct Snapshot {
    keys: Arc<Keyring>,
    all_keys: HashMap<String, Arc<Key>>,
    clients: Arc<HashSet<String>>,
}

impl AuthState {
    /// Loads the keys (making the first one on a new data folder) and the enabled clients.
    pub async fn load(
        settings: &AuthSettings,
        data_dir: &std::path::Path,
        db: &Db,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let store = KeyStore::new(data_dir);
        let window = Duration::from_secs(settings.failure_window_seconds);
        let state = Self {
            inner: Arc::new(Inner {
                rules: TokenRules::new(settings),
                store,
                clock,
                snapshot: RwLock::new(Arc::new(Snapshot::default())),
                client_changes: AtomicU64::new(0),
                failures_by_client: FailureLimiter::new(settings.max_failed_attempts, window),
                failures_by_address: FailureLimiter::new(settings.max_failed_attempts, window),
                attempt_settled: tokio::sync::Notify::new(),
                verifier: Verifier::new(
                    usize::try_from(settings.argon2_concurrency).unwrap_or(1),
                    Duration::from_secs(settings.argon2_wait_seconds),
                ),
                verified: VerifiedTokens::default(),
                reported_problems: std::sync::Mutex::new(Vec::new()),
            }),
        };
        let (store, now) = (state.inner.store.clone(), state.inner.clock.now());
        if let Some(kid) = tokio::task::spawn_blocking(move || store.ensure_key(now))
            .await
            .context("key set-up was interrupted")??
        {
            tracing::info!(kid, "created the first token signing key");
        }
        state.refresh(db).await?;
        Ok(state)
    }

    /// Starts the task that refreshes keys and clients every second until aborted.
    pub fn spawn_refresher(&self, db: Db) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = state.refresh(&db).await {
                    tracing::warn!(
                        error = format!("{e:#}"),
                        "auth refresh failed; keeping the last state"
                    );
                }
            }
        })
    }

    /// Re-reads the keys folder and the enabled clients.
    pub async fn refresh(&self, db: &Db) -> anyhow::Result<()> {
        let changes_before = self.inner.client_changes.load(Ordering::SeqCst);
        let known = self.snapshot().all_keys.clone();
        let store = self.inner.store.clone();
        let loaded = tokio::task::spawn_blocking(move || store.load(&known))
            .await
            .context("reading the keys folder was interrupted")??;
        self.report_problems(loaded.problems);
        let clients: Vec<String> = db
            .read(|conn| crate::db::clients::enabled_ids(conn).map_err(DbError::from))
            .await
            .context("failed to read the enabled API clients")?;

        let now = self.inner.clock.now();
        let all_keys: HashMap<String, Arc<Key>> = loaded
            .keys
            .iter()
            .map(|k| (k.kid.clone(), Arc::clone(k)))
            .collect();
        let keys = Keyring::in_force(loaded.keys, now, self.inner.rules.key_overlap());
        let mut guard = self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner());
        // A client created or revoked in this process meanwhile wins over what was read.
        let clients = if self.inner.client_changes.load(Ordering::SeqCst) == changes_before {
            Arc::new(clients.into_iter().collect())
        } else {
            Arc::clone(&guard.clients)
        };
        *guard = Arc::new(Snapshot {
            keys: Arc::new(keys),
            all_keys,
            clients,
        });
        Ok(())
    }

    fn report_problems(&self, problems: Vec<String>) {
        let mut reported = self
            .inner
            .reported_problems
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for p in &problems {
            if !reported.contains(p) {
                tracing::warn!(problem = %p, "ignoring an unusable file in the keys folder");
            }
        }
        *reported = problems;
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(
            &self
                .inner
                .snapshot
                .read()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// Applies an in-process change to the honoured clients at once.
    pub fn set_client_enabled(&self, client_id: &str, enabled: bool) {
        let mut guard = self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner());
        self.inner.client_changes.fetch_add(1, Ordering::SeqCst);
        let mut clients = (*guard.clients).clone();
        if enabled {
            clients.insert(client_id.to_owned());
        } else {
            clients.remove(client_id);
        }
        *guard = Arc::new(Snapshot {
            keys: Arc::clone(&guard.keys),
            all_keys: guard.all_keys.clone(),
            clients: Arc::new(clients),
        });
    }

    /// Honours at once a client the database has just shown enabled (the token endpoint checked
    /// its secret against the stored row), so the first token of a client created by another
    /// process (`edgebss client create`) works before the next refresh has read the table. A
    /// revoked client never gets here: its row says so.
    pub fn confirm_enabled(&self, client_id: &str) {
        if !self.snapshot().clients.contains(client_id) {
            self.set_client_enabled(client_id, true);
        }
    }

    /// Signs a token for an authenticated client with the newest key.
    pub fn issue(&self, client_id: &str, scope: ScopeSet) -> anyhow::Result<IssuedToken> {
        let snapshot = self.snapshot();
        let key = snapshot
            .keys
            .signing_key()
            .context("no token signing key is available")?;
        self.inner
            .rules
            .issue(key, client_id, scope, self.inner.clock.now())
    }

    /// Checks a bearer token: signature, claims, and that its client is still honoured. No
    /// database access; a token seen before skips the signature check (see [`VerifiedTokens`]).
    pub fn verify(&self, token: &str) -> Result<Arc<VerifiedToken>, TokenError> {
        let snapshot = self.snapshot();
        let rules = &self.inner.rules;
        let now = self.inner.clock.now();
        let verified = match self.inner.verified.get(token) {
            Some(known) if snapshot.keys.get(&known.kid).is_some() => known,
            _ => {
                let fresh = Arc::new(rules.decode(token, &snapshot.keys)?);
                let leeway = i64::try_from(rules.leeway().as_secs()).unwrap_or(i64::MAX);
                let expired_before = now.timestamp().saturating_sub(leeway);
                self.inner
                    .verified
                    .insert(token, Arc::clone(&fresh), expired_before);
                fresh
            }
        };
        rules.check_times(&verified, now)?;
        if !snapshot.clients.contains(&verified.client_id) {
            return Err(TokenError::Revoked);
        }
        Ok(verified)
    }

    /// The public keys in force, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        self.snapshot().keys.jwks()
    }

    pub fn rules(&self) -> &TokenRules {
        &self.inner.rules
    }

    pub fn key_store(&self) -> &KeyStore {
        &self.inner.store
    }

    pub fn failures_by_client(&self) -> &FailureLimiter {
        &self.inner.failures_by_client
    }

    pub fn failures_by_address(&self) -> &FailureLimiter {
        &self.inner.failures_by_address
    }

    pub(super) fn attempt_settled(&self) -> &tokio::sync::Notify {
        &self.inner.attempt_settled
    }

    /// The server's slots for checking passwords and client secrets.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }
}
