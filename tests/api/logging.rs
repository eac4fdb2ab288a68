//! What the server logs about requests, read from the real binary's standard error: nothing for
//! an ordinary request at the default level; a line with the request id for a server error and
//! for a slow request; a line per request with `log.access = true`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::durability::{create_client_with_cli, free_port, get_token, wait_ready};

struct Server {
    child: Child,
    log: PathBuf,
    base: String,
    client: reqwest::Client,
    token: String,
}

impl Server {
    /// Starts `edgebss serve` at the default log level with `env` added, its standard error
    /// going to a file.
    async fn start(dir: &Path, env: &[(&str, &str)]) -> Self {
        let (id, secret) = create_client_with_cli(dir);
        let port = free_port();
        let log = dir.join("stderr.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
        cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir)
            .env_remove("RUST_LOG")
            .env_remove("EDGEBSS_LOG__LEVEL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("edgebss starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        wait_ready(&client, &base).await;
        let token = get_token(&client, &base, &id, &secret).await;
        Self {
            child,
            log,
            base,
            client,
            token,
        }
    }

    /// Sends a request; returns its status and request id.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        (res.status().as_u16(), id)
    }

    /// The log once the server has stopped (so every queued line is written).
    fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap();
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn lines_with<'a>(log: &'a [String], needle: &str) -> Vec<&'a String> {
    log.iter().filter(|l| l.contains(needle)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordinary_requests_write_no_log_line_at_the_default_level() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let mut ids = Vec::new();
    let (status, id) = server
        .call(
            reqwest::Method::POST,
            "/v1/customers",
            Some(
                json!({"customerType": "Individual", "firstName": "Ada", "lastName": "L",
                        "email": "ada@example.com"}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    ids.push(id);
    for path in [
        "/v1/customers",
        "/v1/products",
        "/v1/customers/cus_nothere",
        "/healthz",
    ] {
        let (_, id) = server.call(reqwest::Method::GET, path, None).await;
        ids.push(id);
    }
    let log = server.stop();
    for id in &ids {
        assert!(
            lines_with(&log, id).is_empty(),
            "request {id} was logged: {log:#?}"
        );
    }
    assert!(lines_with(&log, "/v1/customers").is_empty(), "{log:#?}");
    assert!(
        !lines_with(&log, "listening on").is_empty(),
        "the start-up line is there, so the log was captured: {log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_logged_with_its_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (status, _) = server
        .call(
            reqwest::Method::POST,
            "/v1/customers",
            Some(
                json!({"customerType": "Business", "companyName": "Broken Ltd",
                        "email": "broken@example.com"}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    // A row the server cannot read (written behind its back, bypassing the CHECK constraint).
    let conn = rusqlite::Connection::open(dir.path().join("edgebss.db")).unwrap();
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON; \
         UPDATE customers SET status = 'Bogus' WHERE email = 'broken@example.com';",
    )
    .unwrap();
    let id: String = conn
        .query_row(
            "SELECT id FROM customers WHERE email = 'broken@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let (status, request_id) = server
        .call(reqwest::Method::GET, &format!("/v1/customers/{id}"), None)
        .await;
    assert_eq!(status, 500);
    let log = server.stop();
    let lines = lines_with(&log, &request_id);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("request failed") && l.contains("status=500")),
        "no line for the 500 with its request id {request_id}: {log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_is_logged_with_its_request_id() {
    let dir = tempfile::tempdir().unwrap();
    // Every request counts as slow at 0 ms.
    let server = Server::start(dir.path(), &[("EDGEBSS_LOG__SLOW_REQUEST_MS", "0")]).await;
    let (status, request_id) = server
        .call(reqwest::Method::GET, "/v1/products", None)
        .await;
    assert_eq!(status, 200);
    let log = server.stop();
    let lines = lines_with(&log, &request_id);
    assert_eq!(lines.len(), 1, "{log:#?}");
    assert!(lines[0].contains("slow request") && lines[0].contains("/v1/products"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_writes_one_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("EDGEBSS_LOG__ACCESS", "true")]).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(
            server
                .call(reqwest::Method::GET, "/v1/customers", None)
                .await
                .1,
        );
    }
    ids.push(
        server
            .call(reqwest::Method::GET, "/v1/customers/cus_nothere", None)
            .await
            .1,
    );
    let log = server.stop();
    for id in &ids {
        let lines = lines_with(&log, id);
        assert_eq!(lines.len(), 1, "request {id}: {log:#?}");
        assert!(lines[0].contains("edgebss::access"), "{}", lines[0]);
    }
    assert!(lines_with(&log, "edgebss::access").len() >= ids.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_a_visitor_to_sign_in_is_not_logged_as_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = browser
        .get(format!("{}/admin/customers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let log = server.stop();
    assert!(lines_with(&log, &id).is_empty(), "{log:#?}");
    assert!(lines_with(&log, "ERROR").is_empty(), "{log:#?}");
}
