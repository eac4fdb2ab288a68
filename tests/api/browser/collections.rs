//! Getting paid in a real browser: a change on the Settings page printed on the next invoice
//! without a restart, the Collections page, a list's CSV export with its filters, and customers
//! imported with their subscriptions.
//! (Sessions expire when the clock moves days ahead: each test arranges its dates first.)

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{catalog, d, id, invoices_of, run_jobs, subscribe};
use crate::helpers::{TestApp, spawn_app_with};
use std::path::Path;

/// A customer with an invoice due on 2026-12-15; returns (customer, invoice) ids.
async fn billed(app: &mut TestApp) -> (String, String) {
    let cat = catalog(app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(app).await;
    let inv = id(&invoices_of(app, &c).await[0], "invoiceId");
    (c, inv)
}

/// The session cookie of the signed-in browser, for fetching a download directly.
async fn fetch_as(b: &Browser, app: &TestApp, path: &str) -> reqwest::Response {
    let cookies = b.client.get_all_cookies().await.unwrap();
    let header = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    app.client
        .get(app.url(path))
        .header("cookie", header)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_change_on_the_settings_page_is_on_the_next_printed_invoice_without_a_restart() {
    let mut app = spawn_app_with(|_| {}).await;
    let (_, inv) = billed(&mut app).await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.goto(&app, &format!("/admin/invoices/{inv}/print")).await;
    assert_eq!(
        b.text("#operator-name").await,
        "(set the operator's name in Settings)"
    );

    b.goto(&app, "/admin/settings").await;
    b.fill("#f-operator\\.name", "Harbour Telecom Ltd").await;
    b.fill(
        "#f-operator\\.payment_details",
        "IBAN GB33 BUKB 2020 1555 5555 55",
    )
    .await;
    b.click("#save-operator").await;
    b.wait_text("#flash", "Settings saved").await;
    assert!(b.text("#operator").await.contains("saved here by admin"));

    // A bad value is refused on the page, naming the setting, and nothing changes.
    b.fill("#f-billing\\.bill_day", "31").await;
    b.click("#save-billing").await;
    b.wait_text("#settings-error", "Bill day (1 to 28)").await;

    b.goto(&app, &format!("/admin/invoices/{inv}/print")).await;
    assert_eq!(b.text("#operator-name").await, "Harbour Telecom Ltd");
    let pdf = fetch_as(&b, &app, &format!("/admin/invoices/{inv}/pdf")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(app.state.live.get().billing.bill_day, 1);
    b.close().await;
}

#[tokio::test]
async fn the_collections_page_shows_amounts_by_age_and_tomorrows_reminders() {
    let mut app = spawn_app_with(|s| {
        s.dunning.reminder_days = vec![3, 10];
        s.dunning.suspend_after_days = 21;
    })
    .await;
    let (c, _) = billed(&mut app).await;
    // The first reminder went out 3 days past due; 9 days past due, the second is due tomorrow.
    app.move_clock(d("2026-12-18")).await;
    run_jobs(&app).await;
    app.move_clock(d("2026-12-24")).await;
    run_jobs(&app).await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.click("a[href='/admin/collections']").await;
    b.wait_path("/admin/collections").await;
    let aging = b.text("#aging").await;
    assert!(aging.contains("Ada Lovelace"), "{aging}");
    assert!(aging.contains("USD 49.99"), "{aging}");
    let preview = b.text("#preview").await;
    assert!(
        preview.contains("Reminder (10 days after the due date)"),
        "{preview}"
    );
    // Who is reminded is named, never quoted by id.
    assert!(
        preview.contains("Ada Lovelace") && !preview.contains("cus_"),
        "{preview}"
    );
    assert!(
        b.text("#dunning-history")
            .await
            .contains("reminder 3 days after the due date")
    );

    // Exempting the customer is done on its page.
    b.goto(&app, &format!("/admin/customers/{c}")).await;
    b.click("#collections details summary").await;
    b.fill("#f-reason", "Disputed charge").await;
    b.fill("#f-until", "01/31/2027").await;
    b.click("#exempt-form button").await;
    b.wait_text("#flash", "until 2027-01-31").await;
    assert!(b.text("#exemption").await.contains("Disputed charge"));
    b.close().await;
}

#[tokio::test]
async fn the_invoice_list_exports_what_its_filters_show() {
    let mut app = spawn_app_with(|_| {}).await;
    let (_, inv) = billed(&mut app).await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.goto(&app, "/admin/invoices?status=Open").await;
    let href = b
        .find("#export-invoices")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(href.contains("status=Open"), "{href}");
    let res = fetch_as(&b, &app, &href).await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("invoiceId,invoiceNumber,customerId,status")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&inv) && row.contains(",Open,") && row.ends_with(",49.99"),
        "{row}"
    );
    assert_eq!(lines.next(), None);
    let none = fetch_as(&b, &app, "/admin/invoices/export.csv?status=Paid").await;
    assert_eq!(none.text().await.unwrap().lines().count(), 1, "header only");
    b.close().await;
}

/// Chooses both files on the import page and submits it.
async fn upload(b: &Browser, app: &TestApp, customers: &Path, subscriptions: &Path) {
    b.goto(app, "/admin/customers/import").await;
    for (input, file) in [("#f-file", customers), ("#f-subscriptions", subscriptions)] {
        b.find(input)
            .await
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
    }
    b.click("#import").await;
}

#[tokio::test]
async fn customers_are_imported_with_their_subscriptions_from_the_upload_page() {
    let app = spawn_app_with(|_| {}).await;
    catalog(&app);
    let dir = tempfile::tempdir().unwrap();
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "customerId,customerType,firstName,lastName,email\n\
         A-1,Individual,Grace,Hopper,grace@example.com\n\
         A-2,Individual,Alan,Turing,alan@example.com\n",
    )
    .unwrap();
    let subscriptions = dir.path().join("subscriptions.csv");
    std::fs::write(
        &subscriptions,
        "customerId,productName,startDate,addons\n\
         A-1,Fiber 500,2025-06-01,Static IP\n\
         A-3,Fiber 500,2025-06-01,\n",
    )
    .unwrap();
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    // A subscription naming a customer in neither place: refused on the page by file and line,
    // and nothing of either file is imported.
    upload(&b, &app, &customers, &subscriptions).await;
    b.wait_text("#import-errors", "Subscriptions file, line 3")
        .await;
    assert!(b.text("#import-errors").await.contains("`A-3`"));
    let count = |table: &str| -> i64 {
        app.sql()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!((count("customers"), count("subscriptions")), (0, 0));

    std::fs::write(
        &subscriptions,
        "customerId,productName,startDate,addons\n\
         A-1,Fiber 500,2025-06-01,Static IP\n\
         A-2,TV Essentials,2025-06-01,\n",
    )
    .unwrap();
    upload(&b, &app, &customers, &subscriptions).await;
    b.wait_text("#flash", "2 customers and 2 subscriptions imported.")
        .await;
    assert_eq!((count("customers"), count("subscriptions")), (2, 2));
    b.close().await;
}
