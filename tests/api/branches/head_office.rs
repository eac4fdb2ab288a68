//! `edgebss central` run as the real binary, and what the tests compare between each branch
//! and head office's PostgreSQL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::Value;

use super::edges::Edge;
use super::servers::{Hub, free_port, password};

pub struct Central {
    log: PathBuf,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    pub metrics_port: u16,
    child: Option<Child>,
}

impl Central {
    pub fn start(dir: &Path, hub: &Hub, postgres_url: &str, duplicate_window: Duration) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let metrics_port = free_port();
        let mut central = Self {
            log: dir.join("central.log"),
            args: vec![
                "central".into(),
                "--nats-url".into(),
                hub.url(),
                "--postgres-url".into(),
                postgres_url.into(),
                "--metrics-bind".into(),
                format!("127.0.0.1:{metrics_port}"),
            ],
            envs: vec![
                ("EDGEBSS_CENTRAL__USER".into(), "central".into()),
                ("EDGEBSS_CENTRAL__PASSWORD".into(), password("central")),
                (
                    "EDGEBSS_CENTRAL__DUPLICATE_WINDOW_SECONDS".into(),
                    duplicate_window.as_secs().to_string(),
                ),
                ("EDGEBSS_CENTRAL__ACK_WAIT_SECONDS".into(), "10".into()),
                ("EDGEBSS_LOG__LEVEL".into(), "info,async_nats=warn".into()),
            ],
            metrics_port,
            child: None,
        };
        central.restart();
        central
    }

    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "central is running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_edgebss"))
            .args(&self.args)
            .env_remove("EDGEBSS_CONFIG")
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("edgebss central starts");
        self.child = Some(child);
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub async fn metrics(&self) -> String {
        reqwest::get(format!("http://127.0.0.1:{}/metrics", self.metrics_port))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for Central {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Head office's watermark for `site` (0 before its first event).
pub async fn watermark(pg: &tokio_postgres::Client, site: &str) -> i64 {
    pg.query_opt(
        "SELECT applied_sequence FROM bss.sites WHERE site_id = $1",
        &[&site],
    )
    .await
    .ok()
    .flatten()
    .map(|r| r.get(0))
    .unwrap_or(0)
}

/// Waits until head office has applied every event of `edge`.
pub async fn wait_applied(
    pg: &tokio_postgres::Client,
    edge: &Edge,
    within: Duration,
    central: &Central,
) {
    let deadline = Instant::now() + within;
    loop {
        let (mark, last) = (watermark(pg, &edge.site).await, edge.last_sequence());
        if mark == last {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{}: head office applied up to {mark} of {last}\n{}\n{}",
            edge.site,
            edge.log_tail(),
            central.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every event of `site` at head office is there once: sequences 1..=`last`.
pub async fn assert_every_event_once(pg: &tokio_postgres::Client, site: &str, last: i64) {
    let rows = pg
        .query(
            "SELECT sequence FROM bss.applied_events WHERE site_id = $1 ORDER BY sequence",
            &[&site],
        )
        .await
        .unwrap();
    let sequences: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        sequences.len() as i64,
        last,
        "{site}: events at head office"
    );
    assert!(
        sequences.iter().copied().eq(1..=last),
        "{site}: head office holds sequences 1..={last}, no gap, no duplicate"
    );
}

/// A JSON document as PostgreSQL returns it, read back as the API's JSON.
fn json(row: &tokio_postgres::Row, i: usize) -> Value {
    serde_json::from_str(row.get::<_, &str>(i)).unwrap()
}

/// The rows head office holds for `site` equal what the branch's API returns: customers,
/// subscriptions, invoices (what is paid and due included) and payments.
pub async fn assert_books_equal(pg: &tokio_postgres::Client, edge: &Edge) {
    let site = edge.site.as_str();
    let customers = edge.list_all("/v1/customers").await;
    let at_branch: BTreeMap<String, Value> = customers
        .iter()
        .map(|c| (c["customerId"].as_str().unwrap().to_owned(), c.clone()))
        .collect();
    let at_centre: BTreeMap<String, Value> = pg
        .query(
            "SELECT customer_id, data::text FROM bss.customers WHERE site_id = $1",
            &[&site],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), json(r, 1)))
        .collect();
    assert_eq!(at_centre.len(), at_branch.len(), "{site}: customers");
    assert!(at_centre == at_branch, "{site}: customers differ");

    // Each customer's subscriptions and invoices, and each invoice's payments, as the API lists
    // them (a few requests at a time).
    let ids: Vec<String> = at_branch.keys().cloned().collect();
    let per_customer: Vec<(Vec<Value>, Vec<Value>)> = futures_util::stream::iter(ids)
        .map(|id| async move {
            let subs = edge.get(&format!("/v1/customers/{id}/subscriptions")).await["data"]
                .as_array()
                .unwrap()
                .clone();
            let invoices = edge.list_all(&format!("/v1/customers/{id}/invoices")).await;
            (subs, invoices)
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut subs = BTreeMap::new();
    let mut invoices = BTreeMap::new();
    for (s, i) in per_customer {
        for s in s {
            subs.insert(s["subscriptionId"].as_str().unwrap().to_owned(), s);
        }
        for i in i {
            invoices.insert(i["invoiceId"].as_str().unwrap().to_owned(), i);
        }
    }
    let centre_subs: BTreeMap<String, Value> = pg
        .query(
            "SELECT subscription_id, data::text FROM bss.subscriptions WHERE site_id = $1",
            &[&site],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), json(r, 1)))
        .collect();
    assert_eq!(centre_subs.len(), subs.len(), "{site}: subscriptions");
    assert!(centre_subs == subs, "{site}: subscriptions differ");

    // An invoice as head office holds it: the last event's resource, with what is paid and due
    // as head office keeps them (a partial payment changes them without an invoice event).
    let centre_invoices: BTreeMap<String, Value> = pg
        .query(
            "SELECT invoice_id, (data || jsonb_build_object('amountPaid', amount_paid, \
             'amountDue', amount_due))::text, \
             (SELECT count(*) FROM bss.invoice_lines l \
              WHERE l.site_id = i.site_id AND l.invoice_id = i.invoice_id) \
             FROM bss.invoices i WHERE site_id = $1",
            &[&site],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let mut v = json(r, 1);
            let lines: i64 = r.get(2);
            assert_eq!(
                v["lineItems"].as_array().map_or(0, Vec::len) as i64,
                lines,
                "{site}: the lines of {v}"
            );
            // Compared as numbers: 12.5 and 12.50 are the same amount.
            for k in ["amountPaid", "amountDue"] {
                v[k] = Value::from(v[k].as_f64().unwrap());
            }
            (r.get(0), v)
        })
        .collect();
    let invoices: BTreeMap<String, Value> = invoices
        .into_iter()
        .map(|(k, mut v)| {
            for f in ["amountPaid", "amountDue"] {
                v[f] = Value::from(v[f].as_f64().unwrap());
            }
            (k, v)
        })
        .collect();
    assert_eq!(centre_invoices.len(), invoices.len(), "{site}: invoices");
    for (id, inv) in &invoices {
        assert_eq!(centre_invoices.get(id), Some(inv), "{site}: invoice {id}");
    }

    let paid: Vec<String> = invoices
        .values()
        .filter(|i| i["amountPaid"].as_f64().unwrap() > 0.0)
        .map(|i| i["invoiceId"].as_str().unwrap().to_owned())
        .collect();
    let payments: Vec<Vec<Value>> = futures_util::stream::iter(paid)
        .map(|id| async move {
            edge.get(&format!("/v1/invoices/{id}/payments")).await["data"]
                .as_array()
                .unwrap()
                .clone()
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let payments: BTreeMap<String, Value> = payments
        .into_iter()
        .flatten()
        .map(|p| (p["paymentId"].as_str().unwrap().to_owned(), p))
        .collect();
    let centre_payments: BTreeMap<String, Value> = pg
        .query(
            "SELECT payment_id, data::text FROM bss.payments WHERE site_id = $1",
            &[&site],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), json(r, 1)))
        .collect();
    assert_eq!(centre_payments.len(), payments.len(), "{site}: payments");
    assert!(centre_payments == payments, "{site}: payments differ");
}

/// Invoice numbers of `site` at head office: its own series, gapless within each year.
pub async fn assert_numbers_gapless(pg: &tokio_postgres::Client, site: &str) -> usize {
    let rows = pg
        .query(
            "SELECT invoice_number FROM bss.invoices WHERE site_id = $1",
            &[&site],
        )
        .await
        .unwrap();
    let mut per_year: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in &rows {
        let number: &str = r.get(0);
        let rest = number
            .strip_prefix(&format!("{site}-"))
            .unwrap_or_else(|| panic!("{number} is not in {site}'s series"));
        let (year, n) = rest.split_once('-').unwrap();
        per_year
            .entry(year.to_owned())
            .or_default()
            .push(n.parse().unwrap());
    }
    for (year, numbers) in &mut per_year {
        numbers.sort_unstable();
        assert!(
            numbers.iter().copied().eq(1..=numbers.len() as u64),
            "{site} {year}: invoice numbers are 1..={} without a gap",
            numbers.len()
        );
    }
    rows.len()
}
