use edgebss::db::{Db, DbError, DbOptions, Synchronous};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn options(dir: &std::path::Path, max_batch: usize) -> DbOptions {
    DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Full,
        max_batch,
        read_connections: 2,
    }
}

#[derive(Debug)]
struct JobError(#[allow(dead_code)] String);

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError(e.to_string())
    }
}

#[tokio::test]
async fn concurrent_writes_are_committed_together_and_all_acknowledged() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let req = app.request(reqwest::Method::POST, "/v1/customers");
        tasks.push(tokio::spawn(async move {
            req
                .json(&json!({"customerType": "Government", "companyName": format!("Agency {i}"), "email": format!("a{i}@example.gov")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let list: Value = app
        .get("/v1/customers?pageSize=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["totalItems"], 200);
    let stats = app.state.db.writer_stats();
    let jobs = stats.jobs.load(std::sync::atomic::Ordering::Relaxed);
    let batches = stats.batches.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        batches < jobs,
        "200 concurrent writes should share commits ({batches} batches for {jobs} jobs)"
    );
}

#[tokio::test]
async fn a_failing_write_rolls_back_alone_within_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&options(dir.path(), 64)).unwrap();
    let mut answers = Vec::new();
    for i in 0..50_i64 {
        let db = db.clone();
        answers.push(tokio::spawn(async move {
            db.write(move |conn| -> Result<(), JobError> {
                conn.execute(
                    "INSERT INTO app_meta (key, value) VALUES (?1, 'x')",
                    [format!("k{i}")],
                )?;
                if i % 5 == 0 {
                    // Violates the primary key: this job, and only this one, must roll back.
                    conn.execute(
                        "INSERT INTO app_meta (key, value) VALUES (?1, 'y')",
                        [format!("k{i}")],
                    )?;
                }
                Ok(())
            })
            .await
        }));
    }
    let mut failed = 0;
    for a in answers {
        if a.await.unwrap().is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 10);
    let stored: i64 = db
        .read(|c| {
            c.query_row("SELECT COUNT(*) FROM app_meta", [], |r| r.get(0))
                .map_err(JobError::from_sql)
        })
        .await
        .unwrap();
    assert_eq!(stored, 40);
    db.close();
}

impl JobError {
    fn from_sql(e: rusqlite::Error) -> Self {
        JobError(e.to_string())
    }
}

impl From<rusqlite::Error> for JobError {
    fn from(e: rusqlite::Error) -> Self {
        JobError(e.to_string())
    }
}

#[tokio::test]
async fn a_database_from_a_newer_edgebss_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&options(dir.path(), 8)).unwrap();
    db.close();
    let path = dir.path().join("edgebss.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let err = Db::open(&options(dir.path(), 8)).err().expect("refused");

    let msg = format!("{err:#}");
    assert!(
        msg.contains("schema version 999") && msg.contains("newer"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was not modified"
    );
}

#[tokio::test]
async fn reopening_keeps_every_row_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&options(dir.path(), 8)).unwrap();
    db.write(|c| -> Result<usize, JobError> {
        Ok(c.execute("INSERT INTO app_meta VALUES ('a', 'b')", [])?)
    })
    .await
    .unwrap();
    db.close();
    let db = Db::open(&options(dir.path(), 8)).unwrap();
    let (v, check): (String, String) = db
        .read(|c| -> Result<_, JobError> {
            Ok((
                c.query_row("SELECT value FROM app_meta WHERE key = 'a'", [], |r| {
                    r.get(0)
                })?,
                c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((v.as_str(), check.as_str()), ("b", "ok"));
    db.close();
}
