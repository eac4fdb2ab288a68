//! The day's work in a real browser, as a person at a branch store does it.

use super::Browser;
use crate::helpers::{TestApp, spawn_app_with};
use crate::ui_helpers::{PASSWORD, initial_admin_password};

/// Signs in as the first admin with the generated password and chooses a new one, as the first
/// person at a new installation does.
pub async fn first_sign_in(b: &Browser, app: &TestApp) {
    b.goto(app, "/admin/").await;
    b.wait_path("/admin/login").await;
    b.fill("#f-username", "admin").await;
    b.fill("#f-password", &initial_admin_password(app)).await;
    b.click("#sign-in").await;
    b.wait_path("/admin/password").await;
    assert!(b.page_text().await.contains("Choose a new password"));
    b.fill("#f-current", &initial_admin_password(app)).await;
    b.fill("#f-new", PASSWORD).await;
    b.fill("#f-confirm", PASSWORD).await;
    b.click("#change-password").await;
    b.wait_path("/admin/").await;
    assert_eq!(b.text("#flash").await, "Your password has been changed.");
}

/// Fills and sends the new-customer form; returns the detail page's path.
pub async fn create_customer(
    b: &Browser,
    app: &TestApp,
    first: &str,
    last: &str,
    email: &str,
) -> String {
    b.goto(app, "/admin/customers").await;
    b.click("#new-customer").await;
    b.wait_path("/admin/customers/new").await;
    b.fill("#f-firstName", first).await;
    b.fill("#f-lastName", last).await;
    b.fill("#f-email", email).await;
    b.fill("#f-phone", "+1 555 010 2030").await;
    b.fill("#f-address\\.street", "12 Harbour Road").await;
    b.fill("#f-address\\.city", "Portsmouth").await;
    b.click("#save-customer").await;
    b.wait_path("/admin/customers/cus_").await;
    b.path().await
}

/// Waits until the bill run's page (which reloads itself while the run is in progress) shows it
/// finished.
async fn wait_run_completed(b: &Browser) {
    for _ in 0..100 {
        if b.text("#run-status").await == "Completed" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the bill run never completed: {}", b.page_text().await);
}

/// The walk the issue asks for: first sign-in with the forced password change, a new customer,
/// a subscription with an add-on, the month's bill run, the invoice and its printable page, a
/// payment that leaves it `Paid`, and signing out.
#[tokio::test]
async fn a_day_at_the_branch_store() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.billing.tax_rate_percent = rust_decimal::Decimal::from(20);
        s.operator.name = "Northwind Fiber Ltd".to_owned();
        s.operator.address = vec!["1 Quay Street".to_owned(), "4100 Portsmouth".to_owned()];
        s.operator.email = Some("billing@northwind.example".to_owned());
        s.operator.tax_id = Some("GB123456789".to_owned());
    })
    .await;
    let b = Browser::start(true).await;

    first_sign_in(&b, &app).await;
    b.resize(1280, 1300).await;

    let detail = create_customer(&b, &app, "Ada", "Lovelace", "ada@example.com").await;
    assert!(
        b.text("#flash")
            .await
            .starts_with("Customer Ada Lovelace created")
    );
    assert_eq!(b.text("#customer-name").await, "Ada Lovelace");

    // Add a subscription with an add-on, picked from the catalog with its prices.
    b.click("#add-subscription").await;
    b.wait_path(&format!("{detail}/subscriptions/new")).await;
    let product = b.find("input[name=productId]").await;
    product.click().await.unwrap();
    let product_label = b
        .find("input[name=productId]:checked + span")
        .await
        .text()
        .await
        .unwrap();
    // The add-ons that go with the product come next, then the monthly total to confirm.
    b.click("#choose-product").await;
    b.wait_path(&format!("{detail}/subscriptions/new?")).await;
    let addon = b.find("input[name=addons]").await;
    addon.click().await.unwrap();
    let addon_label = b
        .find("input[name=addons]:checked + span")
        .await
        .text()
        .await
        .unwrap();
    b.click("#review-subscription").await;
    b.wait_path(&format!("{detail}/subscriptions/review")).await;
    assert!(b.text("#monthly-total").await.starts_with("USD "));
    b.click("#create-subscription").await;
    b.wait_path(&detail).await;
    let subs = b.text("#subscriptions").await;
    let product_name = product_label.split(" (").next().unwrap();
    let addon_name = addon_label.split(" (").next().unwrap();
    assert!(subs.contains(product_name), "{subs}");
    assert!(subs.contains(addon_name), "{subs}");
    assert!(b.text("#flash").await.contains("added for Ada Lovelace"));

    // Run the month's bill run: preview it, then run it.
    b.click("nav a[href='/admin/bill-runs']").await;
    b.wait_path("/admin/bill-runs").await;
    b.click("#preview-run").await;
    b.wait_path("/admin/bill-runs/preview?period=2026-11").await;
    assert!(b.text("#preview-invoices").await.contains("Ada Lovelace"));
    b.click("#start-run").await;
    b.wait_path("/admin/bill-runs/brn_").await;
    wait_run_completed(&b).await;

    // Open her invoice, and its printable page.
    b.goto(&app, &detail).await;
    b.click("#invoices tbody a").await;
    b.wait_path("/admin/invoices/inv_").await;
    let invoice = b.path().await;
    assert_eq!(b.text("#invoice-status").await, "Open");
    let lines = b.text("#invoice-lines").await;
    assert!(
        lines.contains(product_name) && lines.contains(addon_name),
        "{lines}"
    );
    b.click("#print-invoice").await;
    b.wait_path(&format!("{invoice}/print")).await;
    assert_eq!(b.text("#operator-name").await, "Northwind Fiber Ltd");
    assert_eq!(b.text("#print-customer").await, "Ada Lovelace");
    assert!(b.text("#print-totals").await.contains("Tax 20 %"));
    let due = b.text("#print-amount-due").await;
    b.screenshot("invoice-print").await;
    b.click(".toolbar a").await;
    b.wait_path(&invoice).await;

    // She pays what is due, in cash: the invoice is Paid.
    b.click("#record-payment").await;
    b.wait_path(&format!("{invoice}/payments")).await;
    assert_eq!(b.text("#payment-due").await, due);
    b.click("#save-payment").await;
    b.wait_path(&invoice).await;
    assert!(b.text("#flash").await.contains("recorded"));
    assert_eq!(b.text("#invoice-status").await, "Paid");

    b.goto(&app, &detail).await;
    assert!(b.text("#customer-payments").await.contains(&due));
    b.screenshot("customer-detail").await;
    b.goto(&app, "/admin/").await;
    assert!(b.find("#chart-monthly").await.is_displayed().await.unwrap());
    b.screenshot("dashboard").await;

    b.click("#sign-out").await;
    b.wait_path("/admin/login").await;
    b.goto(&app, "/admin/").await;
    b.wait_path("/admin/login").await;
    b.close().await;
}

/// With JavaScript, the customer list follows the search box as one types (htmx), and the URL
/// keeps the search; the plain search button finds a customer by part of a phone number.
#[tokio::test]
async fn the_customer_search_follows_typing() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    create_customer(&b, &app, "Ada", "Lovelace", "ada@example.com").await;
    b.goto(&app, "/admin/customers").await;
    assert!(
        !b.text("#customer-results").await.contains("Ada Lovelace"),
        "not on page 1"
    );
    b.find("#f-q").await.send_keys("lovelace").await.unwrap();
    b.wait_text("#customer-results", "Ada Lovelace").await;
    b.wait_path("/admin/customers?q=lovelace").await;

    b.goto(&app, "/admin/customers").await;
    b.fill("#f-q", "0102030").await;
    b.click("#apply-filters").await;
    b.wait_path("/admin/customers?q=0102030").await;
    assert!(b.text("#customer-results").await.contains("Ada Lovelace"));
    b.close().await;
}
