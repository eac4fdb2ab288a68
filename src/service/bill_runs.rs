//! Starting bill runs (API, admin UI, scheduled job) and reading their records.

use std::sync::TryLockError;
use std::time::Duration;

use crate::billing::BillingControl;
use crate::billing::run::{RunRequest, RunSettings, run};
use crate::db::{Db, bill_runs as sql};
use crate::domain::bill_run::BillRun;
use crate::domain::clock::Clock;
use crate::domain::enums::{BillRunStatus, BillRunTrigger};
use crate::domain::ids::BillRunId;
use crate::domain::origin::Origin;
use crate::domain::page::{Page, PageRequest, Pagination};
use crate::domain::period::Period;
use crate::error::ServiceError;

/// What starting a bill run needs besides what to run: cheap to clone.
#[derive(Clone)]
pub struct BillRunner {
    pub db: Db,
    pub clock: Clock,
    pub control: BillingControl,
    pub settings: RunSettings,
}

/// Whether a run stores its invoices or only shows what it would create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A dry run: nothing is stored.
    Preview,
    /// The real run.
    Bill,
}

/// Which run to start, and who asks.
#[derive(Debug, Clone)]
pub struct StartRun {
    pub period: Period,
    pub mode: Mode,
    pub trigger: BillRunTrigger,
    pub origin: Origin,
}

/// How a run started with [`start_waiting`] stood when the wait ended.
#[derive(Debug)]
pub enum Started {
    Finished(Box<BillRun>),
    /// Still running; its id, once it has been recorded.
    Running(Option<BillRunId>),
}

/// Runs the bill run of `period` (or previews it) on the blocking pool and answers when it has
/// finished. One real run at a time per process: a second gets a conflict.
pub async fn start(runner: &BillRunner, start: StartRun) -> Result<BillRun, ServiceError> {
    let runner = runner.clone();
    let req = RunRequest {
        period: start.period,
        dry_run: start.mode == Mode::Preview,
        trigger: start.trigger,
        origin: start.origin,
    };
    tokio::task::spawn_blocking(move || {
        let BillRunner {
            db,
            clock,
            control,
            settings,
        } = runner;
        if req.dry_run {
            return run(&db, &clock, &settings, req, &control.stop);
        }
        let _guard = match control.run_lock.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return Err(ServiceError::Conflict(
                    "a bill run is already in progress; try again when it has finished".into(),
                ));
            }
        };
        run(&db, &clock, &settings, req, &control.stop)
    })
    .await
    .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("the bill run task failed: {e}")))?
}

/// Starts a run that goes on in the background and waits at most `wait` for it: a short run
/// answers with its result, a long one with its id so its progress can be followed.
pub async fn start_waiting(
    runner: &BillRunner,
    start_run: StartRun,
    wait: Duration,
) -> Result<Started, ServiceError> {
    let background = runner.clone();
    let (period, trigger) = (start_run.period, start_run.trigger);
    let task = tokio::spawn(async move {
        let r = start(&background, start_run).await;
        if let Err(e) = &r {
            tracing::warn!(%period, ?trigger, error = %e, "bill run failed");
        }
        r
    });
    match tokio::time::timeout(wait, task).await {
        Ok(Ok(result)) => result.map(|run| Started::Finished(Box::new(run))),
        Ok(Err(join)) => Err(ServiceError::Unexpected(anyhow::anyhow!(
            "the bill run task failed: {join}"
        ))),
        Err(_still_running) => {
            let page = PageRequest::parse(Some(1), Some(10))?;
            let running = list(&runner.db, page)
                .await?
                .items
                .into_iter()
                .find(|r| r.period == period && r.status == BillRunStatus::Running);
            Ok(Started::Running(running.and_then(|r| r.bill_run_id)))
        }
    }
}

pub async fn get(db: &Db, id: &BillRunId) -> Result<BillRun, ServiceError> {
    let missing = ServiceError::not_found("bill run", id.as_str());
    let rid = id.clone();
    db.read_now(move |conn| sql::get(conn, &rid)?.ok_or(missing))
        .await
}

/// Bill runs, newest first.
pub async fn list(db: &Db, page: PageRequest) -> Result<Page<BillRun>, ServiceError> {
    db.read_now(move |conn| {
        let (items, total) = sql::list(conn, page)?;
        Ok(Page {
            items,
            pagination: Pagination::new(page, total),
        })
    })
    .await
}

/// Whether `period` has a completed run.
pub async fn completed(db: &Db, period: Period) -> Result<bool, ServiceError> {
    db.read(move |conn| Ok(sql::completed(conn, period)?)).await
}
