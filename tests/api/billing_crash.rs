//! Crash safety of the bill run: the real binary's `bill-run` on 10,000 customers is killed
//! with SIGKILL mid-way, then run again; the result must equal an uninterrupted run on a copy of
//! the same data: exactly one invoice per customer, same numbers, same amounts.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

const CUSTOMERS: usize = 10_000;

fn edgebss(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_NOW", "2026-12-01")
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .env("EDGEBSS_BILLING__TAX_RATE_PERCENT", "20")
        // Small chunks: many commits, so the kill lands in the middle of the run.
        .env("EDGEBSS_BILLING__RUN_CHUNK_CUSTOMERS", "50");
    cmd
}

fn bill_run(data_dir: &Path) -> Output {
    let out = edgebss(data_dir)
        .args(["bill-run", "--period", "2026-12"])
        .output()
        .expect("edgebss runs");
    assert!(
        out.status.success(),
        "bill-run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Creates the schema with the binary, then 10,000 customers with 1 or 2 subscriptions, some
/// with an add-on, starting on different days of October and November.
fn seed(data_dir: &Path) {
    let out = edgebss(data_dir).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut conn = Connection::open(data_dir.join("edgebss.db")).unwrap();
    let tx = conn.transaction().unwrap();
    let ts = "2026-10-01T00:00:00.000Z";
    for (id, name, kind, price) in [
        (
            "prd_01J0000000000000000000000A",
            "Fiber 500",
            "Broadband",
            4999,
        ),
        (
            "prd_01J0000000000000000000000B",
            "Mobile Unlimited",
            "Mobile",
            3500,
        ),
        (
            "prd_01J0000000000000000000000C",
            "TV Essentials",
            "TV",
            1499,
        ),
        ("prd_01J0000000000000000000000D", "Static IP", "Addon", 500),
    ] {
        tx.execute(
            "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'USD', 'Active', ?5, ?5)",
            params![id, name, kind, price, ts],
        )
        .unwrap();
    }
    let mains = [
        ("prd_01J0000000000000000000000A", "Fiber 500", 4999),
        ("prd_01J0000000000000000000000B", "Mobile Unlimited", 3500),
        ("prd_01J0000000000000000000000C", "TV Essentials", 1499),
    ];
    let mut sub_n = 0;
    for i in 0..CUSTOMERS {
        let cid = format!("cus_01J{i:023}");
        tx.execute(
            "INSERT INTO customers (id, account_number, customer_type, status, first_name, \
             last_name, email, created_at, updated_at, tax_exempt) \
             VALUES (?1, ?2, 'Individual', 'Active', 'Test', ?3, 'c@example.com', ?4, ?4, ?5)",
            params![
                cid,
                format!("ACC{i:09}"),
                format!("N{i}"),
                ts,
                i.is_multiple_of(10)
            ],
        )
        .unwrap();
        for k in 0..(1 + i % 2) {
            let (pid, name, price) = mains[(i + k) % 3];
            let start = format!("2026-{}-{:02}", 10 + (i + k) % 2, 1 + (i * 7 + k) % 30);
            sub_n += 1;
            let sid = format!("sub_01J{sub_n:023}");
            tx.execute(
                "INSERT INTO subscriptions (id, customer_id, product_id, product_name, status, \
                 start_date, monthly_charge, currency, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'Active', ?5, ?6, 'USD', ?7, ?7)",
                params![sid, cid, pid, name, start, price, ts],
            )
            .unwrap();
            if i.is_multiple_of(4) && k == 0 {
                tx.execute(
                    "INSERT INTO subscription_addons (subscription_id, position, addon_id, \
                     addon_name, charge) VALUES (?1, 0, 'prd_01J0000000000000000000000D', \
                     'Static IP', 500)",
                    [&sid],
                )
                .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn count_invoices(db: &Path) -> i64 {
    let Ok(conn) = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM invoices", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Every invoice with its lines, in customer order: what must not depend on the crash.
fn invoices(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT i.customer_id, i.invoice_number, i.status, i.invoice_date, i.net_amount, \
             i.tax_amount, i.total_amount, \
             (SELECT group_concat(l.description || '=' || l.amount, '; ') FROM \
               (SELECT * FROM invoice_lines l WHERE l.invoice_id = i.id ORDER BY position) l) \
             FROM invoices i ORDER BY i.customer_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{} {} {} {} {}+{}={} [{}]",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, String>(7)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn kill_9_in_the_middle_of_a_bill_run_then_rerunning_it_bills_each_customer_exactly_once() {
    let crashed = tempfile::tempdir().unwrap();
    let clean = tempfile::tempdir().unwrap();
    seed(crashed.path());
    std::fs::copy(
        crashed.path().join("edgebss.db"),
        clean.path().join("edgebss.db"),
    )
    .unwrap();
    let db = crashed.path().join("edgebss.db");

    // The uninterrupted run, on the copy.
    let out = bill_run(clean.path());
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains(&format!("invoices       {CUSTOMERS}")),
        "{summary}"
    );

    // The same run, killed once some chunks have committed.
    let mut child = edgebss(crashed.path())
        .args(["bill-run", "--period", "2026-12"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while count_invoices(&db) < 1000 {
        assert!(Instant::now() < deadline, "the run did not start billing");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix.
    child.wait().unwrap();
    let at_kill = count_invoices(&db);
    assert!(
        (1000..CUSTOMERS as i64).contains(&at_kill),
        "killed mid-way ({at_kill} invoices stored)"
    );

    // Again: it finishes the job, creating only what was missing.
    let out = bill_run(crashed.path());
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains(&format!("invoices       {}", CUSTOMERS as i64 - at_kill)),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("{at_kill} already invoiced")),
        "{summary}"
    );

    let after_crash = invoices(&db);
    assert_eq!(after_crash.len(), CUSTOMERS, "one invoice per customer");
    assert_eq!(after_crash, invoices(&clean.path().join("edgebss.db")));
    let conn = Connection::open(&db).unwrap();
    let (check, last_number): (String, i64) = (
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap(),
        conn.query_row(
            "SELECT last_number FROM invoice_number_counters WHERE year = 2026",
            [],
            |r| r.get(0),
        )
        .unwrap(),
    );
    assert_eq!(check, "ok");
    assert_eq!(last_number, CUSTOMERS as i64, "numbers are gapless");
    let runs: Vec<String> = conn
        .prepare("SELECT status FROM bill_runs ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(runs, ["Interrupted", "Completed"]);
}
