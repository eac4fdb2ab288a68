//! Webhook deliveries (Standard Webhooks): read from the event outbox, kept in the database,
//! retried with backoff, each endpoint served by its own task so that a slow or dead endpoint
//! never delays another's deliveries, nor any API request.
//!
//! Two kinds of task share the work:
//! - the supervisor queues a delivery for every new event an enabled endpoint wants (moving the
//!   endpoint's cursor in the same write job) and starts or stops the endpoint tasks;
//! - each endpoint task sends its due deliveries, a bounded number at a time, and records each
//!   attempt before it looks at that delivery again (the writer commits concurrent records
//!   together, so this costs one commit per batch, not per attempt).
//!
//! Everything a delivery needs is in the database, so a restart or `kill -9` only delays it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::in_flight::InFlight;
use super::signature::{signature, signing_key};

use crate::db::webhooks::{self as sql, Outcome, Target};
use crate::db::{Db, DbError, events};
use crate::domain::clock::Clock;
use crate::domain::date::format_timestamp;
use crate::domain::event::Event;
use crate::domain::webhook::DeliveryStatus;

/// How deliveries are made: `[webhooks]` in the settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// How long an endpoint has to answer.
    pub timeout: Duration,
    /// Seconds to wait before each retry; after the last, the delivery has failed.
    pub retry_seconds: Vec<u64>,
    /// Attempts in flight per endpoint.
    pub concurrency: usize,
}

/// How often the tasks look for work.
const TICK: Duration = Duration::from_millis(100);
/// Due deliveries an endpoint's task reads at once.
const READ_BATCH: usize = 256;
/// Events read per endpoint per fan-out round.
const FAN_OUT_BATCH: usize = 1000;
/// Longest error text kept for an attempt.
const MAX_ERROR_LEN: usize = 300;

/// Starts the delivery tasks; abort the handle to stop them (attempts in flight are retried
/// after the next start).
pub fn spawn(
    db: Db,
    clock: Clock,
    settings: DeliverySettings,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("edgebss/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| anyhow::anyhow!("failed to set up the webhook HTTP client: {e}"))?;
    Ok(tokio::spawn(async move {
        let mut supervisor = Supervisor {
            db,
            clock,
            settings: Arc::new(settings),
            client,
            workers: HashMap::new(),
        };
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = supervisor.round().await {
                tracing::warn!(error = %e, "webhook deliveries: a round failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }))
}

struct Worker {
    target: Target,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Supervisor {
    db: Db,
    clock: Clock,
    settings: Arc<DeliverySettings>,
    client: reqwest::Client,
    workers: HashMap<i64, Worker>,
}

impl Supervisor {
    async fn round(&mut self) -> Result<(), DbError> {
        let (targets, last) = self
            .db
            .read(|conn| Ok::<_, DbError>((sql::targets(conn)?, events::last_sequence(conn)?)))
            .await?;
        let behind: Vec<Target> = targets
            .iter()
            .filter(|t| t.cursor < last)
            .cloned()
            .collect();
        if !behind.is_empty() {
            let now = self.clock.timestamp();
            self.db
                .write(move |conn| -> Result<(), DbError> {
                    for t in &behind {
                        fan_out(conn, t, &now)?;
                    }
                    Ok(())
                })
                .await?;
        }
        // One task per enabled endpoint, restarted when its URL or secret changes (a task stops
        // by itself when it sees such a change first).
        let live: HashSet<i64> = targets.iter().map(|t| t.seq).collect();
        self.workers.retain(|seq, _| live.contains(seq));
        for t in targets {
            let same = self.workers.get(&t.seq).is_some_and(|w| {
                !w.task.is_finished() && w.target.url == t.url && w.target.secret == t.secret
            });
            if !same {
                let task = tokio::spawn(serve_endpoint(
                    self.db.clone(),
                    self.clock.clone(),
                    Arc::clone(&self.settings),
                    self.client.clone(),
                    t.clone(),
                ));
                self.workers.insert(t.seq, Worker { target: t, task });
            }
        }
        Ok(())
    }
}

/// Queues deliveries of the events after `t`'s cursor that it wants, and moves the cursor.
fn fan_out(conn: &rusqlite::Connection, t: &Target, now: &str) -> rusqlite::Result<()> {
    let wanted: Option<Vec<String>> = t
        .event_types
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok());
    let batch = events::list(conn, t.cursor, None, FAN_OUT_BATCH)?;
    let Some(last) = batch.last().map(|e| e.sequence) else {
        return Ok(());
    };
    for e in &batch {
        if wanted
            .as_ref()
            .is_none_or(|w| w.iter().any(|n| n == e.event_type.as_str()))
        {
            sql::queue(conn, t.seq, e.sequence, &e.event_id, e.event_type, now)?;
        }
    }
    sql::set_cursor(conn, t.seq, last)
}

/// Sends `target`'s due deliveries, at most `concurrency` at a time, for as long as it runs.
async fn serve_endpoint(
    db: Db,
    clock: Clock,
    settings: Arc<DeliverySettings>,
    client: reqwest::Client,
    target: Target,
) {
    let key = match signing_key(&target.secret) {
        Some(k) => Arc::new(k),
        None => {
            tracing::error!(
                endpoint = target.seq,
                "webhook endpoint has an unusable secret"
            );
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let in_flight = Arc::new(InFlight::default());
    // The attempts belong to this task: when it is stopped (its endpoint's secret or URL
    // changed), they stop with it and the next task makes them again.
    let mut attempts = JoinSet::new();
    loop {
        while attempts.try_join_next().is_some() {}
        // Look for work only with a slot free to do it; while busy, go on without pausing.
        let Ok(first) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let now = clock.timestamp();
        let (seq, limit) = (target.seq, READ_BATCH + in_flight.len());
        let current = (target.url.clone(), target.secret.clone());
        let mark = in_flight.before_read();
        let due = db
            .read(move |conn| read_due(conn, seq, &current, &now, limit))
            .await;
        let due: Vec<_> = match due {
            Ok(None) => return,
            Ok(Some(due)) => in_flight.sendable(mark, due, |(d, _)| d.delivery),
            Err(e) => {
                tracing::warn!(error = %e, "webhook deliveries: reading due ones failed");
                Vec::new()
            }
        };
        if due.is_empty() {
            drop(first);
            tokio::time::sleep(TICK).await;
            continue;
        }
        let mut permit = Some(first);
        for (d, event) in due {
            let permit = match permit.take() {
                Some(p) => p,
                None => match Arc::clone(&slots).acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            in_flight.start(d.delivery);
            let job = Attempt {
                client: client.clone(),
                url: target.url.clone(),
                key: Arc::clone(&key),
                clock: clock.clone(),
                settings: Arc::clone(&settings),
                due: d,
                event,
            };
            let (db, in_flight) = (db.clone(), Arc::clone(&in_flight));
            attempts.spawn(async move {
                let delivery = job.due.delivery;
                let outcome = job.run().await;
                // Until this is written the delivery stays in flight, so it is not sent again;
                // if it cannot be written, it is sent again later.
                if let Err(e) = db
                    .write(move |conn| sql::record(conn, &outcome).map_err(DbError::from))
                    .await
                {
                    tracing::warn!(error = %e, "webhook deliveries: recording an attempt failed");
                }
                in_flight.settle(delivery);
                drop(permit);
            });
        }
    }
}

/// Due deliveries with their events (`None` once an event is no longer kept).
type DueBatch = Vec<(sql::Due, Option<Event>)>;

/// Up to `limit` of endpoint `seq`'s due deliveries, or `None` once its target is no longer
/// `current`. Read in the same snapshot as the due deliveries: once the secret is rotated (or
/// the URL changed, or the endpoint disabled), the task stops and the supervisor starts one with
/// the new target, so nothing due after the change is signed with the old secret.
fn read_due(
    conn: &rusqlite::Connection,
    seq: i64,
    current: &(String, String),
    now: &str,
    limit: usize,
) -> Result<Option<DueBatch>, DbError> {
    if sql::current_target(conn, seq)?.as_ref() != Some(current) {
        return Ok(None);
    }
    let due = sql::due(conn, seq, now, limit)?;
    let mut out = Vec::with_capacity(due.len());
    for d in due {
        let event = events::get(conn, d.event_sequence)?;
        out.push((d, event));
    }
    Ok(Some(out))
}

struct Attempt {
    client: reqwest::Client,
    url: String,
    key: Arc<Vec<u8>>,
    clock: Clock,
    settings: Arc<DeliverySettings>,
    due: sql::Due,
    event: Option<Event>,
}

impl Attempt {
    async fn run(self) -> Outcome {
        let attempt = self.due.attempts + 1;
        let started_at = self.clock.now();
        let started = Instant::now();
        let result = match &self.event {
            // The signed timestamp is the real time, whatever a demo clock says: receivers
            // check it against their own clock to refuse replays.
            Some(event) => {
                let wall = Clock::system(chrono_tz::UTC).now().timestamp();
                self.send(event, wall).await
            }
            None => Err("the event is no longer kept (older than events.retention_days)".into()),
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (http_status, error, delivered) = match result {
            Ok(status) if (200..300).contains(&status) => (Some(status), None, true),
            Ok(status) => (Some(status), None, false),
            Err(e) => (None, Some(e), false),
        };
        let retries = &self.settings.retry_seconds;
        let gone = self.event.is_none();
        let (status, next_attempt_at) = if delivered {
            (DeliveryStatus::Delivered, None)
        } else {
            match retries.get(self.due.attempts as usize) {
                Some(wait) if !gone => {
                    let wait =
                        chrono::Duration::seconds(i64::try_from(*wait).unwrap_or(i64::MAX / 1000));
                    (
                        DeliveryStatus::Pending,
                        Some(format_timestamp(self.clock.now() + wait)),
                    )
                }
                _ => (DeliveryStatus::Failed, None),
            }
        };
        Outcome {
            delivery: self.due.delivery,
            attempt,
            at: format_timestamp(started_at),
            http_status,
            error,
            duration_ms,
            status,
            next_attempt_at,
        }
    }

    /// One POST; the HTTP status, or why there was none.
    async fn send(&self, event: &Event, timestamp: i64) -> Result<u16, String> {
        let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
        let signature = signature(&self.key, &event.event_id, timestamp, &body);
        let res = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("webhook-id", &event.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(describe)?;
        Ok(res.status().as_u16())
    }
}

/// A short reason for a failed request, without the URL (it is in the endpoint already).
fn describe(e: reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    };
    what.chars().take(MAX_ERROR_LEN).collect()
}
