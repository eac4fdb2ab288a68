//! A branch edge run as the real binary, forwarding to the test's hub, and the API calls the
//! branch tests make on it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::{Value, json};

use super::servers::{Hub, free_port, password};
use crate::durability::{create_client_with_cli, get_token, wait_ready};

pub struct Edge {
    pub site: String,
    pub dir: PathBuf,
    pub base: String,
    pub http: reqwest::Client,
    token: Arc<RwLock<String>>,
    client: (String, String),
    /// A product of the edge's catalog, to subscribe customers to.
    pub product: String,
    port: u16,
    hub_url: String,
    extra: Vec<(String, String)>,
    child: Option<Child>,
}

impl Edge {
    /// Starts site `site` in `dir`, forwarding to `hub` through the JetStream domain `hub`.
    pub async fn start(site: &str, dir: &Path, hub: &Hub, extra: &[(&str, &str)]) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let client = create_client_with_cli(dir);
        // The catalog is not forwarded (head office receives subscriptions with their product's
        // name), so one product put in directly serves.
        let product = edgebss::domain::ids::ProductId::generate()
            .as_str()
            .to_owned();
        rusqlite::Connection::open(dir.join("edgebss.db"))
            .unwrap()
            .execute(
                "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
                 created_at, updated_at) VALUES (?1, 'Fiber 500', 'Broadband', 4999, 'EUR', \
                 'Active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                [&product],
            )
            .unwrap();
        let port = free_port();
        let mut edge = Self {
            site: site.to_owned(),
            dir: dir.to_path_buf(),
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            token: Arc::default(),
            client,
            product,
            port,
            hub_url: hub.url(),
            extra: extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            child: None,
        };
        edge.restart().await;
        edge
    }

    /// Starts the process (again) and takes a fresh token.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "the edge is running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.with_extension("log"))
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
        cmd.args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .arg("--data-dir")
            .arg(&self.dir)
            .env_remove("EDGEBSS_CONFIG")
            .env("EDGEBSS_LOG__LEVEL", "info,async_nats=warn")
            .env("EDGEBSS_BILLING__JOBS", "false")
            .env("EDGEBSS_BACKUP__ENABLED", "false")
            .env("EDGEBSS_SYNC__SITE_ID", &self.site)
            .env("EDGEBSS_SYNC__NATS_URL", &self.hub_url)
            .env("EDGEBSS_SYNC__JETSTREAM_DOMAIN", "hub")
            .env("EDGEBSS_SYNC__USER", &self.site)
            .env("EDGEBSS_SYNC__PASSWORD", password(&self.site));
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("edgebss starts");
        self.child = Some(child);
        wait_ready(&self.http, &self.base).await;
        let token = get_token(&self.http, &self.base, &self.client.0, &self.client.1).await;
        *self.token.write().unwrap() = token;
    }

    fn token(&self) -> String {
        self.token.read().unwrap().clone()
    }

    /// What load tasks need to call this edge's API, across its restarts.
    pub fn api(&self) -> Api {
        Api {
            site: self.site.clone(),
            base: self.base.clone(),
            http: self.http.clone(),
            token: Arc::clone(&self.token),
            product: self.product.clone(),
        }
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes the process (`SIGSTOP`), or thaws it (`SIGCONT`): frozen, it keeps its state and
    /// does nothing, so a test can change the world around it first.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("the edge is running").id();
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// The end of the edge's log, for a failing assertion to show.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// A read-only look at the edge's database.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.dir.join("edgebss.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }

    /// The newest event's sequence number.
    pub fn last_sequence(&self) -> i64 {
        self.db()
            .query_row("SELECT COALESCE(MAX(sequence), 0) FROM events", [], |r| {
                r.get(0)
            })
            .unwrap()
    }

    /// The forwarder's record: (sent, applied, re-syncs).
    pub fn sync_state(&self) -> (i64, i64, i64) {
        self.db()
            .query_row(
                "SELECT sent_sequence, applied_sequence, resyncs FROM sync_site",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(self.token())
            .json(body)
            .send()
            .await
    }

    pub async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.unwrap()
    }

    /// Creates a customer; its id once the edge acknowledged it.
    pub async fn create_customer(&self, n: usize) -> Option<String> {
        let res = self
            .post(
                "/v1/customers",
                &json!({
                    "customerType": "Business",
                    "companyName": format!("{} customer {n}", self.site),
                    "email": format!("c{n}@{}.example.com", self.site.to_lowercase()),
                }),
            )
            .await
            .ok()?;
        (res.status() == 201).then_some(())?;
        Some(
            res.json::<Value>().await.ok()?["customerId"]
                .as_str()?
                .to_owned(),
        )
    }

    /// Every page of a list.
    pub async fn list_all(&self, path: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let sep = if path.contains('?') { '&' } else { '?' };
            let v = self
                .get(&format!("{path}{sep}page={page}&pageSize=100"))
                .await;
            all.extend(v["data"].as_array().unwrap().iter().cloned());
            if page >= v["pagination"]["totalPages"].as_u64().unwrap_or(0) {
                break;
            }
        }
        all
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An edge's API for the load, valid across restarts (the token is replaced at each start).
#[derive(Clone)]
pub struct Api {
    pub site: String,
    base: String,
    http: reqwest::Client,
    token: Arc<RwLock<String>>,
    product: String,
}

impl Api {
    /// POSTs `body`; the answer's status and body, or `None` when the edge did not answer.
    pub async fn post(&self, path: &str, body: &Value) -> Option<(u16, Value)> {
        let token = self.token.read().unwrap().clone();
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .ok()?;
        let status = res.status().as_u16();
        Some((status, res.json().await.unwrap_or(Value::Null)))
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Option<(u16, Value)> {
        let token = self.token.read().unwrap().clone();
        let res = self
            .http
            .patch(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .ok()?;
        let status = res.status().as_u16();
        Some((status, res.json().await.unwrap_or(Value::Null)))
    }

    pub async fn get(&self, path: &str) -> Option<Value> {
        let token = self.token.read().unwrap().clone();
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .ok()?;
        res.status().is_success().then_some(())?;
        res.json().await.ok()
    }

    /// A customer with a subscription starting today; the customer's id once both were
    /// acknowledged. Every status the edge answered is pushed to `answers`.
    pub async fn new_customer(&self, n: usize, answers: &mut Vec<u16>) -> Option<String> {
        let (status, body) = self
            .post(
                "/v1/customers",
                &json!({
                    "customerType": "Business",
                    "companyName": format!("{} customer {n}", self.site),
                    "email": format!("c{n}@{}.example.com", self.site.to_lowercase()),
                }),
            )
            .await?;
        answers.push(status);
        (status == 201).then_some(())?;
        let id = body["customerId"].as_str()?.to_owned();
        let today = chrono::Utc::now().date_naive().to_string();
        let (status, _) = self
            .post(
                &format!("/v1/customers/{id}/subscriptions"),
                &json!({"productId": self.product, "startDate": today}),
            )
            .await?;
        answers.push(status);
        Some(id)
    }
}
