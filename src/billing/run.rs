//! The bill run: one engine for the CLI, the API and the scheduled job. It walks the customers
//! in chunks, each chunk one write job (one transaction), so a crash loses at most the chunk in
//! flight and a rerun creates exactly what is missing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Days;
use rust_decimal::Decimal;

use super::chunk::{self, Ahead, ChunkContext, ChunkResult, JobPlace};
use super::read_ahead::{ReadAhead, Snapshot};
use crate::db::record::Recorder;
use crate::db::{Db, bill_runs};
use crate::domain::FieldError;
use crate::domain::bill_run::{BillRun, PREVIEW_LIMIT, Skipped, Sums};
use crate::domain::clock::Clock;
use crate::domain::enums::{BillRunStatus, BillRunTrigger};
use crate::domain::event::EventType;
use crate::domain::ids::BillRunId;
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::error::ServiceError;

/// The billing settings a run uses.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub bill_day: u32,
    pub tax_rate_percent: Decimal,
    pub payment_terms_days: u32,
    pub chunk_customers: usize,
}

#[derive(Debug, Clone)]
pub struct RunRequest {
    pub period: Period,
    pub dry_run: bool,
    pub trigger: BillRunTrigger,
    /// Who asks: named on the run's events and audit entries.
    pub origin: Origin,
}

/// How far ahead of the current month a dry run may look: enough to plan a year, and a bound on
/// the work a preview does (a far-future period rates every month up to it for each subscription).
pub const PREVIEW_MONTHS_AHEAD: usize = 12;

/// How often a long run logs its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Runs (or, for a dry run, previews) the bill run of `req.period`. Blocking: call it from a
/// thread that may block (the CLI, `spawn_blocking`). Setting `stop` ends a real run after the
/// chunk in flight, as `Interrupted`.
pub fn run(
    db: &Db,
    clock: &Clock,
    settings: &RunSettings,
    req: RunRequest,
    stop: &AtomicBool,
) -> Result<BillRun, ServiceError> {
    let today = clock.today();
    let bill_date = req.period.bill_date(settings.bill_day);
    if !req.dry_run && bill_date > today {
        return Err(ServiceError::Unprocessable(FieldError::new(
            "period",
            format!(
                "{} cannot be billed before its bill day, {bill_date} (today is {today}); a dry \
                 run can preview it",
                req.period
            ),
        )));
    }
    let latest = (0..PREVIEW_MONTHS_AHEAD).fold(Period::containing(today), |p, _| p.next());
    if req.period > latest {
        return Err(ServiceError::Unprocessable(FieldError::new(
            "period",
            format!(
                "{} is more than {PREVIEW_MONTHS_AHEAD} months ahead; a dry run can preview up to \
                 {latest}",
                req.period
            ),
        )));
    }
    let invoice_date = today.max(bill_date);
    let due_date = invoice_date
        .checked_add_days(Days::new(u64::from(settings.payment_terms_days)))
        .ok_or_else(|| FieldError::new("period", "is too far in the future"))?;
    let ctx = ChunkContext {
        period: req.period,
        tax_rate: settings.tax_rate_percent,
        invoice_date,
        due_date,
        now: clock.timestamp(),
        chunk_customers: settings.chunk_customers,
        origin: req.origin.clone(),
    };
    if req.dry_run {
        preview(db, clock, ctx, req.trigger)
    } else {
        execute(db, clock, ctx, req.trigger, stop)
    }
}

/// Progress of a run, summed over its chunks.
#[derive(Debug, Default)]
struct Progress {
    customers: u64,
    invoices: u64,
    skipped: Skipped,
    attention: Vec<String>,
    sums: Sums,
    /// Chunks the writer had to read and rate itself (no fresh plan ahead).
    planned_in_writer: u64,
}

impl Progress {
    fn add(&mut self, r: &ChunkResult) {
        self.planned_in_writer += u64::from(r.planned_in_writer);
        self.customers += r.customers;
        self.invoices += r.invoices;
        self.skipped.add(&r.skipped);
        self.attention.extend(r.attention.iter().cloned());
        self.sums.merge(&r.sums);
    }
}

fn execute(
    db: &Db,
    clock: &Clock,
    ctx: ChunkContext,
    trigger: BillRunTrigger,
    stop: &AtomicBool,
) -> Result<BillRun, ServiceError> {
    let id = BillRunId::generate();
    let (run_id, c) = (id.clone(), ctx.clone());
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        Ok(bill_runs::start(
            conn,
            &run_id,
            c.period,
            trigger,
            c.invoice_date,
            &c.now,
        )?)
    })?;
    tracing::info!(bill_run = %id, period = %ctx.period, ?trigger, "bill run started");
    let started = Instant::now();
    let mut last_log = Instant::now();
    let mut progress = Progress::default();
    let marks = Arc::new(ReadAhead::default());
    let mut after = String::new();
    // The plan read ahead for the chunk after `after`, and the last chunk job answered.
    let mut ahead: Option<Ahead> = None;
    let mut answered: Option<u64> = None;
    let outcome = loop {
        if stop.load(Ordering::Relaxed) {
            break Err(BillRunStatus::Interrupted);
        }
        // No plan for this chunk yet, or one for where the previous chunk was expected to end
        // (it was read again in the writer and ended elsewhere): read it now.
        if let Some(reference) = answered
            && ahead.as_ref().is_none_or(|a| a.after() != after)
        {
            ahead = read_ahead(db, &ctx, &after, reference);
        }
        let next = ahead.as_ref().and_then(|a| a.upto().map(str::to_owned));
        let (run_id, c, from, m, a) = (
            id.clone(),
            ctx.clone(),
            after.clone(),
            Arc::clone(&marks),
            ahead.take(),
        );
        let jobs = db.clone();
        let pending = db.write_queued(move |conn| {
            let place = JobPlace {
                job: jobs.jobs_started(),
                marks: &m,
                ahead: a,
            };
            chunk::bill(conn, &c, &run_id, &from, place)
        });
        // While the writer stores this chunk, read and rate the next one.
        if let (Some(next), Some(reference)) = (next, answered) {
            ahead = read_ahead(db, &ctx, &next, reference);
        }
        match pending.wait() {
            Ok(mut r) => {
                progress.add(&r);
                std::mem::take(&mut r.spent).free();
                answered = Some(r.job);
                match r.last_customer {
                    Some(last) => after = last,
                    None => break Ok(()),
                }
            }
            Err(e) => {
                tracing::error!(bill_run = %id, error = ?e, "bill run chunk failed");
                break Err(BillRunStatus::Failed);
            }
        }
        if last_log.elapsed() >= PROGRESS_EVERY {
            last_log = Instant::now();
            tracing::info!(
                bill_run = %id,
                period = %ctx.period,
                customers = progress.customers,
                invoices = progress.invoices,
                elapsed_s = started.elapsed().as_secs(),
                "bill run in progress"
            );
        }
    };
    let (status, error) = match outcome {
        Ok(()) => (BillRunStatus::Completed, None),
        Err(BillRunStatus::Interrupted) => (
            BillRunStatus::Interrupted,
            Some("stopped before the end (the server was shutting down); run it again"),
        ),
        Err(_) => (
            BillRunStatus::Failed,
            Some("stopped on an unexpected error (details in the server log); run it again"),
        ),
    };
    let (run_id, finished_at, origin) = (id.clone(), clock.timestamp(), ctx.origin.clone());
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        bill_runs::finish(conn, &run_id, status, error, &finished_at)?;
        let run = bill_runs::get(conn, &run_id)?
            .ok_or_else(|| ServiceError::not_found("bill run", run_id.as_str()))?;
        let rec = Recorder::new(conn, &origin, &finished_at);
        if status == BillRunStatus::Completed {
            rec.event(EventType::BillRunCompleted, &run)?;
        }
        let action = format!("bill_run.{}", status.as_str().to_lowercase());
        rec.audit(
            &action,
            ("bill_run", run_id.as_str()),
            None::<&BillRun>,
            Some(&run),
        )?;
        rec.answer(&run)?;
        Ok(())
    })?;
    tracing::info!(
        bill_run = %id,
        period = %ctx.period,
        ?status,
        customers = progress.customers,
        invoices = progress.invoices,
        already_invoiced = progress.skipped.already_invoiced,
        nothing_due = progress.skipped.nothing_due,
        mixed_currencies = progress.skipped.mixed_currencies,
        chunks_planned_in_writer = progress.planned_in_writer,
        seconds = started.elapsed().as_secs_f64(),
        "bill run finished"
    );
    let run_id = id.clone();
    let run = db
        .read_blocking(move |conn| -> Result<_, ServiceError> {
            Ok(bill_runs::get(conn, &run_id)?)
        })?
        .ok_or_else(|| ServiceError::not_found("bill run", id.as_str()))?;
    match status {
        BillRunStatus::Completed => Ok(run),
        BillRunStatus::Interrupted => Err(ServiceError::Conflict(format!(
            "bill run {id} for {} was interrupted: {}",
            ctx.period,
            error.unwrap_or_default()
        ))),
        _ => Err(ServiceError::Unexpected(anyhow::anyhow!(
            "bill run {id} for {} failed",
            ctx.period
        ))),
    }
}

/// Reads and rates the chunk after `after` on a read connection, for [`chunk::bill`] to use if
/// it is still fresh. A failure here only means the writer plans the chunk itself.
fn read_ahead(db: &Db, ctx: &ChunkContext, after: &str, reference_job: u64) -> Option<Ahead> {
    let snapshot = Snapshot::before_reading(db, reference_job);
    db.read_blocking(|conn| chunk::plan_ahead(conn, ctx, after, snapshot))
        .map_err(|e| tracing::debug!(error = ?e, "reading a bill run chunk ahead failed"))
        .ok()
}

/// A dry run: the same chunks, read in one snapshot on a read connection, storing nothing.
fn preview(
    db: &Db,
    clock: &Clock,
    ctx: ChunkContext,
    trigger: BillRunTrigger,
) -> Result<BillRun, ServiceError> {
    let started_at = ctx.now.clone();
    let c = ctx.clone();
    let (progress, previews) = db.read_blocking(move |conn| -> Result<_, ServiceError> {
        let tx = conn.unchecked_transaction()?;
        let mut progress = Progress::default();
        let mut previews = Vec::new();
        let mut after = String::new();
        loop {
            let r = chunk::preview(&tx, &c, &after, &mut previews, PREVIEW_LIMIT)?;
            progress.add(&r);
            match r.last_customer {
                Some(last) => after = last,
                None => break,
            }
        }
        tx.rollback()?;
        Ok((progress, previews))
    })?;
    let mut attention = progress.attention;
    attention.truncate(crate::domain::bill_run::ATTENTION_LIMIT);
    Ok(BillRun {
        bill_run_id: None,
        period: ctx.period,
        status: BillRunStatus::Completed,
        trigger,
        dry_run: true,
        invoice_date: ctx.invoice_date,
        started_at,
        finished_at: Some(clock.timestamp()),
        invoices_created: progress.invoices,
        customers_skipped: progress.skipped,
        needs_attention: attention,
        totals: progress.sums.totals(),
        error: None,
        invoices_omitted: Some(progress.invoices.saturating_sub(previews.len() as u64)),
        invoices: Some(previews),
    })
}

/// Marks runs left `Running` by a process that is gone as `Interrupted` (at start-up).
pub async fn mark_interrupted(db: &Db, clock: &Clock) -> anyhow::Result<()> {
    let now = clock.timestamp();
    let n = db
        .write(move |conn| -> Result<usize, ServiceError> {
            Ok(bill_runs::interrupt_running(conn, &now)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("failed to check for interrupted bill runs: {e}"))?;
    if n > 0 {
        tracing::warn!(
            runs = n,
            "bill runs were interrupted (the process stopped during a run); run them again to \
             finish them"
        );
    }
    Ok(())
}
