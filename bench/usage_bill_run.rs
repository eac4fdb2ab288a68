//! Bill run with usage: 100,000 customers with one subscription each to a plan metering data,
//! 1,000,000 usage records of November sent through the ingestion use case (1,000 per write),
//! then December billed by the real engine (synchronous = FULL) twice over: on that database,
//! and on one with the same subscriptions and no usage (the flat run). Prints both times, the
//! ratio, and the ingestion rate.
//!
//!     cargo run --release --example usage_bill_run_bench [-- SUBSCRIPTIONS RECORDS]

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use edgebss::billing::run::{RunRequest, RunSettings, run};
use edgebss::db::{Db, DbOptions, Synchronous};
use edgebss::domain::clock::Clock;
use edgebss::domain::enums::BillRunTrigger;
use edgebss::domain::origin::Origin;
use edgebss::domain::period::Period;
use edgebss::domain::usage::UsageRecordInput;
use edgebss::error::ServiceError;
use rusqlite::params;

fn open(dir: &std::path::Path) -> Db {
    Db::open(&DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Full,
        max_batch: 512,
        read_connections: 2,
    })
    .expect("database opens")
}

/// Customers `0..n`, one subscription each to Mobile (20.00 a month; 10 GB included, 1.00 a GB
/// up to 50 GB, 0.50 above), billed through November.
fn seed(db: &Db, n: usize) {
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        let ts = "2026-01-01T00:00:00.000Z";
        let price = r#"{"metric":"data_gb","name":"Data","unit":"GB","includedQuantity":"10","unitPrice":"0.50","tiers":[{"upTo":"50","unitPrice":"1.00"}]}"#;
        conn.execute(
            "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
             created_at, updated_at, usage) VALUES ('prd_mobile', 'Mobile', 'Mobile', 2000, 'USD', \
             'Active', ?1, ?1, ?2)",
            params![ts, price],
        )?;
        let mut cust = conn.prepare(
            "INSERT INTO customers (id, account_number, customer_type, status, first_name, \
             last_name, email, created_at, updated_at) \
             VALUES (?1, ?2, 'Individual', 'Active', 'Test', 'Customer', 'c@example.com', ?3, ?3)",
        )?;
        let mut sub = conn.prepare(
            "INSERT INTO subscriptions (id, customer_id, product_id, product_name, status, \
             start_date, monthly_charge, currency, created_at, updated_at, billed_through, \
             charged_through) VALUES (?1, ?2, 'prd_mobile', 'Mobile', 'Active', '2026-10-01', \
             2000, 'USD', ?3, ?3, '2026-11-30', '2026-11-30')",
        )?;
        let mut usage_price = conn.prepare(
            "INSERT INTO subscription_usage_prices (subscription_id, metric, product_id, price) \
             VALUES (?1, 'data_gb', 'prd_mobile', ?2)",
        )?;
        for i in 0..n {
            let cid = format!("cus_{i:026}");
            let sid = format!("sub_{i:026}");
            cust.execute(params![cid, format!("ACC{i:09}"), ts])?;
            sub.execute(params![sid, cid, ts])?;
            usage_price.execute(params![sid, price])?;
        }
        Ok(())
    })
    .expect("seeded");
}

fn settings() -> RunSettings {
    RunSettings {
        bill_day: 1,
        tax_rate_percent: 20.into(),
        payment_terms_days: 14,
        chunk_customers: 2000,
    }
}

/// CPU time used so far by all threads of this process (Linux), so the figures can be read on a
/// machine that is busy with other work; `None` elsewhere.
fn cpu_time() -> Option<f64> {
    let mut total = 0_u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total as f64 / 1e9)
}

/// Bills December: (wall seconds, CPU seconds, invoices).
fn bill(db: &Db, clock: &Clock) -> (f64, f64, u64) {
    let period = Period::parse("period", "2026-12").unwrap();
    let req = RunRequest {
        period,
        dry_run: false,
        trigger: BillRunTrigger::Cli,
        origin: Origin::cli(),
    };
    let started = Instant::now();
    let cpu = cpu_time();
    let report = run(db, clock, &settings(), req, &AtomicBool::new(false)).expect("bill run");
    let cpu = match (cpu, cpu_time()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    (
        started.elapsed().as_secs_f64(),
        cpu,
        report.invoices_created,
    )
}

fn count(db: &Db, sql: &'static str) -> i64 {
    db.read_blocking(|conn| Ok::<_, ServiceError>(conn.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let subs = args.first().copied().unwrap_or(100_000);
    let records = args.get(1).copied().unwrap_or(1_000_000);
    let (usage_dir, flat_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (usage_db, flat_db) = (open(usage_dir.path()), open(flat_dir.path()));
    let t = Instant::now();
    seed(&usage_db, subs);
    seed(&flat_db, subs);
    println!(
        "seeded {subs} subscriptions (twice) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // November's usage, 1,000 records per write, each batch over 1,000 subscriptions.
    let clock = Clock::system(chrono_tz::UTC);
    clock.set_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        let mut pending = Vec::new();
        for k in 0..records.div_ceil(1000) {
            let batch: Vec<UsageRecordInput> = (0..1000.min(records - k * 1000))
                .map(|j| {
                    let n = k * 1000 + j;
                    UsageRecordInput {
                        record_id: format!("r{n}"),
                        subscription_id: format!("sub_{:026}", n % subs),
                        metric: "data_gb".into(),
                        quantity: format!("{}.{:02}", n % 9, n % 100),
                        occurred_at: chrono::DateTime::parse_from_rfc3339(&format!(
                            "2026-11-{:02}T12:00:00Z",
                            1 + n % 28
                        ))
                        .unwrap()
                        .to_utc(),
                    }
                })
                .collect();
            let (db, clock) = (usage_db.clone(), clock.clone());
            pending.push(tokio::spawn(async move {
                edgebss::service::usage::record(&db, &clock, &Origin::cli(), batch)
                    .await
                    .unwrap()
                    .accepted
            }));
            // A few batches in flight, as concurrent senders would have them.
            if pending.len() >= 8 {
                pending.remove(0).await.unwrap();
            }
        }
        for p in pending {
            p.await.unwrap();
        }
    });
    let ingest = started.elapsed().as_secs_f64();
    let taken = count(&usage_db, "SELECT COUNT(*) FROM usage_records");
    println!(
        "ingested:    {taken} usage records in {ingest:.3} s = {:.0} records/s",
        taken as f64 / ingest
    );

    clock.set_date(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let (flat_secs, flat_cpu, flat_invoices) = bill(&flat_db, &clock);
    let (usage_secs, usage_cpu, usage_invoices) = bill(&usage_db, &clock);
    let lines = |db: &Db| count(db, "SELECT COUNT(*) FROM invoice_lines");
    println!(
        "flat run:    {flat_invoices} invoices, {} lines in {flat_secs:.3} s, {flat_cpu:.3} s of CPU = {:.0} invoices/s",
        lines(&flat_db),
        flat_invoices as f64 / flat_secs
    );
    println!(
        "usage run:   {usage_invoices} invoices, {} lines in {usage_secs:.3} s, {usage_cpu:.3} s of CPU = {:.0} invoices/s",
        lines(&usage_db),
        usage_invoices as f64 / usage_secs
    );
    println!(
        "ratio:       the usage run takes {:.2}x the flat run",
        usage_secs / flat_secs
    );
    let billed = count(
        &usage_db,
        "SELECT COUNT(*) FROM usage_totals WHERE billed_quantity = quantity",
    );
    println!("usage:       {billed} month totals billed");
    usage_db.close();
    flat_db.close();
}
