//! Dunning with a real SMTP server: a reminder on the configured day, suspension on
//! `suspend_after_days` (with the customer's and subscriptions' events), and reactivation by the
//! payment that clears the account.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::durability::free_port;
use crate::helpers::{TestApp, spawn_app_with};
use crate::smtp::{SmtpSink, email_to};

async fn status(app: &TestApp, path: &str) -> String {
    let v: Value = app.get(path).await.json().await.unwrap();
    v["status"].as_str().unwrap().to_owned()
}

fn events(app: &TestApp, types: &[&str]) -> Vec<String> {
    let conn = app.sql();
    let mut stmt = conn
        .prepare("SELECT type FROM events ORDER BY sequence")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|t| types.contains(&t.as_str()))
        .collect()
}

fn subjects(got: &[Value]) -> Vec<String> {
    got.iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_invoice_is_reminded_then_suspends_and_its_payment_reactivates() {
    let sink = SmtpSink::start(free_port());
    let port = sink.port;
    let mut app = spawn_app_with(|s| {
        email_to(s, port);
        s.email.send_invoices = false;
        s.email.send_receipts = false;
        s.dunning.reminder_days = vec![3, 10];
        s.dunning.suspend_after_days = 21;
    })
    .await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let invoice = invoices_of(&app, &c).await[0].clone();
    let (inv, number) = (
        id(&invoice, "invoiceId"),
        invoice["invoiceNumber"].as_str().unwrap().to_owned(),
    );
    assert_eq!(invoice["dueDate"], "2026-12-15");

    // Two days past due: nothing yet. Three: the first reminder.
    app.move_clock(d("2026-12-17")).await;
    run_jobs(&app).await;
    app.move_clock(d("2026-12-18")).await;
    run_jobs(&app).await;
    run_jobs(&app).await;
    let got = sink.wait_for(1, 30).await;
    assert_eq!(
        subjects(&got),
        [format!("Reminder: invoice {number} is 3 days overdue")]
    );
    assert!(got[0]["text"].as_str().unwrap().contains("USD 49.99"));

    // Twenty days past due: the second reminder; the customer is still active.
    app.move_clock(d("2027-01-04")).await;
    run_jobs(&app).await;
    assert_eq!(status(&app, &format!("/v1/customers/{c}")).await, "Active");
    // Twenty-one: suspended, its subscription with it, and told so.
    app.move_clock(d("2027-01-05")).await;
    run_jobs(&app).await;
    assert_eq!(
        status(&app, &format!("/v1/customers/{c}")).await,
        "Suspended"
    );
    assert_eq!(
        status(&app, &format!("/v1/subscriptions/{s}")).await,
        "Suspended"
    );
    let got = sink.wait_for(3, 30).await;
    let subjects = subjects(&got);
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[1].contains("is 20 days overdue"), "{subjects:?}");
    assert_eq!(subjects[2], "Your service is suspended for non-payment");
    assert_eq!(
        events(&app, &["customer.suspended", "subscription.suspended"]),
        ["customer.suspended", "subscription.suspended"]
    );

    // The payment that clears the overdue invoice reactivates at once.
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/payments"),
        json!({"amount": 49.99, "method": "BankTransfer"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(status(&app, &format!("/v1/customers/{c}")).await, "Active");
    assert_eq!(
        status(&app, &format!("/v1/subscriptions/{s}")).await,
        "Active"
    );
    assert_eq!(
        events(&app, &["customer.reactivated", "subscription.resumed"]),
        ["customer.reactivated", "subscription.resumed"]
    );
    let got = sink.wait_for(4, 30).await;
    assert_eq!(got[3]["subject"], "Your service is active again");

    // Another round changes nothing and sends nothing more.
    run_jobs(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(sink.count(), 4);
}

#[tokio::test]
async fn an_exempt_customer_is_neither_reminded_nor_suspended() {
    let mut app = spawn_app_with(|s| {
        s.dunning.reminder_days = vec![3];
        s.dunning.suspend_after_days = 21;
    })
    .await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    edgebss::service::collections::exempt(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        &edgebss::domain::ids::CustomerId::parse(&c).unwrap(),
        "disputed: waiting for the engineer's report".into(),
        d("2027-01-31"),
    )
    .await
    .unwrap();
    app.move_clock(d("2027-01-10")).await;
    run_jobs(&app).await;
    assert_eq!(status(&app, &format!("/v1/customers/{c}")).await, "Active");
    let actions: i64 = app
        .sql()
        .query_row("SELECT count(*) FROM dunning_actions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(actions, 0);
    // After the exemption ends, dunning goes on.
    app.move_clock(d("2027-02-01")).await;
    run_jobs(&app).await;
    assert_eq!(
        status(&app, &format!("/v1/customers/{c}")).await,
        "Suspended"
    );
}
