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
