//! Checking a secret against its stored argon2 hash, a bounded number at a time.
//!
//! Each check fills 19 MiB and keeps a core busy for tens of milliseconds, and anyone can ask for
//! one (a sign-in, a token request). A server runs at most `auth.argon2_concurrency` checks at
//! once (one per CPU core by default); a check that cannot start within `auth.argon2_wait_seconds`
//! is refused with [`Busy`], which the caller answers `429` with `Retry-After`. So a flood of
//! guesses costs a bounded amount of memory and leaves the other cores to everyone else.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::password::verify_blocking;

/// Too many secret checks are running or waiting; try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking other passwords and secrets; try again in {} seconds", .retry_after.as_secs())]
pub struct Busy {
    pub retry_after: Duration,
}

impl From<Busy> for crate::error::ServiceError {
    fn from(busy: Busy) -> Self {
        Self::TooManyRequests {
            message: busy.to_string(),
            retry_after_secs: busy.retry_after.as_secs(),
        }
    }
}

/// The check slots of one server; cheap to clone.
#[derive(Debug, Clone)]
pub struct Verifier {
    slots: Arc<Semaphore>,
    wait: Duration,
}

/// The right to run one check, taken before the check's other work (a throttle's bookkeeping),
/// so that a busy server refuses before anything is counted.
#[derive(Debug)]
pub struct Slot(OwnedSemaphorePermit);

impl Verifier {
    /// `concurrency` checks at once (0: one per CPU core), each waiting at most `wait` for its turn.
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        let concurrency = match concurrency {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        };
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            wait,
        }
    }

    /// How long a check may wait for its turn.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Waits for a free slot, at most the configured time.
    pub async fn slot(&self) -> Result<Slot, Busy> {
        let busy = Busy {
            retry_after: self.wait.max(Duration::from_secs(1)),
        };
        let acquire = Arc::clone(&self.slots).acquire_owned();
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(Slot(permit)),
            // A closed semaphore (never closed here) or the wait ran out.
            Ok(Err(_)) | Err(_) => Err(busy),
        }
    }

    /// Whether `secret` matches the stored PHC hash, once a slot is free.
    pub async fn verify(&self, secret: String, phc: String) -> Result<bool, Busy> {
        Ok(self.slot().await?.verify(secret, phc).await)
    }
}

impl Slot {
    /// Runs the check off the async runtime. The slot is held by the check itself, so a caller
    /// that goes away (a client closing its connection) does not free it while argon2 still runs.
    pub async fn verify(self, secret: String, phc: String) -> bool {
        let permit = self.0;
        tokio::task::spawn_blocking(move || {
            let ok = verify_blocking(&secret, &phc);
            drop(permit);
            ok
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_check_that_cannot_start_in_time_is_refused_as_busy() {
        let verifier = Verifier::new(1, Duration::from_millis(50));
        let held = verifier.slot().await.unwrap();
        let refused = verifier.slot().await.unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        drop(held);
        assert!(verifier.slot().await.is_ok(), "free again");
    }

    #[tokio::test]
    async fn checks_verify_against_stored_hashes() {
        let stored = crate::auth::password::hash_blocking("s3cret").unwrap();
        let verifier = Verifier::new(0, Duration::from_secs(5));
        assert_eq!(
            verifier.verify("s3cret".into(), stored.clone()).await,
            Ok(true)
        );
        assert_eq!(verifier.verify("guess".into(), stored).await, Ok(false));
    }
}
