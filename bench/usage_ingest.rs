//! Usage ingestion benchmark: batches of 1,000 records sent to `POST /v1/usage-records` of a
//! real server (synchronous = FULL, as shipped) by concurrent clients, every record new, every
//! batch touching 1,000 subscriptions; then the same use case called in process, without HTTP.
//! Prints records per second.
//!
//!     cargo run --release --example usage_ingest_bench [-- BATCHES CONNECTIONS]

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::NaiveDate;
use edgebss::config::Settings;
use edgebss::db::Db;
use edgebss::domain::clock::Clock;
use edgebss::domain::origin::Origin;
use edgebss::domain::scope::ScopeSet;
use edgebss::domain::usage::UsageRecordInput;
use edgebss::error::ServiceError;
use edgebss::startup::Application;
use rusqlite::params;

/// Subscriptions the records are spread over.
const SUBSCRIPTIONS: usize = 10_000;
const BATCH: usize = 1_000;

/// Customers `0..n` with one subscription each to a plan metering `data_gb`.
fn seed(db: &Db, n: usize) {
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        let ts = "2026-01-01T00:00:00.000Z";
        let price = r#"{"metric":"data_gb","name":"Data","unit":"GB","includedQuantity":"10","unitPrice":"1.00"}"#;
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

/// Batch `k`: 1,000 new records, one for each of 1,000 subscriptions, on a day of November.
fn batch(k: usize, prefix: &str) -> Vec<(String, String, String, String)> {
    (0..BATCH)
        .map(|j| {
            let n = k * BATCH + j;
            (
                format!("{prefix}-{n}"),
                format!("sub_{:026}", n % SUBSCRIPTIONS),
                format!("{}.{:03}", n % 7, n % 1000),
                format!("2026-11-{:02}T{:02}:00:00Z", 1 + n % 28, n % 24),
            )
        })
        .collect()
}

fn body(records: &[(String, String, String, String)]) -> String {
    let items: Vec<String> = records
        .iter()
        .map(|(id, sub, q, at)| {
            format!(
                r#"{{"recordId":"{id}","subscriptionId":"{sub}","metric":"data_gb","quantity":{q},"occurredAt":"{at}"}}"#
            )
        })
        .collect();
    format!(r#"{{"records":[{}]}}"#, items.join(","))
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let batches = args.first().copied().unwrap_or(300);
    let connections = args.get(1).copied().unwrap_or(8);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.billing.jobs = false;
    settings.backup.enabled = false;
    settings.log.level = "error".into();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let clock = Clock::system(chrono_tz::UTC);
        clock.set_date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let app = Application::build_with_clock(settings, clock.clone()).await.unwrap();
        let state = app.state();
        let url = format!("http://127.0.0.1:{}/v1/usage-records", app.port());
        tokio::spawn(app.run_until_stopped());
        let db = state.db.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || seed(&db, SUBSCRIPTIONS)).await.unwrap();
        println!(
            "seeded {SUBSCRIPTIONS} subscriptions in {:.1} s (synchronous = FULL)",
            t.elapsed().as_secs_f64()
        );
        let created = edgebss::service::clients::create(
            &state.db,
            &clock,
            &Origin::cli(),
            Some(&state.auth),
            "bench",
            ScopeSet::all(),
        )
        .await
        .unwrap();
        let token = state
            .auth
            .issue(&created.client.client_id, ScopeSet::all())
            .unwrap()
            .access_token;
        // Every body is made before the clock starts: the clients share the two cores with the
        // server, and building JSON is not what is measured.
        let bodies: Vec<String> = (0..batches).map(|k| body(&batch(k, "http"))).collect();
        let client = reqwest::Client::new();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(bodies));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (queue, client, url, token) =
                (queue.clone(), client.clone(), url.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut accepted = 0_u64;
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(body) = next else { break };
                    let res = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 200);
                    let v: serde_json::Value = res.json().await.unwrap();
                    accepted += v["accepted"].as_u64().unwrap();
                }
                accepted
            }));
        }
        let mut accepted = 0;
        for t in tasks {
            accepted += t.await.unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(accepted as usize, batches * BATCH, "every record taken");
        println!(
            "HTTP:       {accepted} records in {batches} batches of {BATCH}, {connections} connections, \
             in {secs:.3} s = {:.0} records/s",
            accepted as f64 / secs
        );
        // The same use case in process: what the writer and the checks cost without HTTP/JSON.
        let inputs: Vec<Vec<UsageRecordInput>> = (0..batches)
            .map(|k| {
                batch(k, "direct")
                    .into_iter()
                    .map(|(id, sub, q, at)| UsageRecordInput {
                        record_id: id,
                        subscription_id: sub,
                        metric: "data_gb".into(),
                        quantity: q,
                        occurred_at: chrono::DateTime::parse_from_rfc3339(&at).unwrap().to_utc(),
                    })
                    .collect()
            })
            .collect();
        let started = Instant::now();
        let mut calls = Vec::new();
        for records in inputs {
            let (db, clock) = (state.db.clone(), clock.clone());
            calls.push(tokio::spawn(async move {
                edgebss::service::usage::record(&db, &clock, &Origin::cli(), records)
                    .await
                    .unwrap()
                    .accepted
            }));
        }
        let mut accepted = 0;
        for c in calls {
            accepted += c.await.unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "in process: {accepted} records in {batches} batches of {BATCH} in {secs:.3} s = {:.0} records/s",
            accepted as f64 / secs
        );
        let writer = state.db.writer_stats();
        let ordering = std::sync::atomic::Ordering::Relaxed;
        println!(
            "writer:     {} write jobs in {} commits",
            writer.jobs.load(ordering),
            writer.batches.load(ordering)
        );
    });
}
