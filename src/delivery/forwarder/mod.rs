//! The forwarder: publishes this site's event outbox, in `sequence` order, to the NATS JetStream
//! subject `bss.<SITE>.ev`, from its own task, so that API requests and the bill run never wait
//! for the broker.
//!
//! Exactly once, whatever fails:
//! - every message carries `Nats-Msg-Id: <SITE>:<sequence>` and
//!   `Nats-Expected-Last-Subject-Sequence` (the broker's sequence of the site's previous
//!   message), so the broker appends an event at most once even after its duplicate window;
//!   this is also why messages go one at a time: the next one names the previous one's place;
//! - an event is marked sent only after the broker's acknowledgement;
//! - after a start, a reconnection or a refused publish, the forwarder re-synchronises: it reads
//!   the last message on its subject and goes on after it. That covers a crash between an
//!   acknowledgement and its mark (the event is not sent twice) and a broker that lost messages
//!   it had acknowledged (it writes to disk lazily): they are sent again;
//! - events stay in the outbox until head office reports them applied (its watermark), not
//!   merely until the broker acknowledged them, so they can be sent again.

mod publish;
mod resync;

use std::time::Duration;

use crate::broker::BrokerLink;
use crate::db::{Db, DbError};
use crate::domain::clock::Clock;
use crate::domain::site::SiteId;

/// What the forwarder needs: `[sync]` in the settings.
#[derive(Debug, Clone)]
pub struct ForwarderSettings {
    pub site: SiteId,
    pub link: BrokerLink,
    pub stream: String,
    pub applied_bucket: String,
}

/// Why a round stopped short.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("not connected to the NATS server")]
    NotConnected,
    #[error("{0}")]
    Broker(String),
    #[error(
        "the broker holds events of this site up to {broker}, but the outbox ends at {local}: this \
         database is older than what was already forwarded (restored from a backup?). Forwarding \
         is stopped, so that head office never receives two different events under one number"
    )]
    BrokerAhead { broker: i64, local: i64 },
    #[error("database: {0}")]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ForwardError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::from(e))
    }
}

/// How long to wait before the next attempt, doubling from 200 ms up to 10 s.
#[derive(Debug)]
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(10);

    fn new() -> Self {
        Self(Self::FIRST)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(Self::MAX);
        wait
    }

    fn reset(&mut self) {
        self.0 = Self::FIRST;
    }
}

/// How often an idle forwarder looks for new events.
const TICK: Duration = Duration::from_millis(50);

/// Starts the forwarder; abort the handle to stop it (what was acknowledged but not marked is
/// found again by the next start's re-synchronisation).
pub fn spawn(db: Db, clock: Clock, settings: ForwarderSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut forwarder = publish::Forwarder::new(db, clock, settings);
        let mut backoff = Backoff::new();
        let mut last_error = String::new();
        loop {
            match forwarder.round().await {
                Ok(publish::Progress::Sent) => {
                    backoff.reset();
                    last_error.clear();
                }
                Ok(publish::Progress::Idle) => tokio::time::sleep(TICK).await,
                Err(e) => {
                    let text = e.to_string();
                    if text != last_error {
                        // Losing the broker is logged where it happens (the connection's events).
                        if matches!(e, ForwardError::NotConnected) {
                            tracing::info!(error = %text, "forwarder: waiting for the NATS server");
                        } else {
                            tracing::warn!(error = %text, "forwarder: events are not being forwarded; retrying");
                        }
                        forwarder.record_error(&text).await;
                        last_error = text;
                    }
                    let wait = match e {
                        ForwardError::BrokerAhead { .. } => Duration::from_secs(60),
                        _ => backoff.next(),
                    };
                    tokio::time::sleep(wait).await;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_its_ceiling_and_starts_over_after_a_success() {
        let mut b = Backoff::new();
        let waits: Vec<u64> = (0..8).map(|_| b.next().as_millis() as u64).collect();
        assert_eq!(waits, [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
        b.reset();
        assert_eq!(b.next(), Duration::from_millis(200));
    }
}
