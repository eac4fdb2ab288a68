//! The real binary as a service manager runs it: SIGTERM stops it gracefully (requests in flight
//! answered, writes kept, WAL checkpointed, exit 0), logs carry the request id, HTTPS works and
//! `edgebss healthcheck` follows it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Starts `edgebss serve` on `port` with its data in `data_dir`; `env` adds settings.
pub fn start_server(data_dir: &Path, port: u16, env: &[(&str, &str)], stderr: Stdio) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("edgebss starts")
}

/// Runs an `edgebss` subcommand to completion.
pub fn edgebss(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs")
}

pub use crate::helpers::free_port;

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
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

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn customer_body(name: &str) -> String {
    json!({"customerType": "Business", "companyName": name, "email": "ops@example.com"}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_answers_requests_in_flight_keeps_every_write_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (client_id, secret) = crate::durability::create_client_with_cli(dir.path());
    let mut server = start_server(dir.path(), port, &[], Stdio::null());
    wait_ready(&client, &base).await;
    let token = crate::durability::get_token(&client, &base, &client_id, &secret).await;

    // A request in flight: headers and half the body sent, the rest only after SIGTERM.
    let body = customer_body("In Flight Ltd");
    let (head, tail) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        in_flight,
        "POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    in_flight.flush().unwrap();

    // And a write load running when the signal arrives.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (client, base, acknowledged) = (client.clone(), base.clone(), acknowledged.clone());
        let token = token.clone();
        workers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let sent = client
                    .post(format!("{base}/v1/customers"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(customer_body(&format!("Load {w}-{i}")))
                    .send()
                    .await;
                let Ok(res) = sent else { break };
                assert_eq!(res.status(), 201, "a request the server accepted failed");
                let created: Value = res.json().await.expect("a complete answer");
                acknowledged
                    .lock()
                    .unwrap()
                    .push(created["customerId"].as_str().unwrap().to_owned());
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;

    sigterm(&server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    in_flight.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    in_flight
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    in_flight.read_to_string(&mut answer).unwrap();

    let status = wait_exit(&mut server);
    for w in workers {
        w.await.expect("no worker saw a failed request");
    }

    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the request in flight was answered: {answer}"
    );
    assert!(status.success(), "exit status {status:?}");
    let wal = dir.path().join("edgebss.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was checkpointed into the database"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the load ran ({})",
        acknowledged.len()
    );
    let conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    for id in &acknowledged {
        let found: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(found, "acknowledged customer {id} is missing");
    }
    let in_flight_stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM customers WHERE company_name = 'In Flight Ltd'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_flight_stored, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_returned_to_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let log = dir.path().join("stderr.log");
    let mut server = start_server(
        &dir.path().join("data"),
        port,
        &[
            ("EDGEBSS_LOG__FORMAT", "json"),
            ("EDGEBSS_LOG__LEVEL", "info"),
            // At the default level an ordinary request writes no line (tests/api/logging.rs).
            ("EDGEBSS_LOG__ACCESS", "true"),
        ],
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    wait_ready(&client, &base).await;

    let res = client
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    sigterm(&server);
    assert!(wait_exit(&mut server).success());

    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|l| l.to_string().contains(&request_id))
        .collect();
    assert!(
        of_request
            .iter()
            .any(|l| l["message"] == "request finished" && l["status"] == 404),
        "the request's line carries its id: {lines:#?}"
    );
    for line in lines.iter().filter(|l| l["message"] == "request finished") {
        let spans = line["spans"].as_array().expect("span list");
        assert!(
            spans.iter().any(|s| s["request_id"].is_string()),
            "every request line has a request id: {line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_certificate_the_server_speaks_https_and_healthcheck_follows() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let config = dir.path().join("edgebss.toml");
    let port = free_port();
    std::fs::write(
        &config,
        format!(
            "bind = \"127.0.0.1:{port}\"\n[tls]\ncert = {:?}\nkey = {:?}\n",
            cert_path, key_path
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut server = Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .arg("serve")
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let healthcheck = || {
        Command::new(env!("CARGO_BIN_EXE_edgebss"))
            .arg("--config")
            .arg(&config)
            .arg("healthcheck")
            .output()
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut out = healthcheck();
    while !out.status.success() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        out = healthcheck();
    }
    assert!(
        out.status.success(),
        "healthcheck: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("https://"));

    // A client that trusts the certificate is served over TLS; plain HTTP gets nothing.
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_der(cert.cert.der()).unwrap())
        .build()
        .unwrap();
    let res = trusting
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await;
    assert!(
        plain.map(|r| !r.status().is_success()).unwrap_or(true),
        "plain HTTP is not served"
    );

    sigterm(&server);
    assert!(wait_exit(&mut server).success());
}
