//! Upgrading: a database made by an older edgebss (the first migration only) is migrated by
//! this one at start-up, after a backup of it was taken, and its data reads back.

use edgebss::db::{Db, DbOptions, Synchronous, migrate};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app_with;

const CUSTOMER: &str = "cus_01JD0000000000000000000042";

/// A data folder holding a database at schema version 1 with one customer.
fn old_data_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
    migrate::run_up_to(&mut conn, 1).unwrap();
    conn.execute(
        "INSERT INTO customers (id, account_number, customer_type, status, first_name, last_name, \
         email, created_at, updated_at) VALUES (?1, 'ACC000000422', 'Individual', 'Active', 'Ada', \
         'Lovelace', 'ada@example.com', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')",
        [CUSTOMER],
    )
    .unwrap();
    assert_eq!(migrate::applied_version(&conn).unwrap(), 1);
    dir
}

#[tokio::test]
async fn an_older_database_is_backed_up_then_migrated_and_its_data_reads_back() {
    assert!(
        migrate::latest_known_version() > 1,
        "this binary has migrations after the first"
    );
    let old = old_data_folder();
    let data_dir = old.path().to_path_buf();

    let app = spawn_app_with(|s| s.data_dir = data_dir).await;

    let backups: Vec<_> = std::fs::read_dir(old.path().join("backups"))
        .expect("a backups folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = backups[0].file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("edgebss-pre-migration-v1-"), "{name}");
    let backup = rusqlite::Connection::open(&backups[0]).unwrap();
    assert_eq!(migrate::applied_version(&backup).unwrap(), 1);
    let kept: String = backup
        .query_row(
            "SELECT last_name FROM customers WHERE id = ?1",
            [CUSTOMER],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, "Lovelace");

    let live = rusqlite::Connection::open(old.path().join("edgebss.db")).unwrap();
    assert_eq!(
        migrate::applied_version(&live).unwrap(),
        migrate::latest_known_version()
    );
    let res = app.get(&format!("/v1/customers/{CUSTOMER}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let customer: Value = res.json().await.unwrap();
    assert_eq!(customer["lastName"], "Lovelace");
    assert_eq!(customer["accountNumber"], "ACC000000422");

    // Opened again, now current: no second backup.
    let again = Db::open(&DbOptions {
        path: old.path().join("edgebss.db"),
        synchronous: Synchronous::Full,
        max_batch: 1,
        read_connections: 1,
    })
    .unwrap();
    again.close();
    let backups = std::fs::read_dir(old.path().join("backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 1, "only the first start migrated");
}

#[test]
fn bill_runs_recorded_before_the_admin_trigger_keep_their_totals_through_its_migration() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
        .unwrap();
    migrate::run_up_to(&mut conn, 7).unwrap();
    conn.execute_batch(
        "INSERT INTO bill_runs (id, period, status, trigger, invoice_date, started_at, \
           finished_at, invoices_created) \
         VALUES ('brn_01JD0000000000000000000001', '2026-11', 'Completed', 'Cli', '2026-11-01', \
           '2026-11-01T00:00:05.000Z', '2026-11-01T00:00:09.000Z', 2); \
         INSERT INTO bill_run_totals (bill_run_id, currency, invoices, net_amount, tax_amount, \
           total_amount) VALUES ('brn_01JD0000000000000000000001', 'USD', 2, 9998, 2000, 11998);",
    )
    .unwrap();
    let admin = "INSERT INTO bill_runs (id, period, status, trigger, invoice_date, started_at) \
         VALUES ('brn_01JD0000000000000000000002', '2026-12', 'Running', 'Admin', '2026-12-01', \
           '2026-12-01T00:00:05.000Z')";
    assert!(conn.execute(admin, []).is_err(), "version 7 has no Admin");

    migrate::run(&mut conn).unwrap();

    let (trigger, created, total): (String, i64, i64) = conn
        .query_row(
            "SELECT r.trigger, r.invoices_created, t.total_amount FROM bill_runs r \
             JOIN bill_run_totals t ON t.bill_run_id = r.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((trigger.as_str(), created, total), ("Cli", 2, 11998));
    let broken: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    conn.execute(admin, []).unwrap();
    let orphan = conn.execute(
        "INSERT INTO bill_run_totals (bill_run_id, currency, invoices, net_amount, tax_amount, \
         total_amount) VALUES ('brn_01JD0000000000000000000099', 'USD', 1, 1, 0, 1)",
        [],
    );
    assert!(orphan.is_err(), "totals still need their run");
}

#[test]
fn e_mails_queued_before_credit_notes_were_e_mailed_are_kept_and_still_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    migrate::run_up_to(&mut conn, 11).unwrap();
    conn.execute(
        "INSERT INTO email_messages (id, message_id, kind, to_address, status, next_attempt_at, \
         created_at, created_by) VALUES ('eml_01JD0000000000000000000001', '<m1@example.net>', \
         'Test', 'ops@example.net', 'Pending', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', \
         'cli')",
        [],
    )
    .unwrap();
    migrate::run(&mut conn).unwrap();
    let (kind, status, due): (String, String, i64) = conn
        .query_row(
            "SELECT kind, status, (SELECT count(*) FROM email_messages \
              WHERE status = 'Pending' AND next_attempt_at <= '2026-12-02') \
             FROM email_messages WHERE message_id = '<m1@example.net>'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), status.as_str(), due),
        ("Test", "Pending", 1)
    );
    // A credit note message must carry its credit note.
    let refused = conn.execute(
        "INSERT INTO email_messages (id, message_id, kind, to_address, status, created_at, \
         created_by) VALUES ('eml_01JD0000000000000000000002', '<m2@example.net>', \
         'CreditNote', 'ops@example.net', 'Pending', '2026-12-01T00:00:00Z', 'cli')",
        [],
    );
    assert!(refused.is_err());
}
