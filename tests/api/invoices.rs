use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, ulid_like};

/// Stores an invoice the way the billing engine would, with one line.
fn insert_invoice(
    app: &TestApp,
    customer: &str,
    number: u32,
    date: &str,
    status: &str,
    cents: i64,
) -> String {
    let id = format!("inv_{}", ulid_like(date));
    let conn = app.sql();
    conn.execute(
        "INSERT INTO invoices (id, invoice_number, customer_id, status, invoice_date, due_date, currency, \
         net_amount, tax_amount, total_amount, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, date(?5, '+14 days'), 'USD', ?6, 0, ?6, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        rusqlite::params![id, format!("INV-2026-{number:06}"), customer, status, date, cents],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price, amount) \
         VALUES (?1, 0, 'Fiber 500', '1', ?2, ?2)",
        rusqlite::params![id, cents],
    )
    .unwrap();
    id
}

async fn invoices(app: &TestApp, customer: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/v1/customers/{customer}/invoices?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

fn numbers(v: &Value) -> Vec<&str> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["invoiceNumber"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn invoices_list_newest_first_with_lines_and_totals() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    let other = app.create_individual("Other", "Person").await;
    insert_invoice(&app, cid, 1, "2026-09-01", "Paid", 4999);
    insert_invoice(&app, cid, 2, "2026-10-01", "Overdue", 4999);
    insert_invoice(&app, cid, 3, "2026-11-01", "Open", 5499);
    insert_invoice(
        &app,
        other["customerId"].as_str().unwrap(),
        4,
        "2026-11-01",
        "Open",
        100,
    );

    let all = invoices(&app, cid, "").await;
    assert_eq!(
        numbers(&all),
        ["INV-2026-000003", "INV-2026-000002", "INV-2026-000001"]
    );
    assert_eq!(
        all["pagination"],
        json!({"page": 1, "pageSize": 25, "totalPages": 1, "totalItems": 3})
    );
    let first = &all["data"][0];
    assert_eq!(first["totalAmount"], json!(54.99));
    assert_eq!(first["taxAmount"], json!(0.0));
    assert_eq!(first["dueDate"], "2026-11-15");
    assert_eq!(
        first["lineItems"],
        json!([{"description": "Fiber 500", "quantity": 1, "unitPrice": 54.99, "amount": 54.99}])
    );
}

#[tokio::test]
async fn invoice_dates_filter_inclusively_and_status_filters() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    insert_invoice(&app, cid, 1, "2026-09-01", "Paid", 4999);
    insert_invoice(&app, cid, 2, "2026-10-01", "Overdue", 4999);
    insert_invoice(&app, cid, 3, "2026-11-01", "Open", 4999);

    assert_eq!(
        numbers(&invoices(&app, cid, "fromDate=2026-10-01").await),
        ["INV-2026-000003", "INV-2026-000002"]
    );
    assert_eq!(
        numbers(&invoices(&app, cid, "toDate=2026-10-01").await),
        ["INV-2026-000002", "INV-2026-000001"]
    );
    assert_eq!(
        numbers(&invoices(&app, cid, "fromDate=2026-10-01&toDate=2026-10-01").await),
        ["INV-2026-000002"]
    );
    assert_eq!(
        numbers(&invoices(&app, cid, "fromDate=2026-10-02&toDate=2026-10-31").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        numbers(&invoices(&app, cid, "status=Overdue").await),
        ["INV-2026-000002"]
    );
    assert_eq!(
        numbers(&invoices(&app, cid, "status=Cancelled").await),
        Vec::<&str>::new()
    );
    let paged = invoices(&app, cid, "pageSize=2&page=2").await;
    assert_eq!(numbers(&paged), ["INV-2026-000001"]);
    assert_eq!(
        paged["pagination"],
        json!({"page": 2, "pageSize": 2, "totalPages": 2, "totalItems": 3})
    );
    assert_eq!(
        invoices(&app, cid, "pageSize=2&page=3").await["data"],
        json!([])
    );
}

#[tokio::test]
async fn invoice_filters_are_validated() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    for (q, field) in [
        ("fromDate=2026-11-02&toDate=2026-11-01", "fromDate"),
        ("fromDate=yesterday", "fromDate"),
        ("toDate=2026-02-30", "toDate"),
        ("status=Unpaid", "status"),
        ("page=0", "page"),
        ("pageSize=500", "pageSize"),
    ] {
        let res = app.get(&format!("/v1/customers/{cid}/invoices?{q}")).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
    let res = app
        .get("/v1/customers/cus_01JAAAAAAAAAAAAAAAAAAAAAAA/invoices")
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "customer").await;
}
