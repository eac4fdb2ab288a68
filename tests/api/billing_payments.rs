//! Invoices after a bill run: reading one, payments, overdue marking and cancellation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::helpers::{TestApp, assert_error, spawn_app};

/// A customer with Fiber 500 from 1 December, billed for December: one invoice of 49.99.
async fn one_invoice(app: &mut TestApp) -> (String, String) {
    let cat = catalog(app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(app, &c, &cat.fiber, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-01")).await;
    run_jobs(app).await;
    let inv = id(&invoices_of(app, &c).await[0], "invoiceId");
    (inv, s)
}

async fn pay(app: &TestApp, invoice: &str, body: Value) -> reqwest::Response {
    post(app, &format!("/v1/invoices/{invoice}/payments"), body).await
}

async fn invoice(app: &TestApp, invoice: &str) -> Value {
    let res = app.get(&format!("/v1/invoices/{invoice}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn state(v: &Value) -> (&str, &Value, &Value) {
    (
        v["status"].as_str().unwrap(),
        &v["amountPaid"],
        &v["amountDue"],
    )
}

#[tokio::test]
async fn partial_payments_reduce_the_amount_due_until_the_invoice_is_paid() {
    let mut app = spawn_app().await;
    let (inv, _) = one_invoice(&mut app).await;
    let before = invoice(&app, &inv).await;
    assert_eq!(state(&before), ("Open", &json!(0.0), &json!(49.99)));

    let res = pay(
        &app,
        &inv,
        json!({"amount": 20.05, "method": "Cash", "reference": "till 3"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/invoices/{inv}/payments/{}", id(&p, "paymentId"))
    );
    assert_eq!(p["amount"], json!(20.05));
    assert_eq!(p["currency"], "USD");
    assert_eq!(p["method"], "Cash");
    assert_eq!(p["reference"], "till 3");
    assert!(p["paidAt"].as_str().unwrap().starts_with("2026-12-01T"));
    assert_eq!(app.get(&location).await.json::<Value>().await.unwrap(), p);
    let mid = invoice(&app, &inv).await;
    assert_eq!(state(&mid), ("Open", &json!(20.05), &json!(29.94)));

    // More than is due is refused, and changes nothing.
    let res = pay(&app, &inv, json!({"amount": 29.95, "method": "Card"})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "29.94",
    )
    .await;

    let body =
        json!({"amount": 29.94, "method": "MobileMoney", "paidAt": "2026-11-30T18:00:00+01:00"});
    assert_eq!(pay(&app, &inv, body).await.status(), StatusCode::CREATED);
    let paid = invoice(&app, &inv).await;
    assert_eq!(state(&paid), ("Paid", &json!(49.99), &json!(0.0)));
    let list: Value = app
        .get(&format!("/v1/invoices/{inv}/payments"))
        .await
        .json()
        .await
        .unwrap();
    let amounts: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["amount"])
        .collect();
    assert_eq!(amounts, [&json!(20.05), &json!(29.94)]);
    assert_eq!(list["data"][1]["paidAt"], "2026-11-30T17:00:00.000Z");

    let res = pay(&app, &inv, json!({"amount": 1, "method": "Cash"})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "Paid").await;
}

#[tokio::test]
async fn payment_requests_are_validated_by_field() {
    let mut app = spawn_app().await;
    let (inv, _) = one_invoice(&mut app).await;
    for (body, field) in [
        (json!({"amount": "10.00", "method": "Cash"}), "amount"),
        (json!({"amount": 10.001, "method": "Cash"}), "amount"),
        (json!({"amount": 0, "method": "Cash"}), "amount"),
        (json!({"amount": -5, "method": "Cash"}), "amount"),
        (json!({"method": "Cash"}), "amount"),
        (json!({"amount": 10, "method": "Cheque"}), "method"),
        (
            json!({"amount": 10, "method": "Cash", "paidAt": "2026-12-02T00:00:00Z"}),
            "paidAt",
        ),
        (
            json!({"amount": 10, "method": "Cash", "paidAt": "yesterday"}),
            "paidAt",
        ),
        (
            json!({"amount": 10, "method": "Cash", "reference": " "}),
            "reference",
        ),
        (
            json!({"amount": 10, "method": "Cash", "currency": "USD"}),
            "currency",
        ),
    ] {
        let res = pay(&app, &inv, body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
    // An amount is read from its JSON text exactly, never through a float.
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/v1/invoices/{inv}/payments"),
        )
        .header("content-type", "application/json")
        .body(r#"{"amount": 49.98999999999999999999, "method": "Card"}"#)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "amount").await;
    let missing = "inv_01JAAAAAAAAAAAAAAAAAAAAAAA";
    let res = pay(&app, missing, json!({"amount": 1, "method": "Cash"})).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "invoice").await;
    let res = app.get(&format!("/v1/invoices/{missing}/payments")).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "invoice").await;
    assert_eq!(invoice(&app, &inv).await["amountPaid"], json!(0.0));
}

#[tokio::test]
async fn an_unpaid_invoice_becomes_overdue_after_its_due_date_and_paid_when_settled() {
    let mut app = spawn_app().await;
    let (inv, _) = one_invoice(&mut app).await;
    app.move_clock(d("2026-12-15")).await;
    assert_eq!(
        run_jobs(&app).await["invoicesOverdue"],
        0,
        "due today is not late"
    );
    app.move_clock(d("2026-12-16")).await;
    assert_eq!(run_jobs(&app).await["invoicesOverdue"], 1);
    assert_eq!(invoice(&app, &inv).await["status"], "Overdue");

    let res = pay(
        &app,
        &inv,
        json!({"amount": 9.99, "method": "BankTransfer"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        state(&invoice(&app, &inv).await),
        ("Overdue", &json!(9.99), &json!(40.0))
    );
    let res = pay(&app, &inv, json!({"amount": 40, "method": "BankTransfer"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(invoice(&app, &inv).await["status"], "Paid");
    assert_eq!(run_jobs(&app).await["invoicesOverdue"], 0);
}

#[tokio::test]
async fn an_open_invoice_without_payments_can_be_cancelled_with_a_reason() {
    let mut app = spawn_app().await;
    let (inv, sub) = one_invoice(&mut app).await;
    let path = format!("/v1/invoices/{inv}/cancel");
    for body in [json!({}), json!({"reason": "  "}), json!({"reason": 5})] {
        let res = post(&app, &path, body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "reason").await;
    }

    let res = post(&app, &path, json!({"reason": "billed by mistake"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "Cancelled");
    assert_eq!(v["cancelReason"], "billed by mistake");
    assert_eq!(v["amountDue"], json!(0.0));
    let res = post(&app, &path, json!({"reason": "again"})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "Cancelled").await;
    let res = pay(&app, &inv, json!({"amount": 1, "method": "Cash"})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "Cancelled").await;

    // The cancelled days are written off: not billed again, and not credited when the
    // subscription ends inside them.
    app.move_clock(d("2026-12-10")).await;
    let res = post(
        &app,
        &format!("/v1/subscriptions/{sub}/cancel"),
        json!({"when": "now"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.move_clock(d("2027-01-01")).await;
    let jan = bill(&app, "2027-01").await;
    assert_eq!(jan["invoicesCreated"], 0);
    assert_eq!(jan["customersSkipped"]["nothingDue"], 1);
}

#[tokio::test]
async fn an_invoice_with_payments_cannot_be_cancelled() {
    let mut app = spawn_app().await;
    let (inv, _) = one_invoice(&mut app).await;
    let res = pay(&app, &inv, json!({"amount": 10, "method": "Card"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/cancel"),
        json!({"reason": "dispute"}),
    )
    .await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "payments").await;
    let res = app.get("/v1/invoices/inv_01JAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "invoice").await;
}
