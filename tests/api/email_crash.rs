//! The e-mail outbox survives `kill -9`: messages pending while the SMTP server is down each
//! arrive exactly once after the server and edgebss are back.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::durability::{create_client_with_cli, free_port, get_token, wait_ready};
use crate::smtp::SmtpSink;

fn start(data_dir: &Path, port: u16, smtp: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args([
            "serve",
            "--now",
            "2026-12-01",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "error")
        .env("EDGEBSS_BILLING__JOBS", "false")
        .env("EDGEBSS_EMAIL__SMTP_HOST", "127.0.0.1")
        .env("EDGEBSS_EMAIL__SMTP_PORT", smtp.to_string())
        .env("EDGEBSS_EMAIL__TLS", "off")
        .env("EDGEBSS_EMAIL__FROM", "billing@harbour.example")
        .env("EDGEBSS_EMAIL__TIMEOUT_SECONDS", "2")
        .env(
            "EDGEBSS_EMAIL__RETRY_SECONDS",
            "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("edgebss starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_emails_pending_at_kill_9_each_arrive_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (port, mut sink) = (free_port(), SmtpSink::stopped(free_port()));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (client_id, secret) = create_client_with_cli(dir.path());
    let mut server = start(dir.path(), port, sink.port);
    wait_ready(&client, &base).await;
    let token = get_token(&client, &base, &client_id, &secret).await;
    let product = "prd_01JAAAAAAAAAAAAAAAAAAAAAAA";
    rusqlite::Connection::open(dir.path().join("edgebss.db"))
        .unwrap()
        .execute(
            "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
             created_at, updated_at) VALUES (?1, 'Fiber 500', 'Broadband', 4999, 'USD', \
             'Active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            [product],
        )
        .unwrap();
    let post = |path: String, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for i in 0..8 {
        let res = post(
            "/v1/customers".into(),
            json!({"customerType": "Individual", "firstName": "Crash", "lastName": format!("Test{i}"), "email": format!("crash{i}@example.com")}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 201);
        let c: Value = res.json().await.unwrap();
        let res = post(
            format!(
                "/v1/customers/{}/subscriptions",
                c["customerId"].as_str().unwrap()
            ),
            json!({"productId": product, "startDate": "2026-12-01"}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 201);
    }
    let res = post("/v1/bill-runs".into(), json!({"period": "2026-12"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let run: Value = res.json().await.unwrap();
    assert_eq!(run["invoicesCreated"], 8);
    // The SMTP server is down: every message is tried and stays pending.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();

    sink.up();
    let mut server = start(dir.path(), port, sink.port);
    wait_ready(&client, &base).await;
    let got = sink.wait_for(8, 60).await;
    // Time for any second copy to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(sink.count(), 8, "each message once");
    let numbers: HashSet<String> = got
        .iter()
        .map(|m| m["attachments"][0]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(numbers.len(), 8, "eight different invoices");
    let ids: HashSet<&str> = got
        .iter()
        .map(|m| m["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
}
