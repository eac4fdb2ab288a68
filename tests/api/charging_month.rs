//! A month of charging on the clock, checked line by line against amounts worked out by hand:
//! usage for three subscriptions (one record resent, one late), a mid-month upgrade, a one-off
//! charge, a discount and two credit notes; then the next month, and a rerun that creates
//! nothing.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::billing::{bill, d, id, post, subscribe, usd};
use crate::helpers::{TestApp, spawn_app_with};
use crate::invoice_lines::{dec, expect, invoice_for, lines, sum_of_lines};

async fn product(app: &TestApp, body: Value) -> String {
    let res = app.post_json("/v1/products", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "product {body}");
    id(&res.json().await.unwrap(), "productId")
}

async fn usage(app: &TestApp, records: Value) -> Value {
    let res = post(app, "/v1/usage-records", json!({ "records": records })).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn record(record_id: &str, sub: &str, metric: &str, quantity: f64, at: &str) -> Value {
    json!({"recordId": record_id, "subscriptionId": sub, "metric": metric,
           "quantity": quantity, "occurredAt": at})
}

#[tokio::test]
async fn a_month_of_usage_an_upgrade_a_charge_a_discount_and_credit_notes_bill_to_the_cent() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = Decimal::from(10)).await;
    app.move_clock(d("2026-12-01")).await;
    let data = |included: i64, tiers: Value, above: &str| {
        json!({"metric": "data_gb", "name": "Data", "unit": "GB", "includedQuantity": included,
               "unitPrice": serde_json::from_str::<Value>(above).unwrap(), "tiers": tiers})
    };
    let fiber100 = product(
        &app,
        json!({"productName": "Fiber 100", "productType": "Broadband",
        "monthlyPrice": 29.99, "currency": "USD"}),
    )
    .await;
    let fiber500 = product(
        &app,
        json!({"productName": "Fiber 500", "productType": "Broadband",
        "monthlyPrice": 49.99, "currency": "USD", "usage": data(100, json!([]), "0.50")}),
    )
    .await;
    // Mobile: 10 GB included, 2.00 a GB up to 20 GB in all, 1.00 a GB above.
    let mobile = product(
        &app,
        json!({"productName": "Mobile", "productType": "Mobile",
        "monthlyPrice": 20.00, "currency": "USD",
        "usage": data(10, json!([{"upTo": 20, "unitPrice": 2.00}]), "1.00")}),
    )
    .await;
    let customer = |first: &'static str| {
        let app = &app;
        async move { id(&app.create_individual(first, "Tester").await, "customerId") }
    };
    let (ada, bob, cy) = (
        customer("Ada").await,
        customer("Bob").await,
        customer("Cy").await,
    );
    let ada_sub = id(
        &subscribe(&app, &ada, &fiber100, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    let bob_sub = id(
        &subscribe(&app, &bob, &mobile, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    subscribe(&app, &cy, &fiber500, "2026-12-01", &[]).await;

    // 1 December: every plan billed in advance for December.
    assert_eq!(bill(&app, "2026-12").await["invoicesCreated"], 3);
    let ada_dec = invoice_for(&app, &ada, "2026-12").await;
    assert_eq!(ada_dec["totalAmount"], usd(3299)); // 29.99 + 3.00
    let cy_dec = invoice_for(&app, &cy, "2026-12").await;
    assert_eq!(cy_dec["totalAmount"], usd(5499)); // 49.99 + 5.00 (4.999)

    // 5 December: Bob gets 10 % off for two invoices.
    app.move_clock(d("2026-12-05")).await;
    let res = post(
        &app,
        &format!("/v1/subscriptions/{bob_sub}/discounts"),
        json!({"percentOff": 10, "months": 2, "description": "Welcome"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let discount: Value = res.json().await.unwrap();
    assert_eq!(discount["status"], "Active");

    // 10 December: Ada's plan meters nothing yet; Cy is charged for the installation.
    app.move_clock(d("2026-12-10")).await;
    let r = usage(
        &app,
        json!([record(
            "a-0",
            &ada_sub,
            "data_gb",
            5.0,
            "2026-12-10T08:00:00Z"
        )]),
    )
    .await;
    assert_eq!(r["accepted"], 0);
    assert_eq!(r["rejected"][0]["code"], "unknown_metric");
    let res = post(
        &app,
        &format!("/v1/customers/{cy}/charges"),
        json!({"description": "Installation", "amount": 75.00}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // 15 December: Cy pays December; Bob's usage, one record resent by mediation.
    app.move_clock(d("2026-12-15")).await;
    let cy_dec_id = id(&cy_dec, "invoiceId");
    let res = post(
        &app,
        &format!("/v1/invoices/{cy_dec_id}/payments"),
        json!({"amount": 54.99, "method": "Card"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let r = usage(
        &app,
        json!([
            record("b-1", &bob_sub, "data_gb", 12.25, "2026-12-03T09:00:00Z"),
            record("b-2", &bob_sub, "data_gb", 13.25, "2026-12-14T21:30:00Z"),
            record("b-1", &bob_sub, "data_gb", 12.25, "2026-12-03T09:00:00Z"),
        ]),
    )
    .await;
    assert_eq!(
        (r["accepted"].clone(), r["duplicates"].clone()),
        (json!(2), json!(1))
    );
    let bob_usage: Value = app
        .get(&format!("/v1/subscriptions/{bob_sub}/usage?period=2026-12"))
        .await
        .json()
        .await
        .unwrap();
    let m = &bob_usage["metrics"][0];
    assert_eq!(
        (m["quantity"].clone(), m["includedQuantity"].clone()),
        (json!(25.5), json!(10))
    );
    // 10 × 2.00 + 5.5 × 1.00.
    assert_eq!(m["amount"], usd(2550));

    // 16 December: Ada upgrades to Fiber 500 now; the preview shows the lines and stores nothing.
    app.move_clock(d("2026-12-16")).await;
    let path = format!("/v1/subscriptions/{ada_sub}/change-plan");
    let ask = |preview: bool| json!({"productId": fiber500, "when": "now", "preview": preview});
    let preview: Value = post(&app, &path, ask(true)).await.json().await.unwrap();
    // 29.99 × 16/31 = 15.478 back; 49.99 × 16/31 = 25.801 charged; January in advance.
    let expected_change = expect(&[
        (
            "Credit: Fiber 100 · 2026-12-16–2026-12-31 · 16/31 days",
            -1548,
        ),
        ("Fiber 500 · 2026-12-16–2026-12-31 · 16/31 days", 2580),
        ("Fiber 500 · 2027-01-01–2027-01-31", 4999),
    ]);
    assert_eq!(preview["invoicePeriod"], "2027-01");
    let preview_lines: Vec<(String, Value)> = preview["lines"]
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
    assert_eq!(preview_lines, expected_change);
    let still: Value = app
        .get(&format!("/v1/subscriptions/{ada_sub}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        still["productName"], "Fiber 100",
        "a preview stores nothing"
    );
    let done = post(&app, &path, ask(false)).await;
    assert_eq!(done.status(), StatusCode::OK);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["subscription"]["productName"], "Fiber 500");
    assert_eq!(done["subscription"]["planStartDate"], "2026-12-16");

    // 20 December: credit notes, one on Ada's unpaid December invoice, one on Cy's paid one.
    app.move_clock(d("2026-12-20")).await;
    let ada_dec_id = id(&ada_dec, "invoiceId");
    let res = post(
        &app,
        &format!("/v1/invoices/{ada_dec_id}/credit-notes"),
        json!({"amount": 5.00, "reason": "Outage on 3 December"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cn: Value = res.json().await.unwrap();
    assert_eq!(cn["creditNoteNumber"], "CN-2026-000001");
    assert_eq!(
        (cn["appliedToInvoice"].clone(), cn["addedToBalance"].clone()),
        (usd(500), usd(0))
    );
    let ada_dec: Value = app
        .get(&format!("/v1/invoices/{ada_dec_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (ada_dec["amountDue"].clone(), ada_dec["status"].clone()),
        (usd(2799), json!("Open"))
    );
    let cn2: Value = post(
        &app,
        &format!("/v1/invoices/{cy_dec_id}/credit-notes"),
        json!({"amount": 10.00, "reason": "Goodwill"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cn2["creditNoteNumber"], "CN-2026-000002");
    assert_eq!(cn2["addedToBalance"], usd(1000));

    // 31 December: Ada's new plan meters data, 130 GB since the upgrade.
    app.move_clock(d("2026-12-31")).await;
    let r = usage(
        &app,
        json!([
            record("a-1", &ada_sub, "data_gb", 50.0, "2026-12-18T10:00:00Z"),
            record("a-2", &ada_sub, "data_gb", 80.0, "2026-12-28T10:00:00Z"),
        ]),
    )
    .await;
    assert_eq!(r["accepted"], 2, "{r}");

    // 1 January: December's usage in arrears, January in advance.
    app.move_clock(d("2027-01-01")).await;
    assert_eq!(bill(&app, "2027-01").await["invoicesCreated"], 3);
    let ada_jan = invoice_for(&app, &ada, "2027-01").await;
    let mut ada_expected = expected_change.clone();
    ada_expected.extend(expect(&[(
        "Data · 2026-12 · 130 GB (100 GB included) · 30 GB × 0.50",
        1500,
    )]));
    assert_eq!(lines(&ada_jan), ada_expected);
    // -15.48 + 25.80 + 49.99 + 15.00 = 75.31; tax 7.531.
    assert_eq!(ada_jan["netAmount"], usd(7531));
    assert_eq!(ada_jan["taxAmount"], usd(753));
    assert_eq!(ada_jan["totalAmount"], usd(8284));

    let bob_jan = invoice_for(&app, &bob, "2027-01").await;
    assert_eq!(
        lines(&bob_jan),
        expect(&[
            ("Mobile · 2027-01-01–2027-01-31", 2000),
            (
                "Discount Welcome (10 %) · Mobile · 2027-01-01–2027-01-31",
                -200
            ),
            (
                "Data · 2026-12 · 25.5 GB (10 GB included) · 10 GB × 2.00 + 5.5 GB × 1.00",
                2550
            ),
            (
                "Discount Welcome (10 %) · Data · 2026-12 · 25.5 GB (10 GB included) · 10 GB × 2.00 + 5.5 GB × 1.00",
                -255,
            ),
        ])
    );
    // 40.95 net; tax 4.095 rounds half away from zero to 4.10.
    assert_eq!(
        (bob_jan["netAmount"].clone(), bob_jan["taxAmount"].clone()),
        (usd(4095), usd(410))
    );
    assert_eq!(bob_jan["totalAmount"], usd(4505));

    let cy_jan = invoice_for(&app, &cy, "2027-01").await;
    assert_eq!(
        lines(&cy_jan),
        expect(&[
            ("Fiber 500 · 2027-01-01–2027-01-31", 4999),
            ("Installation · 2026-12-10", 7500),
        ])
    );
    // 124.99 net, 12.499 tax; Cy's 10.00 of credit is consumed first.
    assert_eq!(cy_jan["totalAmount"], usd(13749));
    assert_eq!(cy_jan["amountCredited"], usd(1000));
    assert_eq!(cy_jan["amountDue"], usd(12749));
    for inv in [&ada_jan, &bob_jan, &cy_jan] {
        assert_eq!(dec(&inv["netAmount"]), sum_of_lines(inv));
        assert_eq!(
            dec(&inv["totalAmount"]),
            dec(&inv["netAmount"]) + dec(&inv["taxAmount"])
        );
    }
    let charges: Value = app
        .get(&format!("/v1/customers/{cy}/charges"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(charges["data"][0]["status"], "Billed");

    // Running January again creates nothing.
    let again = bill(&app, "2027-01").await;
    assert_eq!(again["invoicesCreated"], 0);
    assert_eq!(again["customersSkipped"]["alreadyInvoiced"], 3);

    // 5 January: 2 GB of Bob's December arrive late; they go on February's invoice.
    app.move_clock(d("2027-01-05")).await;
    let r = usage(
        &app,
        json!([record(
            "b-3",
            &bob_sub,
            "data_gb",
            2.0,
            "2026-12-31T23:00:00Z"
        )]),
    )
    .await;
    assert_eq!(r["accepted"], 1);
    app.move_clock(d("2027-02-01")).await;
    bill(&app, "2027-02").await;
    let bob_feb = invoice_for(&app, &bob, "2027-02").await;
    assert_eq!(
        lines(&bob_feb),
        expect(&[
            ("Mobile · 2027-02-01–2027-02-28", 2000),
            (
                "Discount Welcome (10 %) · Mobile · 2027-02-01–2027-02-28",
                -200
            ),
            (
                "Data · 2026-12 · late: 2 GB more, 27.5 GB in all (10 GB included) · 2 GB × 1.00",
                200
            ),
            (
                "Discount Welcome (10 %) · Data · 2026-12 · late: 2 GB more, 27.5 GB in all (10 GB included) · 2 GB × 1.00",
                -20,
            ),
        ])
    );
    assert_eq!(bob_feb["totalAmount"], usd(1980 + 198));
    // Two invoices used the two months: the discount has ended.
    let discounts: Value = app
        .get(&format!("/v1/subscriptions/{bob_sub}/discounts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(discounts["data"][0]["status"], "Ended");
    assert_eq!(discounts["data"][0]["invoicesApplied"], 2);
}
