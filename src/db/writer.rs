//! The single writer: one thread owns the only read-write connection and applies write jobs in
//! batches ("group commit").
//!
//! Every job waiting in the queue is taken at once; each runs inside its own `SAVEPOINT`, so a job
//! that fails rolls back alone; then one `COMMIT` (one fsync at `synchronous=FULL`) makes the whole
//! batch durable, and only then is each caller answered. Under load this turns N fsyncs into one,
//! which is what lets full durability and high write throughput coexist.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::DbError;

/// A write job as the writer thread sees it, whatever its result type.
trait WriteJob: Send {
    /// Runs the job; the returned delivery answers the caller once the batch's fate is known.
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Delivery>;
    /// Answers the caller without running the job (the batch could not start).
    fn fail(self: Box<Self>, error: DbError);
}

trait Delivery: Send {
    fn succeeded(&self) -> bool;
    fn deliver(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
    /// The submitter's span (a request's, with its request id), entered while the job runs so
    /// whatever the job logs is tied to the request.
    span: tracing::Span,
}

struct TypedDelivery<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> WriteJob for TypedJob<F, T, E>
where
    F: FnOnce(&Connection) -> Result<T, E> + Send,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Delivery> {
        let f = self.f;
        let _entered = self.span.enter();
        let result = catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(E::from(DbError::JobPanicked)));
        Box::new(TypedDelivery {
            result,
            reply: self.reply,
        })
    }

    fn fail(self: Box<Self>, error: DbError) {
        let _ = self.reply.send(Err(E::from(error)));
    }
}

impl<T: Send, E: From<DbError> + Send> Delivery for TypedDelivery<T, E> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn deliver(self: Box<Self>, commit: Result<(), String>) {
        let answer = match (self.result, commit) {
            (Ok(_), Err(msg)) => Err(E::from(DbError::Commit(msg))),
            (result, _) => result,
        };
        // The caller may have gone away (client disconnected); the write stands regardless.
        let _ = self.reply.send(answer);
    }
}

/// Counters the writer keeps for monitoring.
#[derive(Debug, Default)]
pub struct WriterStats {
    pub queued: AtomicUsize,
    pub batches: AtomicU64,
    pub jobs: AtomicU64,
    pub last_batch_size: AtomicUsize,
    /// Jobs the writer has begun to run, counted just before each one runs, so a job that reads
    /// this counter reads its own number.
    pub jobs_started: AtomicU64,
    /// Jobs whose batch has ended (committed, or rolled back): every job numbered up to this one
    /// is visible to a read transaction that begins after reading it, or left nothing behind.
    pub jobs_settled: AtomicU64,
}

/// The sending side; cheap to share.
pub struct Writer {
    tx: mpsc::UnboundedSender<Box<dyn WriteJob>>,
    pub stats: Arc<WriterStats>,
}

impl Writer {
    /// Starts the writer thread on `conn`. `max_batch = 1` gives one commit per job (used to
    /// measure what group commit buys).
    pub fn start(
        conn: Connection,
        max_batch: usize,
    ) -> std::io::Result<(Self, std::thread::JoinHandle<()>)> {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(WriterStats::default());
        let thread_stats = Arc::clone(&stats);
        let handle = std::thread::Builder::new()
            .name("edgebss-writer".into())
            .spawn(move || run_writer(conn, rx, max_batch.max(1), &thread_stats))?;
        Ok((Self { tx, stats }, handle))
    }

    /// Queues `f` and returns the receiver of its answer, which arrives after its batch committed.
    pub fn submit<F, T, E>(&self, f: F) -> oneshot::Receiver<Result<T, E>>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job: Box<dyn WriteJob> = Box::new(TypedJob {
            f,
            reply,
            span: tracing::Span::current(),
        });
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        if let Err(mpsc::error::SendError(job)) = self.tx.send(job) {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            job.fail(DbError::Closed);
        }
        rx
    }
}

fn run_writer(
    mut conn: Connection,
    mut rx: mpsc::UnboundedReceiver<Box<dyn WriteJob>>,
    max_batch: usize,
    stats: &WriterStats,
) {
    let mut batch: Vec<Box<dyn WriteJob>> = Vec::with_capacity(max_batch.min(1024));
    // Whatever was written without the writer (e.g. by an older version before an upgrade) is
    // indexed before the first job runs.
    run_batch(&mut conn, &mut batch, stats);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        stats.queued.fetch_sub(batch.len(), Ordering::Relaxed);
        stats.last_batch_size.store(batch.len(), Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        run_batch(&mut conn, &mut batch, stats);
    }
    // Every sender is gone: the application is shutting down. Fold the WAL back into the main
    // file so the data folder is a single self-contained database at rest.
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(error = %e, "closing the write connection failed");
    }
    tracing::debug!("writer stopped");
}

fn run_batch(conn: &mut Connection, batch: &mut Vec<Box<dyn WriteJob>>, stats: &WriterStats) {
    run_jobs(conn, batch, stats);
    // Release pairs with the Acquire of a reader that is about to take a snapshot: once it reads
    // this number, the batch's writes are committed (or gone) for it.
    stats.jobs_settled.store(
        stats.jobs_started.load(Ordering::Relaxed),
        Ordering::Release,
    );
}

fn run_jobs(conn: &mut Connection, batch: &mut Vec<Box<dyn WriteJob>>, stats: &WriterStats) {
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not begin a write transaction");
        for job in batch.drain(..) {
            job.fail(DbError::Commit(e.to_string()));
        }
        return;
    }
    let mut deliveries = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        if let Err(e) = exec(conn, "SAVEPOINT job") {
            job.fail(DbError::Sqlite(e));
            continue;
        }
        stats.jobs_started.fetch_add(1, Ordering::Relaxed);
        let delivery = job.run(conn);
        let end = if delivery.succeeded() {
            exec(conn, "RELEASE job")
        } else {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")
        };
        if let Err(e) = end {
            // The savepoint is in an unknown state: give up the whole batch rather than commit
            // something half-done.
            tracing::error!(error = %e, "savepoint could not be closed; rolling back the batch");
            deliveries.push(delivery);
            return abort_batch(conn, deliveries, e.to_string());
        }
        deliveries.push(delivery);
    }
    finish_batch(conn);
    match exec(conn, "COMMIT") {
        Ok(()) => {
            for d in deliveries {
                d.deliver(Ok(()));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "group commit failed; the batch is rolled back");
            abort_batch(conn, deliveries, e.to_string());
        }
    }
}

/// Runs one statement that returns no rows, prepared once per connection: the writer runs these
/// around every job, and parsing them each time showed in its profile.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// What every batch ends with, inside its transaction: the customer search index takes in the
/// batch's new and changed customers in one go (see migration V7 for why not one by one). A
/// failure here is rolled back alone and logged; the customers stay queued for the next batch, and
/// the batch's own writes still commit.
fn finish_batch(conn: &Connection) {
    if let Err(e) = exec(conn, "SAVEPOINT finish") {
        tracing::error!(error = %e, "could not index the batch's customers for search");
        return;
    }
    let end = match super::customer_search::index_pending(conn) {
        Ok(_) => exec(conn, "RELEASE finish"),
        Err(e) => {
            tracing::error!(error = %e, "indexing customers for search failed; retried with the next write");
            conn.execute_batch("ROLLBACK TO finish; RELEASE finish")
        }
    };
    if let Err(e) = end {
        tracing::error!(error = %e, "closing the search index savepoint failed");
    }
}

fn abort_batch(conn: &Connection, deliveries: Vec<Box<dyn Delivery>>, msg: String) {
    if !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
    {
        tracing::error!(error = %e, "rollback after a failed batch failed");
    }
    for d in deliveries {
        d.deliver(Err(msg.clone()));
    }
}
