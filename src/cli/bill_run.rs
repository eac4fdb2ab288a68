//! `edgebss bill-run`: the same engine as the API and the scheduled job, from the command line.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use super::BillRunArgs;
use crate::billing::run::{RunRequest, run};
use crate::config::Settings;
use crate::domain::bill_run::BillRun;
use crate::domain::enums::BillRunTrigger;
use crate::domain::origin::Origin;
use crate::domain::period::Period;

pub fn bill_run(settings: &Settings, args: &BillRunArgs) -> anyhow::Result<ExitCode> {
    let period = Period::parse("--period", &args.period).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clock = settings.clock()?;
    let db = crate::startup::open_db(settings)?;
    crate::startup::site::adopt_blocking(&db, clock.timestamp(), settings.sync.site_id.clone())?;
    let live = crate::startup::live_settings(settings, &db, &clock)?;
    let req = RunRequest {
        period,
        dry_run: args.dry_run,
        trigger: BillRunTrigger::Cli,
        origin: Origin::cli(),
    };
    let result = run(
        &db,
        &clock,
        &settings.run_settings_with(&live),
        req,
        &AtomicBool::new(false),
    );
    db.close();
    let report = result
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("the bill run for {period} did not complete"))?;
    print!("{}", summary(&report));
    Ok(ExitCode::SUCCESS)
}

/// The summary printed after a run.
pub fn summary(r: &BillRun) -> String {
    let mut out = String::new();
    let what = if r.dry_run {
        "Dry run (nothing stored)"
    } else {
        "Bill run"
    };
    let id = r
        .bill_run_id
        .as_ref()
        .map(|id| format!(" {id}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "{what}{id} for {}: {}\n  invoice date   {}\n  invoices       {}\n",
        r.period, r.status, r.invoice_date, r.invoices_created
    ));
    let s = &r.customers_skipped;
    out.push_str(&format!(
        "  skipped        {} already invoiced, {} with nothing due, {} in mixed currencies\n",
        s.already_invoiced, s.nothing_due, s.mixed_currencies
    ));
    for t in &r.totals {
        out.push_str(&format!(
            "  {}            net {}  tax {}  total {}  ({} invoices)\n",
            t.currency, t.net_amount, t.tax_amount, t.total_amount, t.invoices
        ));
    }
    if !r.needs_attention.is_empty() {
        out.push_str(&format!(
            "  needs attention: {}\n",
            r.needs_attention.join(", ")
        ));
    }
    out
}
