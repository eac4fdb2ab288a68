//! Backups while the server writes, restores that check what they restore, and the daily backup.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edgebss::db::{Db, DbOptions, Synchronous, migrate};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};
use crate::lifecycle::edgebss;

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_write_load_restores_every_row_acknowledged_before_it() {
    let app = spawn_app().await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..8 {
        let req = app.request(reqwest::Method::POST, "/v1/customers");
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 5_000 {
                let res = req
                    .try_clone()
                    .unwrap()
                    .json(&json!({"customerType": "Business", "companyName": format!("L{w}-{i}"), "email": "l@example.com"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let c: Value = res.json().await.unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push(c["customerId"].as_str().unwrap().to_owned());
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let file = app.data_dir.path().join("under-load.db");
    let data_dir = app.data_dir.path().to_path_buf();
    let file_arg = file.to_str().unwrap().to_owned();
    let out =
        tokio::task::spawn_blocking(move || edgebss(&["backup", "--to", &file_arg], &data_dir))
            .await
            .unwrap();
    let during = acknowledged.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    assert!(
        acknowledged.lock().unwrap().len() > during,
        "writes went on after the backup"
    );
    assert!(before.len() > 20, "the load ran ({})", before.len());

    // Restoring while the server runs is refused.
    let out = edgebss(&["restore", file.to_str().unwrap()], app.data_dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("running"), "{}", stderr(&out));

    let fresh = tempfile::tempdir().unwrap();
    let out = edgebss(&["restore", file.to_str().unwrap()], fresh.path());
    assert!(out.status.success(), "restore failed: {}", stderr(&out));
    let restored = fresh.path().join("edgebss.db");
    assert_eq!(integrity(&restored), "ok");
    let conn = rusqlite::Connection::open(&restored).unwrap();
    for id in &before {
        let found: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            found,
            "customer {id}, acknowledged before the backup, is missing"
        );
    }
}

fn options(dir: &Path) -> DbOptions {
    DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Full,
        max_batch: 8,
        read_connections: 1,
    }
}

/// A closed data folder whose database holds `marker` in `app_meta`.
fn data_folder_with(marker: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&options(dir.path())).unwrap();
    db.close();
    let conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    conn.execute("INSERT INTO app_meta VALUES ('marker', ?1)", [marker])
        .unwrap();
    dir
}

fn marker(path: &Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT value FROM app_meta WHERE key = 'marker'", [], |r| {
            r.get(0)
        })
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn restore_checks_the_file_and_keeps_the_replaced_database_aside() {
    let live = data_folder_with("live");
    let other = data_folder_with("from backup");
    let backup = other.path().join("b.db");
    let out = edgebss(&["backup", "--to", backup.to_str().unwrap()], other.path());
    assert!(out.status.success(), "{}", stderr(&out));

    // Not a database: refused, nothing changed.
    let junk = other.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 8192]).unwrap();
    let out = edgebss(&["restore", junk.to_str().unwrap()], live.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot be restored"),
        "{}",
        stderr(&out)
    );

    // From a newer edgebss: refused, nothing changed.
    let newer = other.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
    let out = edgebss(&["restore", newer.to_str().unwrap()], live.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("schema version 999"),
        "{}",
        stderr(&out)
    );
    assert_eq!(marker(&live.path().join("edgebss.db")), "live");
    assert!(files_in(&live.path().join("backups")).is_empty());

    let out = edgebss(&["restore", backup.to_str().unwrap()], live.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(marker(&live.path().join("edgebss.db")), "from backup");
    let aside = files_in(&live.path().join("backups"));
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(aside[0].to_str().unwrap().contains("edgebss-replaced-"));
    assert_eq!(marker(&aside[0]), "live");
    assert!(String::from_utf8_lossy(&out.stdout).contains("edgebss-replaced-"));
    let conn = rusqlite::Connection::open(live.path().join("edgebss.db")).unwrap();
    assert_eq!(
        migrate::applied_version(&conn).unwrap(),
        migrate::latest_known_version()
    );
}

#[tokio::test]
async fn the_server_takes_the_day_s_backup_and_keeps_only_the_newest() {
    let app = spawn_app_with(|s| {
        s.backup.time = "00:00".into();
        s.backup.keep = 2;
        let dir = s.data_dir.join("backups");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "edgebss-scheduled-2026-11-23.db",
            "edgebss-scheduled-2026-11-24.db",
            "edgebss-scheduled-2026-11-25.db",
            "edgebss-manual-20261101T000000.000Z.db",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
    })
    .await;

    let dir = app.data_dir.path().join("backups");
    let today = dir.join("edgebss-scheduled-2026-11-26.db");
    let deadline = Instant::now() + Duration::from_secs(30);
    while files_in(&dir).len() != 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names: Vec<String> = files_in(&dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "edgebss-manual-20261101T000000.000Z.db",
            "edgebss-scheduled-2026-11-25.db",
            "edgebss-scheduled-2026-11-26.db",
        ]
    );
    assert_eq!(integrity(&today), "ok");
}
