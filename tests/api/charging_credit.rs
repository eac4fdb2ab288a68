//! Credit notes (a gapless series, never more than is left to credit, closing an unpaid invoice
//! or adding to the credit balance), refunds, one-off charges cancelled before billing, and the
//! final invoice of a termination.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, d, id, invoices_of, post, subscribe, usd};
use crate::helpers::{TestApp, assert_error, spawn_app, spawn_app_with};

/// Ada on Fiber 500 since 26 November, December billed: the invoice (no tax).
async fn billed(app: &mut TestApp) -> (String, Value) {
    let cat = catalog(app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    bill(app, "2026-12").await;
    let inv = invoices_of(app, &ada).await.remove(0);
    (ada, inv)
}

#[tokio::test]
async fn credit_notes_are_numbered_gaplessly_and_never_credit_more_than_is_left() {
    let mut app = spawn_app().await;
    let (ada, inv) = billed(&mut app).await;
    // 8.33 + 49.99.
    assert_eq!(inv["totalAmount"], usd(5832));
    let path = format!("/v1/invoices/{}/credit-notes", id(&inv, "invoiceId"));
    let first: Value = post(&app, &path, json!({"amount": 20.00, "reason": "Outage"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["creditNoteNumber"], "CN-2026-000001");
    let res = post(&app, &path, json!({"amount": 38.33, "reason": "Too much"})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "more than what is left to credit on invoice INV-2026-000001, 38.32 USD",
    )
    .await;
    // The rest closes it: nothing is left to collect.
    let res = post(&app, &path, json!({"amount": 38.32, "reason": "Waived"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/v1/credit-notes/crn_")
    );
    let second: Value = res.json().await.unwrap();
    assert_eq!(second["creditNoteNumber"], "CN-2026-000002");
    let after: Value = app
        .get(&format!("/v1/invoices/{}", id(&inv, "invoiceId")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "Paid");
    assert_eq!(
        (after["amountCredited"].clone(), after["amountDue"].clone()),
        (usd(5832), usd(0))
    );
    let listed: Value = app
        .get(&format!("/v1/customers/{ada}/credit-notes"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    assert_eq!(listed["creditBalance"]["amount"], json!(0));
    let got: Value = app
        .get(&format!("/v1/credit-notes/{}", id(&first, "creditNoteId")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["invoiceNumber"], "INV-2026-000001");
    let events: Value = app
        .get("/v1/events?type=credit_note.created")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["data"].as_array().unwrap().len(), 2);
    // The first took part of the invoice: consumers of the feed learn its new amount due from
    // `invoice.credited`; the second closed it, which is `invoice.paid`.
    let credited: Value = app
        .get("/v1/events?type=invoice.credited")
        .await
        .json()
        .await
        .unwrap();
    let credited = credited["data"].as_array().unwrap();
    assert_eq!(credited.len(), 1);
    assert_eq!(credited[0]["data"]["invoiceId"], inv["invoiceId"]);
    assert_eq!(credited[0]["data"]["amountDue"], usd(3832));
}

#[tokio::test]
async fn a_refund_reverses_a_payment_and_the_invoice_asks_for_it_again() {
    let mut app = spawn_app().await;
    let (_, inv) = billed(&mut app).await;
    let iid = id(&inv, "invoiceId");
    let pay: Value = post(
        &app,
        &format!("/v1/invoices/{iid}/payments"),
        json!({"amount": 58.32, "method": "Cash"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let refunds = format!(
        "/v1/invoices/{iid}/payments/{}/refunds",
        id(&pay, "paymentId")
    );
    let res = post(&app, &refunds, json!({"amount": 60, "reason": "Typo"})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "58.32 USD",
    )
    .await;
    let res = post(
        &app,
        &refunds,
        json!({"amount": 8.32, "reason": "Entered twice"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let after: Value = app
        .get(&format!("/v1/invoices/{iid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (after["status"].clone(), after["amountDue"].clone()),
        (json!("Open"), usd(832))
    );
    // Without an amount, the rest is refunded; then nothing is left.
    assert_eq!(
        post(&app, &refunds, json!({"reason": "Returned"}))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        post(&app, &refunds, json!({"reason": "Again"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let list: Value = app
        .get(&format!("/v1/invoices/{iid}/refunds"))
        .await
        .json()
        .await
        .unwrap();
    let amounts: Vec<Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].clone())
        .collect();
    assert_eq!(amounts, vec![usd(832), usd(5000)]);
    let payments: Value = app
        .get(&format!("/v1/invoices/{iid}/payments"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        payments["data"].as_array().unwrap().len(),
        1,
        "the payment stays on record"
    );
}

#[tokio::test]
async fn a_charge_can_be_cancelled_until_an_invoice_bills_it() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let lonely = id(&app.create_individual("Bo", "Alone").await, "customerId");
    let path = |c: &str| format!("/v1/customers/{c}/charges");
    let res = post(
        &app,
        &path(&lonely),
        json!({"description": "Router", "amount": 80}),
    )
    .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "has no subscription",
    )
    .await;
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    let res = post(
        &app,
        &path(&ada),
        json!({"description": "Router", "amount": 80, "currency": "EUR"}),
    )
    .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "invoiced in USD",
    )
    .await;
    let router: Value = post(
        &app,
        &path(&ada),
        json!({"description": "Router", "amount": 80}),
    )
    .await
    .json()
    .await
    .unwrap();
    let fee: Value = post(
        &app,
        &path(&ada),
        json!({"description": "Installation", "amount": 25.5}),
    )
    .await
    .json()
    .await
    .unwrap();
    let cancel = format!("{}/{}/cancel", path(&ada), id(&router, "chargeId"));
    let res = post(&app, &cancel, json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let inv = invoices_of(&app, &ada).await.remove(0);
    let last = inv["lineItems"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["description"], "Installation · 2026-11-26");
    assert_eq!(
        (last["lineType"].clone(), last["sourceId"].clone()),
        (json!("OneOff"), fee["chargeId"].clone())
    );
    let res = post(
        &app,
        &format!("{}/{}/cancel", path(&ada), id(&fee, "chargeId")),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "billed already");
}

#[tokio::test]
async fn terminating_a_customer_issues_the_final_invoice_at_once_and_the_next_run_adds_nothing() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = Decimal::from(20)).await;
    let (ada, _) = billed(&mut app).await;
    app.move_clock(d("2026-12-10")).await;
    post(
        &app,
        &format!("/v1/customers/{ada}/charges"),
        json!({"description": "Router not returned", "amount": 40}),
    )
    .await;
    let res = post(&app, &format!("/v1/customers/{ada}/terminate"), json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let invoices = invoices_of(&app, &ada).await;
    assert_eq!(invoices.len(), 2);
    let last = &invoices[0];
    assert!(
        last.get("period").is_none(),
        "a final invoice belongs to no run"
    );
    let lines: Vec<(String, Value)> = last["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["description"].as_str().unwrap().to_owned(),
                l["amount"].clone(),
            )
        })
        .collect();
    // 11–31 December were charged: 49.99 × 21/31 = 33.864 back.
    assert_eq!(
        lines,
        vec![
            (
                "Credit: Fiber 500 · 2026-12-11–2026-12-31 · 21/31 days".to_owned(),
                usd(-3386)
            ),
            ("Router not returned · 2026-12-10".to_owned(), usd(4000)),
        ]
    );
    // 6.14 net, 1.228 tax.
    assert_eq!(
        (last["netAmount"].clone(), last["totalAmount"].clone()),
        (usd(614), usd(737))
    );
    assert_eq!(last["invoiceDate"], "2026-12-10");
    app.move_clock(d("2027-01-01")).await;
    let run = bill(&app, "2027-01").await;
    assert_eq!(run["invoicesCreated"], 0);
    assert_eq!(invoices_of(&app, &ada).await.len(), 2);
}
