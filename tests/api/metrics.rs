//! `/metrics`: valid Prometheus text that carries the request, database and business figures,
//! behind the configured access rule.

use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{MetricsExposition, PrometheusType, PrometheusValue};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, today};

type Exposition = MetricsExposition<PrometheusType, PrometheusValue>;

/// Fetches `/metrics` and parses it with a strict Prometheus text-format parser.
async fn scrape(app: &TestApp) -> Exposition {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let body = res.text().await.unwrap();
    parse_prometheus(&body).unwrap_or_else(|e| panic!("not Prometheus text ({e:?}):\n{body}"))
}

/// The value of the first sample of `family` carrying `labels` (a histogram: its count).
fn value(m: &Exposition, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    m.families
        .get(family)?
        .iter_samples()
        .find(|s| {
            let set = s.get_labelset().expect("labels");
            labels
                .iter()
                .all(|(k, v)| set.get_label_value(k) == Some(*v))
        })
        .map(|s| match &s.value {
            PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
            PrometheusValue::Counter(c) => c.value.as_f64(),
            PrometheusValue::Histogram(h) => h.count.map_or(f64::NAN, |c| c as f64),
            PrometheusValue::Summary(_) => f64::NAN,
        })
}

fn insert_invoice(app: &TestApp, customer: &str, number: u32, status: &str, cents: i64) {
    app.sql()
        .execute(
            "INSERT INTO invoices (id, invoice_number, customer_id, status, invoice_date, due_date, \
             currency, net_amount, tax_amount, total_amount, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, '2026-10-01', '2026-10-15', 'USD', ?5, 0, ?5, \
             '2026-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z')",
            rusqlite::params![
                format!("inv_{}", crate::helpers::ulid_like("inv")),
                format!("INV-2026-{number:06}"),
                customer,
                status,
                cents
            ],
        )
        .unwrap();
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_carry_every_gauge() {
    let app = spawn_app().await;
    let fiber = app.insert_product("Fiber 500", "Broadband", 4999, "Active");
    let static_ip = app.insert_product("Static IP", "Addon", 500, "Active");
    let ada = app.create_individual("Ada", "Lovelace").await;
    let ada = ada["customerId"].as_str().unwrap();
    let bob = app.create_individual("Bob", "Builder").await;
    let bob = bob["customerId"].as_str().unwrap();
    app.sql()
        .execute(
            "UPDATE customers SET status = 'Suspended' WHERE id = ?1",
            [bob],
        )
        .unwrap();
    let res = app
        .post_json(
            &format!("/v1/customers/{ada}/subscriptions"),
            &json!({"productId": fiber, "startDate": today().to_string(), "addons": [static_ip]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    insert_invoice(&app, ada, 1, "Open", 10_000);
    insert_invoice(&app, ada, 2, "Open", 550);
    insert_invoice(&app, bob, 3, "Overdue", 2_550);
    insert_invoice(&app, bob, 4, "Paid", 99_999);
    assert_eq!(app.get(&format!("/v1/customers/{ada}")).await.status(), 200);
    assert_eq!(app.get(&format!("/v1/customers/{bob}")).await.status(), 200);

    let m = scrape(&app).await;

    let route = [("route", "/v1/customers/{customerId}"), ("method", "GET")];
    let ok = [route[0], route[1], ("status", "200")];
    assert_eq!(value(&m, "edgebss_http_requests_total", &ok), Some(2.0));
    let requests = &m.families["edgebss_http_requests_total"];
    assert!(
        requests.iter_samples().all(|s| {
            let set = s.get_labelset().expect("labels");
            !set.get_label_value("route").unwrap_or("").contains("cus_")
        }),
        "ids never become label values"
    );
    assert_eq!(
        value(&m, "edgebss_http_request_duration_seconds", &route),
        Some(2.0),
        "both requests are in the latency histogram"
    );
    assert_eq!(
        value(&m, "edgebss_customers", &[("status", "Active")]),
        Some(1.0)
    );
    assert_eq!(
        value(&m, "edgebss_customers", &[("status", "Suspended")]),
        Some(1.0)
    );
    assert_eq!(
        value(&m, "edgebss_customers", &[("status", "Terminated")]),
        Some(0.0)
    );
    assert_eq!(value(&m, "edgebss_active_subscriptions", &[]), Some(1.0));
    assert_eq!(
        value(
            &m,
            "edgebss_monthly_recurring_revenue",
            &[("currency", "USD")]
        ),
        Some(54.99)
    );
    assert_eq!(
        value(&m, "edgebss_unpaid_invoices", &[("status", "Open")]),
        Some(2.0)
    );
    assert_eq!(
        value(&m, "edgebss_unpaid_invoices", &[("status", "Overdue")]),
        Some(1.0)
    );
    let open = [("status", "Open"), ("currency", "USD")];
    assert_eq!(
        value(&m, "edgebss_unpaid_invoice_amount", &open),
        Some(105.5)
    );
    let overdue = [("status", "Overdue"), ("currency", "USD")];
    assert_eq!(
        value(&m, "edgebss_unpaid_invoice_amount", &overdue),
        Some(25.5)
    );
    assert!(value(&m, "edgebss_database_size_bytes", &[]).unwrap() > 0.0);
    assert!(value(&m, "edgebss_db_writer_last_batch_size", &[]).unwrap() >= 1.0);
    assert!(value(&m, "edgebss_db_writer_jobs_total", &[]).unwrap() >= 3.0);
    assert_eq!(value(&m, "edgebss_db_writer_queue_depth", &[]), Some(0.0));
    assert_eq!(
        value(&m, "edgebss_last_backup_timestamp_seconds", &[]),
        Some(0.0)
    );
    assert_eq!(value(&m, "edgebss_backup_failures_total", &[]), Some(0.0));
    assert_eq!(
        value(&m, "edgebss_last_bill_run_timestamp_seconds", &[]),
        Some(0.0),
        "no bill run yet"
    );
    assert_eq!(
        value(
            &m,
            "edgebss_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn with_token_access_metrics_need_the_bearer_token() {
    let token = "s3cret-metrics-token-0123";
    let app = spawn_app_with(|s| {
        s.metrics.access = edgebss::metrics::MetricsAccess::Token;
        s.metrics.token = Some(edgebss::domain::secret::Secret::new(token));
    })
    .await;
    let url = app.url("/metrics");
    let client = reqwest::Client::new();

    let none = client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let wrong = client
        .get(&url)
        .bearer_auth("s3cret-metrics-token-0124")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap().contains("edgebss_customers"));
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let app = spawn_app_with(|s| s.metrics.access = edgebss::metrics::MetricsAccess::Off).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_bill_run_and_what_is_still_due_show_in_metrics() {
    use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};

    // Business figures are cached for a few seconds, so this app is scraped only once.
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let invoice = id(&invoices_of(&app, &ada).await[0], "invoiceId");
    let res = post(
        &app,
        &format!("/v1/invoices/{invoice}/payments"),
        json!({"amount": 20.05, "method": "Cash"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let m = scrape(&app).await;
    let run = [("period", "2026-12"), ("status", "Completed")];
    assert_eq!(value(&m, "edgebss_last_bill_run", &run), Some(1.0));
    assert_eq!(value(&m, "edgebss_last_bill_run_invoices", &[]), Some(1.0));
    let at = value(&m, "edgebss_last_bill_run_timestamp_seconds", &[]).unwrap();
    assert!(at > 1_700_000_000.0, "a real time: {at}");
    let open = [("status", "Open"), ("currency", "USD")];
    assert_eq!(
        value(&m, "edgebss_unpaid_invoice_amount", &open),
        Some(29.94),
        "49.99 invoiced less 20.05 paid"
    );
}

#[tokio::test]
async fn made_up_methods_and_paths_share_one_other_label_value() {
    let app = spawn_app().await;
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        let res = app.request(method, "/v1/customers").send().await.unwrap();
        assert!(res.status().is_client_error());
        let res = app.get(&format!("/no/such/path/{i}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let m = scrape(&app).await;
    for family in [
        "edgebss_http_requests_total",
        "edgebss_http_request_duration_seconds",
    ] {
        let samples: Vec<(String, String)> = m.families[family]
            .iter_samples()
            .map(|s| {
                let set = s.get_labelset().expect("labels");
                (
                    set.get_label_value("method").unwrap_or("").to_owned(),
                    set.get_label_value("route").unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert!(
            samples
                .iter()
                .all(|(method, route)| !method.contains("BREW") && !route.contains("/no/such")),
            "{family}: {samples:?}"
        );
    }
    let brewed = [("method", "other"), ("route", "/v1/customers")];
    assert_eq!(
        value(&m, "edgebss_http_request_duration_seconds", &brewed),
        Some(20.0)
    );
    let unmatched = [("method", "GET"), ("route", "other")];
    assert_eq!(
        value(&m, "edgebss_http_request_duration_seconds", &unmatched),
        Some(20.0)
    );
}

#[tokio::test]
async fn every_unpaid_status_has_an_amount_for_every_currency_in_use_even_at_zero() {
    let app = spawn_app().await;
    app.insert_product("Fiber 500", "Broadband", 4999, "Active");
    let ada = app.create_individual("Ada", "Lovelace").await;
    insert_invoice(&app, ada["customerId"].as_str().unwrap(), 1, "Open", 10_000);

    let m = scrape(&app).await;
    let overdue = [("status", "Overdue"), ("currency", "USD")];
    assert_eq!(
        value(&m, "edgebss_unpaid_invoice_amount", &overdue),
        Some(0.0),
        "nothing overdue is a zero, not a missing series"
    );
    let open = [("status", "Open"), ("currency", "USD")];
    assert_eq!(
        value(&m, "edgebss_unpaid_invoice_amount", &open),
        Some(100.0)
    );
}
