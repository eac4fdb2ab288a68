//! Bill runs through the API: what they invoice, that a rerun creates nothing, dry runs, and the
//! bill-run records. Shared helpers for the other billing tests live here too.

use chrono::NaiveDate;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, spawn_app_with, today};

pub struct Catalog {
    pub fiber: String,
    pub ip: String,
    pub tv: String,
    pub mobile: String,
    pub fiber100: String,
}

pub fn catalog(app: &TestApp) -> Catalog {
    Catalog {
        fiber: app.insert_product("Fiber 500", "Broadband", 4999, "Active"),
        ip: app.insert_product("Static IP", "Addon", 500, "Active"),
        tv: app.insert_product("TV Essentials", "TV", 1499, "Active"),
        mobile: app.insert_product("Mobile Unlimited", "Mobile", 3500, "Active"),
        fiber100: app.insert_product("Fiber 100", "Broadband", 2999, "Active"),
    }
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An amount of USD minor units as the API writes it.
pub fn usd(minor: i64) -> Value {
    serde_json::from_str(&Decimal::new(minor, 2).to_string()).unwrap()
}

pub async fn subscribe(
    app: &TestApp,
    customer: &str,
    product: &str,
    start: &str,
    addons: &[&str],
) -> Value {
    let res = app
        .post_json(
            &format!("/v1/customers/{customer}/subscriptions"),
            &json!({"productId": product, "startDate": start, "addons": addons}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

pub fn id(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {v}"))
        .to_owned()
}

/// Runs one round of the background jobs at the test clock's date.
pub async fn run_jobs(app: &TestApp) -> Value {
    let round = edgebss::jobs::run_once(&app.state).await.expect("jobs run");
    serde_json::to_value(round).unwrap()
}

pub async fn bill(app: &TestApp, period: &str) -> Value {
    let res = app
        .post_json("/v1/bill-runs", &json!({"period": period}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "bill run {period}");
    res.json().await.unwrap()
}

pub async fn invoices_of(app: &TestApp, customer: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/v1/customers/{customer}/invoices?pageSize=100"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["data"].as_array().unwrap().clone()
}

pub async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.post_json(path, &body).await
}

#[tokio::test]
async fn a_bill_run_invoices_each_customer_line_by_line_and_a_rerun_creates_nothing() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = Decimal::from(20)).await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    // Created on 26 November, after November's run.
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[&cat.ip]).await;
    app.move_clock(d("2026-12-01")).await;

    let run = bill(&app, "2026-12").await;

    assert_eq!(run["status"], "Completed");
    assert_eq!(run["trigger"], "Api");
    assert_eq!(run["invoicesCreated"], 1);
    assert_eq!(run["invoiceDate"], "2026-12-01");
    assert_eq!(
        run["totals"],
        json!([{"currency": "USD", "invoices": 1, "netAmount": 64.15, "taxAmount": 12.83, "totalAmount": 76.98}])
    );
    let invoices = invoices_of(&app, &ada).await;
    assert_eq!(invoices.len(), 1);
    let inv = &invoices[0];
    assert_eq!(inv["invoiceNumber"], "INV-2026-000001");
    assert_eq!(inv["status"], "Open");
    assert_eq!(inv["period"], "2026-12");
    assert_eq!(inv["dueDate"], "2026-12-15");
    assert_eq!(inv["netAmount"], json!(64.15));
    assert_eq!(inv["taxAmount"], json!(12.83));
    assert_eq!(inv["totalAmount"], json!(76.98));
    assert_eq!(inv["amountDue"], json!(76.98));
    let lines: Vec<(&str, &Value)> = inv["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["description"].as_str().unwrap(), &l["amount"]))
        .collect();
    assert_eq!(
        lines,
        [
            (
                "Fiber 500 · 2026-11-26–2026-11-30 · 5/30 days",
                &json!(8.33)
            ),
            ("Fiber 500 · 2026-12-01–2026-12-31", &json!(49.99)),
            (
                "Static IP (add-on to Fiber 500) · 2026-11-26–2026-11-30 · 5/30 days",
                &json!(0.83)
            ),
            (
                "Static IP (add-on to Fiber 500) · 2026-12-01–2026-12-31",
                &json!(5.0)
            ),
        ]
    );
    let first = &inv["lineItems"][0];
    assert_eq!(first["quantity"], json!(1));
    assert_eq!(first["unitPrice"], first["amount"]);
    assert_eq!(first["periodStart"], "2026-11-26");
    assert_eq!(first["periodEnd"], "2026-11-30");
    assert_eq!(first["kind"], "Charge");

    // Twice by mistake: nothing new, and the customer is counted as already invoiced.
    let again = bill(&app, "2026-12").await;
    assert_eq!(again["invoicesCreated"], 0);
    assert_eq!(again["customersSkipped"]["alreadyInvoiced"], 1);
    assert_eq!(invoices_of(&app, &ada).await.len(), 1);

    // The run is on record.
    let url = format!("/v1/bill-runs/{}", id(&run, "billRunId"));
    let stored: Value = app.get(&url).await.json().await.unwrap();
    assert_eq!(stored["invoicesCreated"], 1);
    assert_eq!(stored["totals"], run["totals"]);
    assert!(stored["finishedAt"].is_string());
    let list: Value = app.get("/v1/bill-runs").await.json().await.unwrap();
    assert_eq!(list["pagination"]["totalItems"], 2);
    assert_eq!(
        list["data"][0]["billRunId"], again["billRunId"],
        "newest first"
    );
}

#[tokio::test]
async fn a_dry_run_returns_the_invoices_it_would_create_and_stores_nothing() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.tv, &today().to_string(), &[]).await;

    let res = post(
        &app,
        "/v1/bill-runs",
        json!({"period": "2026-12", "dryRun": true}),
    )
    .await;

    assert_eq!(res.status(), StatusCode::OK);
    let run: Value = res.json().await.unwrap();
    assert_eq!(run["dryRun"], true);
    assert!(run.get("billRunId").is_none());
    assert_eq!(run["invoicesCreated"], 1);
    assert_eq!(run["invoicesOmitted"], 0);
    assert_eq!(
        run["invoiceDate"], "2026-12-01",
        "a future period previews at its bill day"
    );
    let inv = &run["invoices"][0];
    assert_eq!(inv["customerId"], ada.as_str());
    assert_eq!(inv["totalAmount"], usd(250 + 1499)); // 5/30 of 14.99, then December
    assert!(invoices_of(&app, &ada).await.is_empty());
    let runs: Value = app.get("/v1/bill-runs").await.json().await.unwrap();
    assert_eq!(runs["pagination"]["totalItems"], 0);
}

#[tokio::test]
async fn bill_runs_are_validated() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"period": "2026-13"}), "period"),
        (json!({"period": "December"}), "period"),
        (json!({}), "period"),
        (json!({"period": "2026-12", "dryRun": "yes"}), "dryRun"),
        (json!({"period": "2026-12", "force": true}), "force"),
    ] {
        let res = post(&app, "/v1/bill-runs", body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
    // December's bill day has not come on 26 November.
    let res = post(&app, "/v1/bill-runs", json!({"period": "2026-12"})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "2026-12-01",
    )
    .await;
    // A preview looks at most a year ahead; a far-future period is refused at once.
    let res = post(
        &app,
        "/v1/bill-runs",
        json!({"period": "2027-11", "dryRun": true}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    for period in ["2027-12", "9999-12"] {
        let res = post(
            &app,
            "/v1/bill-runs",
            json!({"period": period, "dryRun": true}),
        )
        .await;
        assert_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable_entity",
            "up to 2027-11",
        )
        .await;
    }
    let res = app
        .get("/v1/bill-runs/brn_01JAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "bill run").await;
}

#[tokio::test]
async fn invoice_numbers_are_gapless_and_restart_each_year() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let mut customers = Vec::new();
    for name in ["Ada", "Bea", "Cy"] {
        let c = id(&app.create_individual(name, "Test").await, "customerId");
        subscribe(&app, &c, &cat.tv, "2026-11-26", &[]).await;
        customers.push(c);
    }
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    app.move_clock(d("2027-01-01")).await;
    bill(&app, "2027-01").await;
    let mut numbers: Vec<String> = Vec::new();
    for c in &customers {
        for inv in invoices_of(&app, c).await {
            numbers.push(id(&inv, "invoiceNumber"));
        }
    }
    numbers.sort();
    assert_eq!(
        numbers,
        [
            "INV-2026-000001",
            "INV-2026-000002",
            "INV-2026-000003",
            "INV-2027-000001",
            "INV-2027-000002",
            "INV-2027-000003"
        ]
    );
}

#[tokio::test]
async fn the_scheduled_job_bills_on_the_bill_day_once() {
    let mut app = spawn_app_with(|s| s.billing.bill_day = 5).await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.tv, "2026-11-26", &[]).await;

    app.move_clock(d("2026-12-04")).await;
    let round = run_jobs(&app).await;
    assert!(
        round["billRun"].is_null(),
        "not before the bill day: {round}"
    );
    app.move_clock(d("2026-12-05")).await;
    let round = run_jobs(&app).await;
    assert_eq!(round["billRun"]["trigger"], "Schedule");
    assert_eq!(round["billRun"]["invoicesCreated"], 1);
    let round = run_jobs(&app).await;
    assert!(round["billRun"].is_null(), "once per period: {round}");
    let inv = &invoices_of(&app, &ada).await[0];
    assert_eq!(inv["invoiceDate"], "2026-12-05");
    assert_eq!(inv["dueDate"], "2026-12-19");
}

#[tokio::test]
async fn tax_exempt_customers_are_billed_without_tax() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = Decimal::from(20)).await;
    let cat = catalog(&app);
    let res = post(
        &app,
        "/v1/customers",
        json!({"customerType": "Government", "companyName": "Water Board", "email": "wb@example.gov", "taxExempt": true}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let gov: Value = res.json().await.unwrap();
    assert_eq!(gov["taxExempt"], true);
    let gov = id(&gov, "customerId");
    let ada = app.create_individual("Ada", "Lovelace").await;
    assert_eq!(ada["taxExempt"], false);
    let ada = id(&ada, "customerId");
    for c in [&gov, &ada] {
        subscribe(&app, c, &cat.fiber, "2026-12-01", &[]).await;
    }
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    assert_eq!(invoices_of(&app, &gov).await[0]["taxAmount"], json!(0.0));
    assert_eq!(
        invoices_of(&app, &gov).await[0]["totalAmount"],
        json!(49.99)
    );
    assert_eq!(invoices_of(&app, &ada).await[0]["taxAmount"], json!(10.0));

    // The flag can be changed, and never set to null.
    let res = app
        .patch_json(&format!("/v1/customers/{ada}"), &json!({"taxExempt": true}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["taxExempt"], true);
    let res = app
        .patch_json(&format!("/v1/customers/{ada}"), &json!({"taxExempt": null}))
        .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "taxExempt",
    )
    .await;
}
