//! `edgebss central`: head office's side. A durable pull consumer on `bss.*.ev` receives every
//! branch's events; each batch is applied in one PostgreSQL transaction with `(site, sequence)`
//! as the exactly-once key, each site strictly in sequence order (an event whose predecessor has
//! not arrived is held back), and acknowledged only after the commit. Each site's watermark is
//! reported back through the broker, so branches may prune what head office holds.
//!
//! Nothing here is on an edge's path: only `cli` starts it.

mod apply;
mod hold;
mod metrics;
pub mod postgres;
pub mod setup;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{AckKind, Message};
use futures_util::StreamExt;

use crate::broker::BrokerLink;
use crate::broker::protocol::{self, WireEvent};
use crate::domain::clock::Clock;
use crate::domain::secret::Secret;
use crate::domain::site::SiteId;
use hold::Pending;
use metrics::{CentralMetrics, site};

/// What `edgebss central` runs with (`[central]` in the settings).
#[derive(Debug, Clone)]
pub struct CentralOptions {
    pub link: BrokerLink,
    pub postgres_url: Secret,
    pub stream: String,
    pub applied_bucket: String,
    pub consumer: String,
    pub duplicate_window: Duration,
    /// Zero: messages are kept until removed by hand.
    pub max_age: Duration,
    pub batch: usize,
    pub ack_wait: Duration,
    pub metrics_bind: Option<SocketAddr>,
}

/// Longest a fetch waits for a full batch.
const FETCH_WAIT: Duration = Duration::from_millis(250);
/// How often changed watermarks are reported to the branches.
const REPORT_EVERY: Duration = Duration::from_secs(1);
/// When an event held back is handed back, the broker delivers it again after this long.
const REDELIVER_AFTER: Duration = Duration::from_secs(1);

struct Postgres {
    client: tokio_postgres::Client,
    statements: apply::Statements,
}

struct Central {
    opts: CentralOptions,
    metrics: Arc<CentralMetrics>,
    clock: Clock,
    js: Option<async_nats::jetstream::Context>,
    broker: Option<setup::Broker>,
    pg: Option<Postgres>,
    pending: Pending<WireEvent, Message>,
    /// Watermarks not yet reported, and when they last were.
    unreported: HashMap<SiteId, i64>,
    reported_at: Instant,
}

/// Runs until `stop` completes. Failures of the broker or of PostgreSQL are retried with backoff;
/// only a configuration that cannot work ends it with an error.
pub async fn run(
    opts: CentralOptions,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let metrics = Arc::new(CentralMetrics::new());
    if let Some(bind) = opts.metrics_bind {
        let port = metrics::serve(bind, Arc::clone(&metrics))?;
        tracing::info!(address = %SocketAddr::new(bind.ip(), port), "central: /metrics served");
    }
    let mut central = Central {
        opts,
        metrics,
        clock: Clock::system(chrono_tz::UTC),
        js: None,
        broker: None,
        pg: None,
        pending: Pending::default(),
        unreported: HashMap::new(),
        reported_at: Instant::now(),
    };
    let mut backoff = Duration::from_millis(200);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => {
                // Hand back what waits, so another instance gets it without waiting for the
                // acknowledgement timeout.
                for m in central.pending.drain() {
                    let _ = m.ack_with(AckKind::Nak(None)).await;
                }
                tracing::info!("central: stopped");
                return Ok(());
            }
            result = central.round() => match result {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "central: retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

impl Central {
    async fn round(&mut self) -> anyhow::Result<()> {
        self.ensure_postgres().await?;
        self.ensure_broker().await?;
        let Some(broker) = &self.broker else {
            return Ok(());
        };
        let fetched = broker
            .consumer
            .batch()
            .max_messages(self.opts.batch)
            .expires(FETCH_WAIT)
            .messages()
            .await;
        let mut batch = match fetched {
            Ok(b) => b,
            Err(e) => {
                // The broker may have restarted without the consumer: set it up again.
                self.broker = None;
                anyhow::bail!("fetching events failed: {e}");
            }
        };
        let now = Instant::now();
        while let Some(message) = batch.next().await {
            match message {
                Ok(m) => self.receive(m, now).await,
                Err(e) => {
                    self.broker = None;
                    anyhow::bail!("receiving events failed: {e}");
                }
            }
        }
        if !self.pending.is_empty()
            && let Err(e) = self.apply_pending().await
        {
            // Whatever was not committed comes back from the broker; hand it back now.
            for m in self.pending.drain() {
                let _ = m.ack_with(AckKind::Nak(Some(REDELIVER_AFTER))).await;
            }
            self.pg = None;
            return Err(e);
        }
        let expired = self
            .pending
            .expire(setup::hold_limit(self.opts.ack_wait), Instant::now());
        if !expired.is_empty() {
            self.metrics.handed_back.inc_by(expired.len() as u64);
            for m in expired {
                let _ = m.ack_with(AckKind::Nak(Some(REDELIVER_AFTER))).await;
            }
        }
        for (s, n) in self.pending.held() {
            self.metrics
                .held
                .get_or_create(&site(s.as_str()))
                .set(n as i64);
        }
        self.report_watermarks().await;
        Ok(())
    }

    async fn ensure_postgres(&mut self) -> anyhow::Result<()> {
        if self.pg.as_ref().is_some_and(|p| !p.client.is_closed()) {
            return Ok(());
        }
        let mut client = postgres::connect(self.opts.postgres_url.expose()).await?;
        postgres::migrate(&mut client).await?;
        let statements = apply::Statements::prepare(&client).await?;
        // After a restart (of this process or of the broker), report every watermark again:
        // the broker may have lost them.
        for row in client
            .query("SELECT site_id, applied_sequence FROM bss.sites", &[])
            .await?
        {
            if let Ok(s) = SiteId::parse("site_id", row.get::<_, &str>(0)) {
                let mark: i64 = row.get(1);
                self.metrics
                    .watermark
                    .get_or_create(&site(s.as_str()))
                    .set(mark);
                self.unreported.insert(s, mark);
            }
        }
        tracing::info!("central: connected to PostgreSQL");
        self.pg = Some(Postgres { client, statements });
        Ok(())
    }

    async fn ensure_broker(&mut self) -> anyhow::Result<()> {
        if self.broker.is_some() {
            return Ok(());
        }
        let js = match &self.js {
            Some(js) => js.clone(),
            None => {
                let (client, _) = self.opts.link.connect(true).await?;
                let js = self.opts.link.jetstream(client);
                self.js = Some(js.clone());
                js
            }
        };
        self.broker = Some(setup::ensure(&js, &self.opts).await?);
        tracing::info!(stream = %self.opts.stream, consumer = %self.opts.consumer, "central: consuming");
        Ok(())
    }

    /// Checks a delivery and queues it; what is not a site's event is refused for good.
    async fn receive(&mut self, m: Message, now: Instant) {
        let parsed = protocol::site_of(&m.subject).and_then(|s| {
            let event: WireEvent = serde_json::from_slice(&m.payload).ok()?;
            let headers = m.headers.as_ref()?;
            let id = headers.get(protocol::MSG_ID)?.as_str();
            (protocol::parse_msg_id(id)? == (s.clone(), event.sequence)).then_some(())?;
            let first = headers
                .get(protocol::FIRST_SEQUENCE)
                .and_then(|v| v.as_str().parse().ok())
                .unwrap_or(1);
            Some((s, first, event))
        });
        match parsed {
            Some((s, first, event)) => self.pending.add(s, event.sequence, first, event, m, now),
            None => {
                tracing::error!(subject = %m.subject, "central: refused a message that is not a site's event");
                self.metrics.invalid.inc();
                let _ = m.ack_with(AckKind::Term).await;
            }
        }
    }

    /// Applies what is ready, a batch per transaction, until only events held back remain.
    async fn apply_pending(&mut self) -> anyhow::Result<()> {
        let Some(pg) = &mut self.pg else {
            anyhow::bail!("not connected to PostgreSQL");
        };
        loop {
            let sites: Vec<(SiteId, i64)> = self
                .pending
                .sites()
                .into_iter()
                .map(|s| {
                    let first = self.pending.first_sequence(&s);
                    (s, first)
                })
                .collect();
            if sites.is_empty() {
                return Ok(());
            }
            let started = Instant::now();
            let tx = pg.client.transaction().await?;
            let marks = pg.statements.lock_sites(&tx, &sites).await?;
            let ready = self.pending.take_ready(&marks, self.opts.batch);
            if ready.deliveries.is_empty() {
                return Ok(());
            }
            let progress = match pg.statements.apply(&tx, &ready.apply).await {
                Ok(p) => p,
                Err(e) => {
                    for m in ready.deliveries {
                        let _ = m.ack_with(AckKind::Nak(Some(REDELIVER_AFTER))).await;
                    }
                    return Err(anyhow::Error::new(e).context("applying a batch failed"));
                }
            };
            if let Err(e) = tx.commit().await {
                for m in ready.deliveries {
                    let _ = m.ack_with(AckKind::Nak(Some(REDELIVER_AFTER))).await;
                }
                return Err(anyhow::Error::new(e).context("committing a batch failed"));
            }
            // Acknowledged only now: a crash before this delivers them again, and they are
            // then found applied.
            for m in &ready.deliveries {
                if let Err(e) = m.ack().await {
                    tracing::debug!(error = %e, "central: an acknowledgement was not sent");
                }
            }
            self.metrics
                .batch_seconds
                .observe(started.elapsed().as_secs_f64());
            let now = self.clock.now();
            for (s, n) in &ready.duplicates {
                self.metrics
                    .duplicates
                    .get_or_create(&site(s.as_str()))
                    .inc_by(*n);
            }
            for p in &progress {
                let label = site(p.site.as_str());
                self.metrics.applied.get_or_create(&label).inc_by(p.events);
                self.metrics
                    .watermark
                    .get_or_create(&label)
                    .set(p.applied_sequence);
                if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&p.last_event_at) {
                    let at = at.to_utc();
                    self.metrics
                        .last_event
                        .get_or_create(&label)
                        .set(at.timestamp_millis() as f64 / 1000.0);
                    self.metrics
                        .lag
                        .get_or_create(&label)
                        .set((now - at).num_milliseconds().max(0) as f64 / 1000.0);
                }
                self.unreported.insert(p.site.clone(), p.applied_sequence);
            }
            if ready.apply.is_empty() {
                return Ok(());
            }
        }
    }

    /// Reports changed watermarks to the branches (at most once a second).
    async fn report_watermarks(&mut self) {
        if self.unreported.is_empty() || self.reported_at.elapsed() < REPORT_EVERY {
            return;
        }
        let Some(broker) = &self.broker else {
            return;
        };
        self.reported_at = Instant::now();
        let mut done = Vec::new();
        for (s, mark) in &self.unreported {
            match broker
                .watermarks
                .put(s.as_str(), mark.to_string().into())
                .await
            {
                Ok(_) => done.push(s.clone()),
                Err(e) => {
                    tracing::debug!(site = %s, error = %e, "central: a watermark was not reported");
                    break;
                }
            }
        }
        for s in done {
            self.unreported.remove(&s);
        }
    }
}
