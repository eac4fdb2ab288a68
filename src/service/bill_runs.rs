//! Starting bill runs (API, scheduled job) and reading their records.

use std::sync::TryLockError;

use crate::billing::BillingControl;
use crate::billing::period::Period;
use crate::billing::report::BillRun;
use crate::billing::run::{RunRequest, RunSettings, run};
use crate::clock::Clock;
use crate::db::{Db, bill_runs as sql};
use crate::domain::enums::BillRunTrigger;
use crate::domain::ids::BillRunId;
use crate::domain::page::{Page, PageRequest, Pagination};

use super::ServiceError;

/// Runs the bill run of `period` (or previews it, for a dry run) on the blocking pool and
/// answers when it has finished. One real run at a time per process: a second gets a conflict.
pub async fn start(
    db: &Db,
    clock: &Clock,
    settings: RunSettings,
    control: &BillingControl,
    period: Period,
    dry_run: bool,
    trigger: BillRunTrigger,
) -> Result<BillRun, ServiceError> {
    let (db, clock, control) = (db.clone(), clock.clone(), control.clone());
    let req = RunRequest {
        period,
        dry_run,
        trigger,
    };
    tokio::task::spawn_blocking(move || {
        if dry_run {
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

pub async fn get(db: &Db, id: &str) -> Result<BillRun, ServiceError> {
    let Some(rid) = BillRunId::parse(id) else {
        return Err(ServiceError::not_found("bill run", id));
    };
    let missing = ServiceError::not_found("bill run", id);
    db.read(move |conn| sql::get(conn, &rid)?.ok_or(missing))
        .await
}

/// Bill runs, newest first.
pub async fn list(db: &Db, page: PageRequest) -> Result<Page<BillRun>, ServiceError> {
    db.read(move |conn| {
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
