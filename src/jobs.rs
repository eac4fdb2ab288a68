//! Background jobs, run inside the server (no cron, no second service): every round starts
//! subscriptions whose start date has come, ends those whose end date has passed, marks open
//! invoices past their due date `Overdue`, and on or after the bill day runs the month's bill run
//! unless it has completed. Every step is idempotent, so a round after a crash, or two rounds
//! the same day, change nothing that was already done. A round runs at start-up and then every
//! `billing.job_interval_seconds`.

use std::time::Duration;

use actix_web::web;
use serde::Serialize;

use crate::db::record::Recorder;
use crate::domain::bill_run::BillRun;
use crate::domain::enums::BillRunTrigger;
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::bill_runs::{Mode, StartRun};
use crate::service::{bill_runs, dunning, events, idempotency, invoices, lifecycle};

/// What one round did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Round {
    pub subscriptions_started: usize,
    pub subscriptions_ended: usize,
    pub invoices_overdue: usize,
    pub bill_run: Option<BillRun>,
    pub dunning: dunning::Round,
}

/// One round of every job, on the application's clock.
pub async fn run_once(state: &AppState) -> Result<Round, ServiceError> {
    let today = state.clock.today();
    let now = state.clock.timestamp();
    let origin = Origin::system("jobs");
    let job_origin = origin.clone();
    let (started, ended) = state
        .db
        .write(move |conn| {
            let rec = Recorder::new(conn, &job_origin, &now);
            lifecycle::apply_due(conn, &rec, today, &now)
        })
        .await?;
    let overdue = invoices::mark_overdue(&state.db, &state.clock, &origin).await?;
    // Dunning after the overdue marking, on the rules in force (file or Settings page).
    let dunned = dunning::run(
        &state.db,
        &state.clock,
        &Origin::system("dunning"),
        state.live.get().dunning,
    )
    .await?;
    let mut round = Round {
        subscriptions_started: started,
        subscriptions_ended: ended,
        invoices_overdue: overdue,
        bill_run: None,
        dunning: dunned,
    };
    let bill_day = state.live.get().billing.bill_day;
    let period = Period::containing(today);
    if today >= period.bill_date(bill_day) && !bill_runs::completed(&state.db, period).await? {
        let start = StartRun {
            period,
            mode: Mode::Bill,
            trigger: BillRunTrigger::Schedule,
            origin: Origin::system("jobs"),
        };
        match bill_runs::start(&state.bill_runner(), start).await {
            Ok(run) => round.bill_run = Some(run),
            // A run started by someone else is in progress: the next round looks again.
            Err(ServiceError::Conflict(msg)) => tracing::debug!(%msg, "scheduled bill run waits"),
            Err(e) => return Err(e),
        }
    }
    let pruned = events::prune(
        &state.db,
        &state.clock,
        state.settings.events.retention_days,
    )
    .await?
        + idempotency::prune(&state.db, &state.clock).await?;
    if pruned > 0 {
        tracing::debug!(pruned, "old events, deliveries and idempotency keys pruned");
    }
    if started + ended + overdue > 0 || round.bill_run.is_some() {
        tracing::info!(
            subscriptions_started = started,
            subscriptions_ended = ended,
            invoices_overdue = overdue,
            bill_run = round
                .bill_run
                .as_ref()
                .and_then(|r| r.bill_run_id.as_ref())
                .map(|id| id.to_string()),
            "background jobs ran"
        );
    }
    Ok(round)
}

/// Starts the rounds; abort the handle to stop them.
pub fn spawn(state: web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(state.settings.billing.job_interval_seconds.max(1));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = run_once(&state).await {
                tracing::error!(error = ?e, "background jobs failed; retrying next round");
            }
        }
    })
}
