//! The admin UI on a phone: at 390 px nothing scrolls sideways on any list or detail page, the
//! navigation folds into a menu that opens without a script, and tables become one card per
//! row.

use serde_json::json;

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{bill, id};
use crate::helpers::{TestApp, spawn_app_with};

/// The ids of one of everything the demo and a month's billing make.
pub struct Demo {
    pub customer: String,
    pub invoice: String,
    pub bill_run: String,
    pub product: String,
    pub webhook: String,
}

/// A demo installation billed for November, with a payment, an overdue invoice, a webhook
/// endpoint and an API client, so every page has rows to show.
pub async fn billed_demo() -> (TestApp, Demo) {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.billing.tax_rate_percent = rust_decimal::Decimal::from(20);
        s.operator.name = "Northwind Fiber Ltd".to_owned();
    })
    .await;
    let run = bill(&app, "2026-11").await;
    let (customer, invoice): (String, String) = app
        .sql()
        .query_row(
            "SELECT customer_id, id FROM invoices ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let res = app
        .post_json(
            &format!("/v1/invoices/{invoice}/payments"),
            &json!({"amount": 10, "method": "BankTransfer", "reference": "TRX-2026-0042"}),
        )
        .await;
    assert!(res.status().is_success(), "payment recorded");
    app.sql()
        .execute(
            "UPDATE invoices SET status = 'Overdue' WHERE seq = (SELECT MAX(seq) FROM invoices)",
            [],
        )
        .unwrap();
    let product: String = app
        .sql()
        .query_row("SELECT id FROM products ORDER BY seq LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let res = app
        .post_json(
            "/v1/webhook-endpoints",
            &json!({"url": "http://127.0.0.1:9/a-rather-long-path/for-the-provisioning-system/events", "description": "Provisioning"}),
        )
        .await;
    let webhook = id(&res.json().await.unwrap(), "webhookEndpointId");
    let demo = Demo {
        customer,
        invoice,
        bill_run: id(&run, "billRunId"),
        product,
        webhook,
    };
    (app, demo)
}

#[tokio::test]
async fn at_390_px_nothing_scrolls_sideways_on_any_list_or_detail_page() {
    let (app, d) = billed_demo().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(390, 844).await;
    let width: u64 = b
        .client
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(width <= 400, "a phone-sized window: {width} px");
    let (c, i, r, p, w) = (&d.customer, &d.invoice, &d.bill_run, &d.product, &d.webhook);
    let pages = [
        "/admin/".to_owned(),
        "/admin/customers".to_owned(),
        "/admin/customers?q=555+01&sort=-account".to_owned(),
        format!("/admin/customers/{c}"),
        format!("/admin/customers/{c}/edit"),
        "/admin/customers/new".to_owned(),
        format!("/admin/customers/{c}/subscriptions/new"),
        format!("/admin/customers/{c}/status?to=suspend"),
        "/admin/invoices".to_owned(),
        "/admin/invoices?status=Open&from=2026-11-01&to=2026-11-30&sort=due".to_owned(),
        format!("/admin/invoices/{i}"),
        format!("/admin/invoices/{i}/payments"),
        format!("/admin/invoices/{i}/print"),
        "/admin/subscriptions".to_owned(),
        "/admin/subscriptions?status=Active&from=2026-01-01&sort=-charge".to_owned(),
        "/admin/subscriptions?q=example.com&status=Sleeping".to_owned(),
        "/admin/payments".to_owned(),
        "/admin/payments?method=BankTransfer&q=trx-2026&sort=amount".to_owned(),
        "/admin/bill-runs".to_owned(),
        "/admin/bill-runs/preview?period=2026-12".to_owned(),
        format!("/admin/bill-runs/{r}"),
        format!("/admin/invoices?run={r}"),
        "/admin/catalog".to_owned(),
        "/admin/catalog/new".to_owned(),
        format!("/admin/catalog/{p}/edit"),
        "/admin/activity".to_owned(),
        "/admin/api-clients".to_owned(),
        "/admin/api-clients/new".to_owned(),
        "/admin/webhooks".to_owned(),
        format!("/admin/webhooks/{w}"),
        "/admin/users".to_owned(),
        "/admin/users/new".to_owned(),
        "/admin/password".to_owned(),
        "/admin/collections".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/customers/import".to_owned(),
        "/admin/no-such-page".to_owned(),
    ];
    for page in &pages {
        b.goto(&app, page).await;
        b.find("body").await;
        let faults = b.sideways().await;
        assert!(faults.is_empty(), "{page} at 390 px: {faults:?}");
    }

    // The navigation is folded away, and a tap on Menu opens it (a check box: no script).
    b.goto(&app, "/admin/invoices").await;
    assert!(!b.shows("a[href='/admin/bill-runs']").await, "folded");
    b.click("label.nav-toggle-label").await;
    assert!(b.shows("a[href='/admin/bill-runs']").await, "opened");
    assert!(b.shows("#sign-out").await, "the user's part is in it too");
    assert!(b.sideways().await.is_empty());
    b.click("a[href='/admin/bill-runs']").await;
    b.wait_path("/admin/bill-runs").await;

    // A table is a card per row: every cell on a line of its own, saying what it is.
    b.goto(&app, "/admin/invoices").await;
    let display = b
        .client
        .execute(
            "const td = document.querySelector('#invoice-list tbody td[data-label=Total]'); \
             const head = document.querySelector('#invoice-list thead'); \
             return [getComputedStyle(td).display, head.getBoundingClientRect().height <= 1];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(display, json!(["block", true]), "{display}");
    b.screenshot("phone-invoices").await;
    b.close().await;
}
