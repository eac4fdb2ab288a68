//! Acknowledged writes survive `kill -9`: run the real binary, load it with POSTs, kill it
//! mid-load, and find every customer whose POST got a 201.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub fn start(data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("edgebss starts")
}

/// Creates an API client with every scope by running `edgebss client create --json` against the
/// data folder, as an operator would; returns its id and secret.
pub fn create_client_with_cli(data_dir: &std::path::Path) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args([
            "client",
            "create",
            "--name",
            "load test",
            "--scopes",
            "all",
            "--json",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss client create runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    (
        created["clientId"].as_str().unwrap().to_owned(),
        created["clientSecret"].as_str().unwrap().to_owned(),
    )
}

/// Gets an access token from a running server with the client-credentials grant.
pub async fn get_token(client: &reqwest::Client, base: &str, id: &str, secret: &str) -> String {
    let res = client
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

pub use crate::helpers::free_port;

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_post_load_loses_no_acknowledged_customer() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let (client_id, secret) = create_client_with_cli(dir.path());
    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    let token = get_token(&client, &base, &client_id, &secret).await;

    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for w in 0..32 {
        let client = client.clone();
        let base = base.clone();
        let acknowledged = acknowledged.clone();
        let token = token.clone();
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let res = client
                    .post(format!("{base}/v1/customers"))
                    .bearer_auth(&token)
                    .json(&json!({"customerType": "Business", "companyName": format!("W{w} #{i}"), "email": format!("w{w}.{i}@example.com")}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        let body: Value = match r.json().await {
                            Ok(b) => b,
                            Err(_) => break,
                        };
                        acknowledged.lock().unwrap().push(body["customerId"].as_str().unwrap().to_owned());
                    }
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix.
    server.wait().unwrap();
    for w in workers {
        let _ = w.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 50,
        "the load ran ({} acknowledged)",
        acknowledged.len()
    );

    // Restart: recovery replays the WAL; then every acknowledged customer must be there.
    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    // Tokens outlive a restart: same keys, same client.
    for id in &acknowledged {
        let r = client
            .get(format!("{base}/v1/customers/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged customer {id} is missing");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let stored: i64 = conn
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert!(stored as usize >= acknowledged.len());
    let counted: i64 = conn
        .query_row(
            "SELECT SUM(n) FROM customer_list_counts WHERE key = '*'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counted, stored, "list totals match the rows after recovery");
}
