//! Bill-run benchmark: 100,000 customers with 150,000 subscriptions, billed for one month by the
//! real engine on a real database (synchronous = FULL, as shipped); then, in the same process,
//! a plain bulk insert of exactly the invoice and line rows the run created into a fresh database
//! of the same schema and data, in the same chunks. Prints invoices per second and the ratio.
//!
//!     cargo run --release --example bill_run_bench [-- CUSTOMERS]

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use edgebss::billing::run::{RunRequest, RunSettings, run};
use edgebss::db::invoices::{InvoiceWriter, NewInvoiceRow, NewLineRow};
use edgebss::db::sql_date::SqlDate;
use edgebss::db::{Db, DbOptions, Synchronous};
use edgebss::domain::clock::Clock;
use edgebss::domain::enums::{BillRunTrigger, InvoiceStatus, LineKind};
use edgebss::domain::ids::InvoiceId;
use edgebss::domain::money::Currency;
use edgebss::domain::period::Period;
use edgebss::error::ServiceError;
use rusqlite::{Connection, params};

const CHUNK: usize = 2000;

/// CPU time used so far by all threads of this process (Linux), so the figures can be read on a
/// machine that is busy with other work; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let mut total = 0_u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn cpu_since(start: Option<Duration>) -> String {
    match (start, cpu_time()) {
        (Some(a), Some(b)) => format!(", {:.3} s of CPU", (b - a).as_secs_f64()),
        _ => String::new(),
    }
}

fn open(dir: &std::path::Path) -> Db {
    Db::open(&DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Full,
        max_batch: 512,
        read_connections: 2,
    })
    .expect("database opens")
}

/// Customers `0..n`; every second one has two subscriptions (1.5 per customer); one in ten
/// subscriptions has an add-on. Nine in ten started before November and were billed through
/// November (the steady state: one line per item); the rest started during November, after its
/// run, and are billed for those days too.
fn seed(db: &Db, n: usize) {
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        let ts = "2026-01-01T00:00:00.000Z";
        for (id, name, kind, price) in [
            ("prd_fiber", "Fiber 500", "Broadband", 4999),
            ("prd_mobile", "Mobile Unlimited", "Mobile", 3500),
            ("prd_tv", "TV Essentials", "TV", 1499),
            ("prd_ip", "Static IP", "Addon", 500),
        ] {
            conn.execute(
                "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'USD', 'Active', ?5, ?5)",
                params![id, name, kind, price, ts],
            )?;
        }
        let mains = [
            ("prd_fiber", "Fiber 500", 4999),
            ("prd_mobile", "Mobile Unlimited", 3500),
            ("prd_tv", "TV Essentials", 1499),
        ];
        let mut cust = conn.prepare(
            "INSERT INTO customers (id, account_number, customer_type, status, first_name, \
             last_name, email, created_at, updated_at, tax_exempt) \
             VALUES (?1, ?2, 'Individual', 'Active', 'Test', 'Customer', 'c@example.com', ?3, ?3, ?4)",
        )?;
        let mut sub = conn.prepare(
            "INSERT INTO subscriptions (id, customer_id, product_id, product_name, status, \
             start_date, monthly_charge, currency, created_at, updated_at, billed_through, \
             charged_through) VALUES (?1, ?2, ?3, ?4, 'Active', ?5, ?6, 'USD', ?7, ?7, ?8, ?8)",
        )?;
        let mut addon = conn.prepare(
            "INSERT INTO subscription_addons (subscription_id, position, addon_id, addon_name, \
             charge, billed_through, charged_through) \
             VALUES (?1, 0, 'prd_ip', 'Static IP', 500, ?2, ?2)",
        )?;
        let mut s = 0_usize;
        for i in 0..n {
            let cid = format!("cus_{i:026}");
            cust.execute(params![cid, format!("ACC{i:09}"), ts, i.is_multiple_of(20)])?;
            for k in 0..(1 + i % 2) {
                s += 1;
                let (pid, name, price) = mains[(i + k) % 3];
                let sid = format!("sub_{s:026}");
                let (start, billed) = if s.is_multiple_of(10) {
                    (format!("2026-11-{:02}", 2 + s % 28), None)
                } else {
                    (format!("2026-{:02}-{:02}", 1 + s % 10, 1 + s % 28), Some("2026-11-30"))
                };
                sub.execute(params![sid, cid, pid, name, start, price, ts, billed])?;
                if s % 10 == 3 {
                    addon.execute(params![sid, billed])?;
                }
            }
        }
        Ok(())
    })
    .expect("seeded");
}

struct Counts {
    customers: i64,
    subscriptions: i64,
    addons: i64,
}

fn counts(conn: &Connection) -> Counts {
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get(0)).expect("count");
    Counts {
        customers: one("SELECT COUNT(*) FROM customers"),
        subscriptions: one("SELECT COUNT(*) FROM subscriptions"),
        addons: one("SELECT COUNT(*) FROM subscription_addons"),
    }
}

/// A line as stored: description, amount, kind, subscription, add-on, first and last day.
type StoredLine = (
    String,
    i64,
    LineKind,
    String,
    Option<String>,
    NaiveDate,
    NaiveDate,
);

/// An invoice row as stored, with its lines, to insert again elsewhere.
struct Stored {
    number: String,
    customer_id: String,
    status: InvoiceStatus,
    invoice_date: NaiveDate,
    due_date: NaiveDate,
    net: i64,
    tax: i64,
    lines: Vec<StoredLine>,
}

fn read_back(db: &Db) -> Vec<Stored> {
    db.read_blocking(|conn| -> Result<_, ServiceError> {
        let mut invoices: Vec<(String, Stored)> = conn
            .prepare(
                "SELECT id, invoice_number, customer_id, status, invoice_date, due_date, \
                 net_amount, tax_amount FROM invoices ORDER BY seq",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Stored {
                        number: r.get(1)?,
                        customer_id: r.get(2)?,
                        status: r.get(3)?,
                        invoice_date: r.get(4)?,
                        due_date: r.get(5)?,
                        net: r.get(6)?,
                        tax: r.get(7)?,
                        lines: Vec::new(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut lines = conn.prepare(
            "SELECT description, amount, kind, subscription_id, addon_id, period_start, \
             period_end FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
        )?;
        for (id, inv) in &mut invoices {
            inv.lines = lines
                .query_map([&*id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
        }
        Ok(invoices.into_iter().map(|(_, i)| i).collect())
    })
    .expect("read back")
}

/// Inserts `invoices` as they are, `CHUNK` customers per write job (one transaction each, as
/// the run commits), with the same statements the run uses.
fn bulk_insert(db: &Db, invoices: Vec<Stored>) -> Duration {
    let started = Instant::now();
    let mut rest = invoices;
    while !rest.is_empty() {
        let chunk: Vec<Stored> = rest.drain(..rest.len().min(CHUNK)).collect();
        db.write_blocking(move |conn| -> Result<(), ServiceError> {
            let mut writer = InvoiceWriter::new(conn)?;
            let date = |d: NaiveDate| SqlDate::new(d).expect("a date of 0000-9999");
            for inv in &chunk {
                let id = InvoiceId::generate();
                writer.invoice(&NewInvoiceRow {
                    id: &id,
                    number: &inv.number,
                    customer_id: &inv.customer_id,
                    status: inv.status,
                    invoice_date: date(inv.invoice_date),
                    due_date: date(inv.due_date),
                    currency: Currency::USD,
                    net: inv.net,
                    tax: inv.tax,
                    tax_rate: "20",
                    period: Some("2026-12"),
                    bill_run_id: Some("brn_bulk"),
                    now: "2026-12-01T00:00:00.000Z",
                })?;
                for (pos, (desc, amount, kind, sub, addon, first, last)) in
                    inv.lines.iter().enumerate()
                {
                    writer.line(
                        &id,
                        &NewLineRow {
                            position: pos as i64,
                            description: desc,
                            amount: *amount,
                            kind: *kind,
                            subscription_id: sub,
                            addon_id: addon.as_deref(),
                            period_start: date(*first),
                            period_end: date(*last),
                        },
                    )?;
                }
            }
            Ok(())
        })
        .expect("bulk insert");
    }
    started.elapsed()
}

fn main() {
    let customers: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let run_dir = tempfile::tempdir().expect("temp dir");
    let bulk_dir = tempfile::tempdir().expect("temp dir");
    let db = open(run_dir.path());
    let bulk_db = open(bulk_dir.path());
    let t = Instant::now();
    seed(&db, customers);
    seed(&bulk_db, customers);
    let c = db
        .read_blocking(|conn| Ok::<_, ServiceError>(counts(conn)))
        .expect("counts");
    println!(
        "seeded {} customers, {} subscriptions, {} add-ons (twice) in {:.1} s",
        c.customers,
        c.subscriptions,
        c.addons,
        t.elapsed().as_secs_f64()
    );

    let period = Period::parse("period", "2026-12").expect("period");
    let clock = Clock::system(chrono_tz::UTC);
    clock.set_date(period.first_day());
    let settings = RunSettings {
        bill_day: 1,
        tax_rate_percent: 20.into(),
        payment_terms_days: 14,
        chunk_customers: CHUNK,
    };
    let req = RunRequest {
        period,
        dry_run: false,
        trigger: BillRunTrigger::Cli,
        origin: edgebss::domain::origin::Origin::cli(),
    };
    let started = Instant::now();
    let cpu = cpu_time();
    let report = run(&db, &clock, &settings, req, &AtomicBool::new(false)).expect("bill run");
    let run_time = started.elapsed();
    let run_cpu = cpu_since(cpu);
    let invoices = read_back(&db);
    let lines: usize = invoices.iter().map(|i| i.lines.len()).sum();
    assert_eq!(invoices.len() as u64, report.invoices_created);

    let cpu = cpu_time();
    let bulk_time = bulk_insert(&bulk_db, invoices);
    let bulk_cpu = cpu_since(cpu);
    let n = report.invoices_created as f64;
    println!(
        "bill run:    {} invoices, {} lines in {:.3} s{run_cpu} = {:.0} invoices/s",
        report.invoices_created,
        lines,
        run_time.as_secs_f64(),
        n / run_time.as_secs_f64()
    );
    println!(
        "bulk insert: the same {} invoices and {} lines in {:.3} s{bulk_cpu} = {:.0} invoices/s",
        report.invoices_created,
        lines,
        bulk_time.as_secs_f64(),
        n / bulk_time.as_secs_f64()
    );
    println!(
        "ratio:       the run takes {:.2}x the bulk insert",
        run_time.as_secs_f64() / bulk_time.as_secs_f64()
    );
    for t in &report.totals {
        println!(
            "totals:      {} net {} tax {} total {}",
            t.currency, t.net_amount, t.tax_amount, t.total_amount
        );
    }
    db.close();
    bulk_db.close();
}
