//! A year of billing for a handful of customers, driven by the clock and the background jobs:
//! invoice numbers, amounts, statuses and payments, month by month.
//!
//! Tax is 20 %. From 26 November 2026 (after November's run):
//! - A: Fiber 500 (49.99) with Static IP (5.00); pays on time, except October (overdue, then in
//!   two parts).
//! - B: a tax-exempt business, TV Essentials (14.99) from 15 December; pays December in two
//!   parts; cancels at the end of August.
//! - C: Mobile Unlimited (35.00); pays December late; suspended 10 February to 20 March.
//! - D: Fiber 100 (29.99); terminated on 10 June: the final invoice issued that day credits the
//!   rest of June.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, post, run_jobs, subscribe, usd};
use crate::helpers::{TestApp, spawn_app_with};

async fn invoice_on(app: &TestApp, customer: &str, date: &str) -> Option<Value> {
    let url = format!("/v1/customers/{customer}/invoices?fromDate={date}&toDate={date}");
    let v: Value = app.get(&url).await.json().await.unwrap();
    v["data"].as_array().unwrap().first().cloned()
}

async fn pay(app: &TestApp, invoice: &Value, amount: Value) {
    let url = format!("/v1/invoices/{}/payments", id(invoice, "invoiceId"));
    let res = post(app, &url, json!({"amount": amount, "method": "Card"})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "payment of {amount}");
}

async fn status_of(app: &TestApp, invoice: &Value) -> (String, Value) {
    let url = format!("/v1/invoices/{}", id(invoice, "invoiceId"));
    let v: Value = app.get(&url).await.json().await.unwrap();
    (id(&v, "status"), v["amountDue"].clone())
}

/// Expected invoice totals (minor units) of A, B, C, D for each month; `None`: no invoice.
fn expected(month: &str) -> [Option<i64>; 4] {
    let a = if month == "2026-12" { 7698 } else { 6599 };
    let b = match month {
        "2026-12" => Some(822), // 15–31 December, 17/31 days, exempt
        m if m <= "2027-08" => Some(1499),
        _ => None,
    };
    let c = match month {
        "2026-12" => Some(4900),
        "2027-03" => None, // suspended on the bill day
        _ => Some(4200),
    };
    let dd = match month {
        "2026-12" => Some(4199),
        m if m <= "2027-06" => Some(3599),
        // July has none: the final invoice of 10 June settled the account.
        _ => None,
    };
    [Some(a), b, c, dd]
}

#[tokio::test]
async fn a_year_of_billing_numbers_charges_and_collects_every_month() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = Decimal::from(20)).await;
    let cat = catalog(&app);
    // November's run happens before anyone subscribes.
    let round = run_jobs(&app).await;
    assert_eq!(round["billRun"]["period"], "2026-11");
    assert_eq!(round["billRun"]["invoicesCreated"], 0);

    let a = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let res = post(
        &app,
        "/v1/customers",
        json!({"customerType": "Business", "companyName": "Harbour Bakery", "email": "hb@example.com", "taxExempt": true}),
    )
    .await;
    let b = id(&res.json::<Value>().await.unwrap(), "customerId");
    let c = id(&app.create_individual("Cy", "Chen").await, "customerId");
    let dd = id(&app.create_individual("Dara", "Byrne").await, "customerId");
    subscribe(&app, &a, &cat.fiber, "2026-11-26", &[&cat.ip]).await;
    let b_tv = id(
        &subscribe(&app, &b, &cat.tv, "2026-12-15", &[]).await,
        "subscriptionId",
    );
    let c_mobile = id(
        &subscribe(&app, &c, &cat.mobile, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    subscribe(&app, &dd, &cat.fiber100, "2026-11-26", &[]).await;
    let customers = [&a, &b, &c, &dd];

    let months = [
        "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07",
        "2027-08", "2027-09", "2027-10", "2027-11",
    ];
    let mut last_number = (2026, 0);
    for month in months {
        let date = format!("{month}-01");
        app.move_clock(d(&date)).await;
        let round = run_jobs(&app).await;
        let run = &round["billRun"];
        assert_eq!(run["status"], "Completed", "{month}: {round}");
        let want = expected(month);
        let count = want.iter().flatten().count();
        assert_eq!(run["invoicesCreated"], count, "{month}");

        // This month's invoices, by customer index (0 = A .. 3 = D).
        let mut invoices: Vec<(usize, Value)> = Vec::new();
        for (who, (customer, want)) in customers.iter().zip(want).enumerate() {
            let got = invoice_on(&app, customer, &date).await;
            match (want, got) {
                (None, None) => {}
                (Some(total), Some(inv)) => {
                    assert_eq!(inv["totalAmount"], usd(total), "{month} {customer}");
                    assert_eq!(inv["period"], month);
                    let status = if total > 0 { "Open" } else { "Paid" };
                    assert_eq!(inv["status"], status, "{month} {customer}");
                    invoices.push((who, inv));
                }
                (want, got) => panic!("{month} {customer}: expected {want:?}, got {got:?}"),
            }
        }
        // Gapless numbers: this month's invoices take the next numbers of the year.
        let year: i32 = month[..4].parse().unwrap();
        if year != last_number.0 {
            last_number = (year, 0);
        }
        let mut numbers: Vec<String> = invoices
            .iter()
            .map(|(_, i)| id(i, "invoiceNumber"))
            .collect();
        numbers.sort();
        let next: Vec<String> = (1..=count)
            .map(|k| format!("INV-{year}-{:06}", last_number.1 + k))
            .collect();
        assert_eq!(numbers, next, "{month}");
        last_number.1 += count;

        // Collect.
        let of = |who: usize| {
            invoices
                .iter()
                .find(|(w, _)| *w == who)
                .map(|(_, i)| i.clone())
                .unwrap_or_else(|| panic!("{month}: no invoice for customer {who}"))
        };
        for (who, inv) in &invoices {
            let late = (month == "2026-12" && (*who == 1 || *who == 2))
                || (month == "2027-10" && *who == 0);
            if inv["status"] == "Open" && !late {
                pay(&app, inv, inv["amountDue"].clone()).await;
                assert_eq!(status_of(&app, inv).await.0, "Paid", "{month}");
            }
        }

        match month {
            "2026-12" => {
                let b_inv = &of(1);
                assert_eq!(
                    b_inv["lineItems"][0]["description"],
                    "TV Essentials · 2026-12-15–2026-12-31 · 17/31 days"
                );
                assert_eq!(b_inv["taxAmount"], json!(0.0));
                pay(&app, b_inv, json!(4.00)).await;
                assert_eq!(
                    status_of(&app, b_inv).await,
                    ("Open".to_owned(), json!(4.22))
                );
                pay(&app, b_inv, json!(4.22)).await;
                assert_eq!(status_of(&app, b_inv).await.0, "Paid");
                // C pays late: overdue the day after its due date, then paid in full.
                app.move_clock(d("2026-12-16")).await;
                let round = run_jobs(&app).await;
                assert_eq!(round["invoicesOverdue"], 1);
                assert_eq!(round["subscriptionsStarted"], 1, "B's TV started");
                let c_inv = &of(2);
                assert_eq!(status_of(&app, c_inv).await.0, "Overdue");
                pay(&app, c_inv, json!(49)).await;
                assert_eq!(status_of(&app, c_inv).await.0, "Paid");
            }
            "2027-02" => {
                app.move_clock(d("2027-02-10")).await;
                let url = format!("/v1/subscriptions/{c_mobile}/suspend");
                let res = app
                    .request(reqwest::Method::POST, &url)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
            }
            "2027-03" => {
                assert_eq!(run["customersSkipped"]["nothingDue"], 1, "C is suspended");
                app.move_clock(d("2027-03-20")).await;
                let url = format!("/v1/subscriptions/{c_mobile}/resume");
                let res = app
                    .request(reqwest::Method::POST, &url)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
            }
            "2027-04" => {
                // Resumed in March: March stays free, April is charged whole.
                let c_inv = &of(2);
                assert_eq!(c_inv["lineItems"].as_array().unwrap().len(), 1);
                assert_eq!(
                    c_inv["lineItems"][0]["description"],
                    "Mobile Unlimited · 2027-04-01–2027-04-30"
                );
            }
            "2027-06" => {
                app.move_clock(d("2027-06-10")).await;
                let url = format!("/v1/customers/{dd}/terminate");
                let res = app
                    .request(reqwest::Method::POST, &url)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                // The final invoice, at once: 11–30 June back, 20/30 days, with its tax.
                let d_inv = invoice_on(&app, &dd, "2027-06-10")
                    .await
                    .expect("final invoice");
                assert_eq!(
                    d_inv["lineItems"][0]["description"],
                    "Credit: Fiber 100 · 2027-06-11–2027-06-30 · 20/30 days"
                );
                assert_eq!(d_inv["netAmount"], usd(-1999));
                assert_eq!(d_inv["taxAmount"], usd(-400));
                assert_eq!(d_inv["totalAmount"], usd(-2399));
                assert_eq!(
                    (d_inv["status"].clone(), d_inv["amountDue"].clone()),
                    (json!("Paid"), json!(0.0))
                );
                assert!(d_inv.get("period").is_none());
                last_number.1 += 1;
                assert_eq!(
                    d_inv["invoiceNumber"],
                    format!("INV-2027-{:06}", last_number.1),
                    "the final invoice takes the next number of the year"
                );
            }
            "2027-08" => {
                app.move_clock(d("2027-08-05")).await;
                let url = format!("/v1/subscriptions/{b_tv}/cancel");
                let res = post(&app, &url, json!({"when": "end_of_period"})).await;
                assert_eq!(res.status(), StatusCode::OK);
            }
            "2027-09" => {
                assert_eq!(round["subscriptionsEnded"], 1, "B's TV ended with August");
                assert_eq!(run["customersSkipped"]["nothingDue"], 2, "B and D");
            }
            "2027-10" => {
                let a_inv = &of(0);
                app.move_clock(d("2027-10-16")).await;
                assert_eq!(run_jobs(&app).await["invoicesOverdue"], 1);
                pay(&app, a_inv, json!(30)).await;
                assert_eq!(
                    status_of(&app, a_inv).await,
                    ("Overdue".to_owned(), json!(35.99))
                );
                pay(&app, a_inv, json!(35.99)).await;
                assert_eq!(status_of(&app, a_inv).await.0, "Paid");
            }
            _ => {}
        }
    }
    assert_eq!(last_number, (2027, 36), "36 invoices numbered in 2027");
    // Nothing is left unpaid.
    for customer in customers {
        let url = format!("/v1/customers/{customer}/invoices?pageSize=100");
        let v: Value = app.get(&url).await.json().await.unwrap();
        for inv in v["data"].as_array().unwrap() {
            assert_eq!(inv["status"], "Paid", "{inv}");
        }
    }
}
