//! The figures read at scrape time: the writer, the database file, backups and the business.

use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::SystemTime;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use rust_decimal::prelude::ToPrimitive;

use crate::db::Db;
use crate::db::stats::{LastBillRun, Recurring, Unpaid};
use crate::db::{DbError, customers, stats};
use crate::domain::enums::{CustomerStatus, InvoiceStatus};
use crate::ops::backup::backups_dir;
use crate::ops::schedule::BackupStatus;

/// What the database said at one scrape.
#[derive(Debug, Clone)]
pub struct Snapshot {
    customers: Vec<(CustomerStatus, u64)>,
    recurring: Vec<Recurring>,
    unpaid: Vec<Unpaid>,
    last_run: Option<LastBillRun>,
    currencies: Vec<crate::domain::money::Currency>,
    sync: Option<crate::db::sync::Progress>,
}

pub async fn read(db: &Db) -> Result<Snapshot, DbError> {
    db.read(|conn| {
        Ok(Snapshot {
            customers: customers::count_by_status(conn)?,
            recurring: stats::active_recurring(conn)?,
            unpaid: stats::unpaid_invoices(conn)?,
            last_run: stats::last_bill_run(conn)?,
            currencies: stats::currencies_in_use(conn)?,
            sync: crate::db::sync::progress(conn)?,
        })
    })
    .await
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CurrencyLabel {
    currency: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusCurrencyLabels {
    status: String,
    currency: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BillRunLabels {
    period: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

fn gauge(value: i64) -> Gauge {
    let g = Gauge::<i64, AtomicI64>::default();
    g.set(value);
    g
}

fn counter(value: u64) -> Counter {
    let c = Counter::default();
    c.inc_by(value);
    c
}

fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// Prometheus samples are float64 by definition, so this is the one place an amount becomes a
/// float: summed exactly in minor units by SQLite, scaled exactly as a decimal, converted last.
fn amount(currency: crate::domain::money::Currency, minor: i64) -> f64 {
    currency.from_minor(minor).to_f64().unwrap_or(f64::NAN)
}

/// What a scrape reads besides the database's figures.
pub struct Sources<'a> {
    pub db: &'a Db,
    pub backups: &'a BackupStatus,
    pub data_dir: &'a Path,
}

/// A registry holding this scrape's figures.
pub fn registry(src: &Sources<'_>, snap: &Snapshot) -> Registry {
    let mut r = Registry::with_prefix("edgebss");

    let info = Family::<VersionLabel, Gauge>::default();
    info.get_or_create(&VersionLabel {
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
    .set(1);
    r.register("build_info", "The running edgebss version (always 1)", info);

    let writer = src.db.writer_stats();
    r.register(
        "db_writer_queue_depth",
        "Write jobs waiting for the database writer",
        gauge(count(writer.queued.load(Ordering::Relaxed))),
    );
    r.register(
        "db_writer_last_batch_size",
        "Write jobs committed together in the writer's last batch",
        gauge(count(writer.last_batch_size.load(Ordering::Relaxed))),
    );
    r.register(
        "db_writer_batches",
        "Batches (commits) the writer has made since start",
        counter(writer.batches.load(Ordering::Relaxed)),
    );
    r.register(
        "db_writer_jobs",
        "Write jobs the writer has run since start",
        counter(writer.jobs.load(Ordering::Relaxed)),
    );
    r.register_with_unit(
        "database_size",
        "Size of the database file and its write-ahead log",
        Unit::Bytes,
        gauge(count(database_bytes(src.db.path()))),
    );

    let (newest, newest_bytes) = newest_backup(&backups_dir(src.data_dir));
    r.register_with_unit(
        "last_backup_timestamp",
        "When the newest backup in the backups folder was written (Unix time; 0: none)",
        Unit::Seconds,
        gauge(newest),
    );
    r.register_with_unit(
        "last_backup_size",
        "Size of the newest backup in the backups folder",
        Unit::Bytes,
        gauge(count(newest_bytes)),
    );
    r.register(
        "backup_failures",
        "Daily backups that failed since start",
        counter(src.backups.failures.load(Ordering::Relaxed)),
    );

    let by_status = Family::<StatusLabel, Gauge>::default();
    for status in CustomerStatus::ALL {
        let n = snap
            .customers
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        by_status
            .get_or_create(&StatusLabel {
                status: status.as_str().to_owned(),
            })
            .set(count(n));
    }
    r.register("customers", "Customers by status", by_status);

    let active: u64 = snap.recurring.iter().map(|x| x.subscriptions).sum();
    r.register(
        "active_subscriptions",
        "Subscriptions in status Active",
        gauge(count(active)),
    );
    let mrr = Family::<CurrencyLabel, FloatGauge>::default();
    for x in &snap.recurring {
        mrr.get_or_create(&CurrencyLabel {
            currency: x.currency.as_str().to_owned(),
        })
        .set(amount(x.currency, x.monthly_minor));
    }
    r.register(
        "monthly_recurring_revenue",
        "What the active subscriptions bill each month, add-ons included, before tax, by currency",
        mrr,
    );

    let unpaid_count = Family::<StatusLabel, Gauge>::default();
    let unpaid_amount = Family::<StatusCurrencyLabels, FloatGauge>::default();
    for status in [InvoiceStatus::Open, InvoiceStatus::Overdue] {
        let label = StatusLabel {
            status: status.as_str().to_owned(),
        };
        let n: u64 = snap
            .unpaid
            .iter()
            .filter(|x| x.status == status)
            .map(|x| x.invoices)
            .sum();
        unpaid_count.get_or_create(&label).set(count(n));
    }
    // Every status has a series for every currency in use, zero included: an alert on the
    // overdue amount must see 0, not "no data", while nothing is overdue.
    let currencies = snap
        .currencies
        .iter()
        .chain(snap.unpaid.iter().map(|x| &x.currency));
    for currency in currencies {
        for status in [InvoiceStatus::Open, InvoiceStatus::Overdue] {
            let due = snap
                .unpaid
                .iter()
                .find(|x| x.status == status && x.currency == *currency)
                .map_or(0, |x| x.due_minor);
            unpaid_amount
                .get_or_create(&StatusCurrencyLabels {
                    status: status.as_str().to_owned(),
                    currency: currency.as_str().to_owned(),
                })
                .set(amount(*currency, due));
        }
    }
    r.register(
        "unpaid_invoices",
        "Invoices in status Open or Overdue",
        unpaid_count,
    );
    r.register(
        "unpaid_invoice_amount",
        "What is still due on the invoices in status Open or Overdue (tax included, payments deducted), by currency",
        unpaid_amount,
    );

    // Alert on a run that failed or did not happen: the timestamp stops moving and the info
    // series carries the status.
    let (at, invoices) = snap.last_run.as_ref().map_or((0, 0), |run| {
        let at = chrono::DateTime::parse_from_rfc3339(&run.at).map_or(0, |t| t.timestamp());
        (at, run.invoices_created)
    });
    r.register_with_unit(
        "last_bill_run_timestamp",
        "When the newest bill run finished, or started if it is still running (Unix time; 0: none)",
        Unit::Seconds,
        gauge(at),
    );
    r.register(
        "last_bill_run_invoices",
        "Invoices the newest bill run created",
        gauge(count(invoices)),
    );
    let info = Family::<BillRunLabels, Gauge>::default();
    if let Some(run) = &snap.last_run {
        info.get_or_create(&BillRunLabels {
            period: run.period.clone(),
            status: run.status.as_str().to_owned(),
        })
        .set(1);
    }
    r.register(
        "last_bill_run",
        "The newest bill run's period and status (Running, Completed, Failed, Interrupted); always 1",
        info,
    );
    if let Some(sync) = &snap.sync {
        register_sync(&mut r, sync);
    }
    r
}

/// A branch's forwarding to head office (only on an edge with a site): alert on the oldest
/// waiting event's age, `time() - edgebss_sync_oldest_waiting_timestamp_seconds`.
fn register_sync(r: &mut Registry, sync: &crate::db::sync::Progress) {
    r.register(
        "sync_events_waiting",
        "Events the NATS server has not acknowledged yet",
        gauge(sync.waiting()),
    );
    let oldest = sync
        .oldest_waiting_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(0, |t| t.timestamp());
    r.register_with_unit(
        "sync_oldest_waiting_timestamp",
        "When the oldest event not yet acknowledged occurred (Unix time; 0: none waits)",
        Unit::Seconds,
        gauge(oldest),
    );
    r.register(
        "sync_events_unapplied",
        "Events head office has not reported applied yet (kept at the edge until it has)",
        gauge(sync.unapplied()),
    );
    r.register(
        "sync_last_sequence",
        "The newest event this branch recorded",
        gauge(sync.last_sequence),
    );
    r.register(
        "sync_resyncs",
        "Times the forwarder re-synchronised from the broker's last message and found it differing",
        counter(sync.state.resyncs),
    );
}

fn database_bytes(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), wal.into()]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Unix time and size of the newest complete backup file (`.db`) in `dir`.
fn newest_backup(dir: &Path) -> (i64, u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            // A database set aside by a restore is not a backup anyone took.
            e.file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".db") && !n.starts_with("edgebss-replaced-"))
        })
        .filter_map(|e| e.metadata().ok())
        .filter_map(|m| Some((m.modified().ok()?, m.len())))
        .max_by_key(|(modified, _)| *modified)
        .map_or((0, 0), |(modified, len)| {
            let secs = modified
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            (count(secs), len)
        })
}
