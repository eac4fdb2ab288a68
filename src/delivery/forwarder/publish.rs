//! One round of the forwarder: publish the events after the last one sent, one at a time, each
//! naming the broker's sequence of the one before; mark what was acknowledged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::connection::State;
use async_nats::jetstream::Context;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::publish::PublishAck;

use super::{ForwardError, ForwarderSettings, resync};
use crate::broker::{Connections, protocol};
use crate::db::{Db, DbError, events, sync};
use crate::domain::clock::Clock;
use crate::domain::event::Event;

/// Events read from the outbox per round; their marks are written in one job.
const BATCH: usize = 500;
/// How often head office's watermark is read while the forwarder runs.
const WATERMARK_EVERY: Duration = Duration::from_secs(2);

pub(super) enum Progress {
    Sent,
    Idle,
}

struct Link {
    client: async_nats::Client,
    connections: Arc<Connections>,
    js: Context,
}

pub(super) struct Forwarder {
    db: Db,
    clock: Clock,
    settings: ForwarderSettings,
    subject: String,
    link: Option<Link>,
    /// The connection count at the last re-synchronisation (`None`: none yet, or it must be
    /// done again).
    synced_at: Option<u64>,
    watermark_read: Option<Instant>,
}

impl Forwarder {
    pub(super) fn new(db: Db, clock: Clock, settings: ForwarderSettings) -> Self {
        Self {
            subject: protocol::subject(&settings.site),
            db,
            clock,
            settings,
            link: None,
            synced_at: None,
            watermark_read: None,
        }
    }

    async fn link(&mut self) -> Result<(async_nats::Client, u64, Context), ForwardError> {
        if self.link.is_none() {
            let (client, connections) = self
                .settings
                .link
                .connect(true)
                .await
                .map_err(|e| ForwardError::Broker(format!("{e:#}")))?;
            let js = self.settings.link.jetstream(client.clone());
            self.link = Some(Link {
                client,
                connections,
                js,
            });
        }
        let link = self.link.as_ref().ok_or(ForwardError::NotConnected)?;
        Ok((
            link.client.clone(),
            link.connections.count(),
            link.js.clone(),
        ))
    }

    pub(super) async fn round(&mut self) -> Result<Progress, ForwardError> {
        let (client, connections, js) = self.link().await?;
        if client.connection_state() != State::Connected {
            return Err(ForwardError::NotConnected);
        }
        // A new connection may be to a broker that restarted and lost what it had acknowledged.
        if self.synced_at != Some(connections) {
            resync::resync(&self.db, &self.clock, &js, &self.settings).await?;
            self.synced_at = Some(connections);
            self.watermark_read = Some(Instant::now());
        }
        if self
            .watermark_read
            .is_none_or(|at| at.elapsed() >= WATERMARK_EVERY)
        {
            self.watermark_read = Some(Instant::now());
            self.refresh_watermark(&js).await;
        }
        let (state, batch) = self
            .db
            .read(|conn| {
                let state = sync::state(conn)?;
                let batch = match &state {
                    Some(s) => events::list(conn, s.sent_sequence, None, BATCH)?,
                    None => Vec::new(),
                };
                Ok::<_, DbError>((state, batch))
            })
            .await?;
        let Some(state) = state else {
            return Err(ForwardError::Broker(
                "this database has no site; set sync.site_id".to_owned(),
            ));
        };
        if batch.is_empty() {
            return Ok(Progress::Idle);
        }
        let (mut sent, mut subject_sequence) = (state.sent_sequence, state.subject_sequence);
        let mut failure = None;
        for event in &batch {
            match self
                .publish(&js, event, state.first_sequence, subject_sequence)
                .await
            {
                Ok(ack) => {
                    sent = event.sequence;
                    subject_sequence = ack.sequence;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if sent != state.sent_sequence {
            let now = self.clock.timestamp();
            self.db
                .write(move |conn| {
                    sync::mark_sent(conn, sent, subject_sequence, &now).map_err(DbError::from)
                })
                .await?;
        }
        match failure {
            None => Ok(Progress::Sent),
            Some(e) => Err(e),
        }
    }

    async fn publish(
        &mut self,
        js: &Context,
        event: &Event,
        first_sequence: i64,
        expected: u64,
    ) -> Result<PublishAck, ForwardError> {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            protocol::MSG_ID,
            protocol::msg_id(&self.settings.site, event.sequence),
        );
        headers.insert(
            protocol::EXPECTED_LAST_SUBJECT_SEQUENCE,
            expected.to_string(),
        );
        headers.insert(protocol::FIRST_SEQUENCE, first_sequence.to_string());
        let payload = serde_json::to_vec(event)
            .map_err(|e| ForwardError::Broker(format!("event {}: {e}", event.sequence)))?;
        let ack = match js
            .publish_with_headers(self.subject.clone(), headers, payload.into())
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        ack.map_err(|e| {
            if e.kind() == PublishErrorKind::WrongLastSequence {
                // Someone else's view of the subject, or a broker that lost messages: start over
                // from the broker's.
                self.synced_at = None;
                ForwardError::Broker(format!(
                    "the broker's last message on {} is not the one this edge recorded; \
                     re-synchronising",
                    self.subject
                ))
            } else {
                ForwardError::Broker(format!(
                    "publishing event {} on {} failed: {e}",
                    event.sequence, self.subject
                ))
            }
        })
    }

    /// Reads head office's watermark and stores it, so events it has applied may be pruned.
    async fn refresh_watermark(&self, js: &Context) {
        match resync::read_applied(js, &self.settings).await {
            Ok(Some(applied)) => {
                let now = self.clock.timestamp();
                if let Err(e) = self
                    .db
                    .write(move |conn| {
                        sync::set_applied(conn, applied, &now).map_err(DbError::from)
                    })
                    .await
                {
                    tracing::warn!(error = %e, "forwarder: storing head office's watermark failed");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "forwarder: head office's watermark is unknown"),
        }
    }

    /// Records why events are not being forwarded, for `edgebss sync status`.
    pub(super) async fn record_error(&self, text: &str) {
        let (text, now) = (text.to_owned(), self.clock.timestamp());
        if let Err(e) = self
            .db
            .write(move |conn| sync::set_error(conn, &text, &now).map_err(DbError::from))
            .await
        {
            tracing::warn!(error = %e, "forwarder: recording its state failed");
        }
    }
}
