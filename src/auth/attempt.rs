//! One client authentication at the token endpoint, counted against the failure limits of its
//! source address and its client id before the secret is checked (see [`super::throttle`]).

use std::time::Duration;

use super::state::AuthState;
use super::throttle::Admission;

/// Why an attempt may not go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures for the address or the client: try again after this long.
    Throttled(Duration),
    /// The limits' budget stayed taken by attempts in flight for longer than a check may wait.
    Busy(Duration),
}

/// An admitted attempt. Settle it with [`ClientAttempt::succeeded`], [`ClientAttempt::failed`]
/// or [`ClientAttempt::not_checked`]; one dropped unsettled (the client went away while its
/// secret was being checked) counts as failed, so hanging up cannot buy more guesses.
pub struct ClientAttempt {
    state: AuthState,
    address: String,
    client: Option<String>,
    settled: bool,
}

impl ClientAttempt {
    /// The secret was right: the attempt gives its place back.
    pub fn succeeded(mut self) {
        self.settle(false);
    }

    /// The secret was wrong (or the client unknown): the failure counts for the window.
    pub fn failed(mut self) {
        self.settle(true);
    }

    /// The secret was never checked (the server was busy, or failed): nothing is counted.
    pub fn not_checked(mut self) {
        self.settle(false);
    }

    fn settle(&mut self, failed: bool) {
        if self.settled {
            return;
        }
        self.settled = true;
        self.state
            .failures_by_address()
            .settle(&self.address, failed);
        if let Some(client) = &self.client {
            self.state.failures_by_client().settle(client, failed);
        }
        self.state.attempt_settled().notify_waiters();
    }
}

impl Drop for ClientAttempt {
    fn drop(&mut self) {
        self.settle(true);
    }
}

impl AuthState {
    /// Admits an attempt from `address` for `client` (counted per client only for well-formed
    /// ids, so made-up ids cannot fill the limiter's memory), waiting while the budget is taken
    /// by attempts in flight, at most as long as a secret check may wait for its turn.
    pub async fn begin_client_attempt(
        &self,
        address: &str,
        client: Option<&str>,
    ) -> Result<ClientAttempt, Refused> {
        let patience = self.verifier().wait();
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            // Listen before trying, so a place given back in between is not missed.
            let settled = self.attempt_settled().notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            match self.try_admit(address, client) {
                Ok(attempt) => return Ok(attempt),
                Err(Some(refused)) => return Err(refused),
                Err(None) => {}
            }
            if tokio::time::timeout_at(deadline, settled).await.is_err() {
                return Err(Refused::Busy(patience.max(Duration::from_secs(1))));
            }
        }
    }

    /// Both limits admit the attempt, or neither counts it: `Err(None)` when one is full.
    fn try_admit(
        &self,
        address: &str,
        client: Option<&str>,
    ) -> Result<ClientAttempt, Option<Refused>> {
        let by_address = self.failures_by_address();
        let first = by_address.admit(address);
        if first != Admission::Admitted {
            return Err(refusal(first));
        }
        if let Some(client) = client {
            let second = self.failures_by_client().admit(client);
            if second != Admission::Admitted {
                by_address.settle(address, false);
                self.attempt_settled().notify_waiters();
                return Err(refusal(second));
            }
        }
        Ok(ClientAttempt {
            state: self.clone(),
            address: address.to_owned(),
            client: client.map(str::to_owned),
            settled: false,
        })
    }
}

fn refusal(admission: Admission) -> Option<Refused> {
    match admission {
        Admission::Throttled(wait) => Some(Refused::Throttled(wait)),
        Admission::Admitted | Admission::Full => None,
    }
}
