//! Embedded SQLite: one writer thread with group commit, a pool of read-only connections used
//! off the async runtime, and the SQL of each table in its own file.

pub mod attention;
pub mod audit;
pub mod bill_run_lists;
pub mod bill_runs;
pub mod billing_state;
pub mod clients;
pub mod customer_lists;
pub mod customer_search;
pub mod customers;
pub mod events;
pub mod idempotency;
pub mod invoice_lists;
pub mod invoice_search;
pub mod invoices;
pub mod migrate;
pub mod payments;
pub mod products;
pub mod record;
pub mod sql_date;
pub mod stats;
pub mod subscriptions;
pub mod sync;
pub mod ui_reports;
pub mod users;
pub mod webhooks;
pub mod who;
// Getting paid: settings, the e-mail outbox, dunning.
pub mod dunning;
pub mod email;
pub mod exports;
pub mod settings;
pub mod statements;
mod writer;
// Charging: usage, plan changes, one-off charges and discounts, credit notes and refunds.
pub mod billing_extras;
pub mod charges;
pub mod credit_notes;
pub mod plan_switch;
pub mod plans;
pub mod usage;
pub mod usage_prices;
// The Subscriptions and Payments lists of the admin UI.
pub mod list_totals;
pub mod payment_lists;
pub mod subscription_lists;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use writer::Writer;
pub use writer::WriterStats;

/// How hard SQLite works to make a commit durable; see the README's configuration reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync on every commit: an acknowledged write survives power loss (the default).
    Full,
    /// fsync at checkpoints only: survives a crash of edgebss, not of the machine.
    Normal,
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub path: PathBuf,
    pub synchronous: Synchronous,
    /// Most write jobs committed together; 1 turns group commit off.
    pub max_batch: usize,
    pub read_connections: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no read connection available")]
    Pool(#[from] r2d2::Error),
    #[error("the database writer has stopped")]
    Closed,
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("a write job panicked")]
    JobPanicked,
    #[error("a database task was cancelled")]
    Cancelled,
}

/// A write job in the writer's queue; [`QueuedWrite::wait`] blocks until its batch committed.
pub struct QueuedWrite<T, E>(tokio::sync::oneshot::Receiver<Result<T, E>>);

impl<T, E: From<DbError>> QueuedWrite<T, E> {
    pub fn wait(self) -> Result<T, E> {
        self.0
            .blocking_recv()
            .map_err(|_| E::from(DbError::Closed))?
    }
}

/// Handle to the database, cloned into every part of the application that needs it.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Option<Writer>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: Arc<WriterStats>,
    readers: r2d2::Pool<SqliteConnectionManager>,
    path: PathBuf,
}

impl Db {
    /// Opens (creating if needed) the database, refuses one from a newer edgebss, applies
    /// pending migrations and starts the writer.
    pub fn open(opts: &DbOptions) -> anyhow::Result<Self> {
        Self::open_with_hook(opts, |_, _| Ok(()))
    }

    /// [`Db::open`], calling `before_migration(path, applied_version)` first when an existing
    /// database has migrations pending: a migration rewrites the user's data, so start-up keeps
    /// a way back there (a backup) before any is applied.
    pub fn open_with_hook(
        opts: &DbOptions,
        before_migration: impl FnOnce(&Path, i64) -> anyhow::Result<()>,
    ) -> anyhow::Result<Self> {
        migrate::refuse_newer_schema(&opts.path)?;
        let mut conn = open_write_connection(&opts.path, opts.synchronous)?;
        let applied = migrate::applied_version(&conn)?;
        if applied > 0 && migrate::has_pending(&conn)? {
            before_migration(&opts.path, applied)?;
        }
        migrate::run(&mut conn)?;

        let (writer, handle) = Writer::start(conn, opts.max_batch)
            .context("failed to start the database writer thread")?;
        let manager = SqliteConnectionManager::file(&opts.path)
            .with_flags(
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )
            .with_init(|c| {
                c.set_prepared_statement_cache_capacity(64);
                c.busy_timeout(Duration::from_secs(5))?;
                // 2 MB of pages each: a read touches a few index and table pages, and a miss is a
                // copy from the operating system's file cache, not a disk read.
                c.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -2000;")
            });
        let readers = r2d2::Pool::builder()
            .max_size(opts.read_connections.max(1))
            // A connection to a local file does not go stale; checking it on every checkout
            // cost a statement preparation per request.
            .test_on_check_out(false)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .context("failed to open read connections to the database")?;
        Ok(Self {
            inner: Arc::new(Inner {
                stats: Arc::clone(&writer.stats),
                writer: Mutex::new(Some(writer)),
                writer_thread: Mutex::new(Some(handle)),
                readers,
                path: opts.path.clone(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    pub fn writer_stats(&self) -> &WriterStats {
        &self.inner.stats
    }

    /// Runs `f` on a read-only connection on the blocking thread pool, keeping the tracing span.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let db = self.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| db.read_blocking(f)))
            .await
            .map_err(|_| E::from(DbError::Cancelled))?
    }

    /// A short read (a lookup by id, one page of a list) run on the calling thread when a read
    /// connection is free at once, else on the blocking pool as [`Db::read`]. Handing a read of
    /// a few dozen microseconds to another thread and waking the task again costs more than the
    /// read itself (bench/README.md, "Against the floor"); a long read (a report, an export)
    /// must use [`Db::read`], so that it never holds up the other requests of this worker.
    pub async fn read_now<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        match self.inner.readers.try_get() {
            Some(conn) => f(&conn),
            None => self.read(f).await,
        }
    }

    /// [`Db::read`] for callers that are not on the async runtime (CLI, jobs' own threads).
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E>,
        E: From<DbError>,
    {
        let conn = self.inner.readers.get().map_err(DbError::from)?;
        f(&conn)
    }

    /// Queues `f` for the writer; the answer comes once the batch holding it has committed.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let rx = self.submit(f);
        rx.await.map_err(|_| E::from(DbError::Closed))?
    }

    /// [`Db::write`] for callers that are not on the async runtime.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.write_queued(f).wait()
    }

    /// Queues `f` for the writer and returns at once, so a caller that is not on the async
    /// runtime can do other work (e.g. read ahead) while the job runs.
    pub fn write_queued<T, E, F>(&self, f: F) -> QueuedWrite<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        QueuedWrite(self.submit(f))
    }

    /// How many write jobs the writer has begun to run; inside a write job, that job's number.
    pub fn jobs_started(&self) -> u64 {
        self.inner.stats.jobs_started.load(Ordering::Relaxed)
    }

    /// How many write jobs have settled (see [`WriterStats::jobs_settled`]). Read it before
    /// beginning a read transaction to know which writes that snapshot is sure to show.
    pub fn jobs_settled(&self) -> u64 {
        self.inner.stats.jobs_settled.load(Ordering::Acquire)
    }

    fn submit<T, E, F>(&self, f: F) -> tokio::sync::oneshot::Receiver<Result<T, E>>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let guard = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(w) => w.submit(f),
            None => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                let _ = tx.send(Err(E::from(DbError::Closed)));
                rx
            }
        }
    }

    /// Stops the writer after it has drained its queue and checkpointed the WAL. Later writes
    /// fail with [`DbError::Closed`].
    pub fn close(&self) {
        let writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        drop(writer);
        let handle = self
            .inner
            .writer_thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = handle
            && h.join().is_err()
        {
            tracing::error!("the database writer thread panicked");
        }
    }
}

/// Opens the read-write connection with the pragmas every write relies on.
pub fn open_write_connection(path: &Path, sync: Synchronous) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .with_context(|| format!("failed to open the database {}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "the database {} cannot use write-ahead logging (journal mode stayed {mode})",
        path.display()
    );
    let sync = match sync {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
         PRAGMA cache_size = -8000;"
    ))
    .context("failed to configure the database connection")?;
    Ok(conn)
}
