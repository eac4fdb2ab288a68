//! A reload never acts twice: every form answers with a redirect to a page of its own
//! (POST/redirect/GET), so reloading the page after any action only shows it again. Every change
//! writes an audit entry, so "nothing happened" is "no new audit entry".

use super::Browser;
use super::flow::{create_customer, first_sign_in};
use crate::billing::catalog;
use crate::helpers::{TestApp, spawn_app};

fn changes(app: &TestApp) -> i64 {
    app.sql()
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

/// Reloads the page the last action led to and checks that it did nothing more and that the
/// browser is still on the same page.
async fn reload_changes_nothing(b: &Browser, app: &TestApp, what: &str) {
    let before = changes(app);
    let page = b.path().await;
    b.client.refresh().await.expect("reload");
    b.find("main").await;
    assert_eq!(b.path().await, page, "{what}: the reload stays on the page");
    assert_eq!(changes(app), before, "{what}: the reload changed something");
}

#[tokio::test]
async fn reloading_the_page_after_any_action_repeats_nothing() {
    let app = spawn_app().await;
    catalog(&app);
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;

    let customer = create_customer(&b, &app, "Ada", "Lovelace", "ada@example.com").await;
    reload_changes_nothing(&b, &app, "new customer").await;

    b.click("#edit-customer").await;
    b.fill("#f-phone", "+1 555 999 0000").await;
    b.click("#save-customer").await;
    b.wait_text("#flash", "saved").await;
    reload_changes_nothing(&b, &app, "edited customer").await;

    b.click("#add-subscription").await;
    b.click("input[name=productId]").await;
    b.click("#choose-product").await;
    b.click("#review-subscription").await;
    b.click("#create-subscription").await;
    b.wait_text("#flash", "added for Ada Lovelace").await;
    reload_changes_nothing(&b, &app, "new subscription").await;

    b.click("#subscriptions a[href$='to=suspend']").await;
    b.click("#confirm").await;
    b.wait_text("#flash", "is now suspended").await;
    reload_changes_nothing(&b, &app, "suspended subscription").await;
    b.click("#subscriptions a[href$='to=resume']").await;
    b.click("#confirm").await;
    b.wait_text("#flash", "is now active").await;
    reload_changes_nothing(&b, &app, "resumed subscription").await;

    b.goto(&app, &format!("{customer}/status?to=suspend")).await;
    b.click("#confirm").await;
    b.wait_text("#customer-status", "Suspended").await;
    reload_changes_nothing(&b, &app, "suspended customer").await;
    b.goto(&app, &format!("{customer}/status?to=reactivate"))
        .await;
    b.click("#confirm").await;
    b.wait_text("#customer-status", "Active").await;

    b.goto(&app, "/admin/bill-runs").await;
    b.click("#preview-run").await;
    b.click("#start-run").await;
    b.wait_path("/admin/bill-runs/brn_").await;
    reload_changes_nothing(&b, &app, "bill run").await;

    b.goto(&app, &customer).await;
    b.click("#invoices tbody a").await;
    b.click("#record-payment").await;
    b.fill("#f-amount", "1").await;
    b.click("#save-payment").await;
    b.wait_text("#flash", "recorded").await;
    reload_changes_nothing(&b, &app, "payment").await;

    b.goto(&app, "/admin/catalog/new").await;
    b.fill("#f-productName", "Fiber 2G").await;
    b.fill("#f-monthlyPrice", "89.00").await;
    b.click("#save-product").await;
    b.wait_text("#flash", "added to the catalog").await;
    reload_changes_nothing(&b, &app, "new product").await;

    // The page that shows a new API client's secret: the reload shows no secret and makes no
    // second client.
    b.goto(&app, "/admin/api-clients/new").await;
    b.fill("#f-name", "CRM").await;
    b.click("#s-read\\:customers").await;
    b.click("#create-client").await;
    let secret = b.text("#client-secret").await;
    reload_changes_nothing(&b, &app, "new API client").await;
    b.find("#secret-gone").await;
    assert!(!b.page_text().await.contains(&secret));
    let clients: i64 = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM api_clients WHERE name = 'CRM'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clients, 1);
    b.goto(&app, "/admin/api-clients").await;
    b.click("#clients a[href$='/rotate']").await;
    b.click("#confirm").await;
    b.find("#client-secret").await;
    reload_changes_nothing(&b, &app, "rotated secret").await;

    // New user, reset password: the password is shown once, a reload makes nothing new.
    b.goto(&app, "/admin/users/new").await;
    b.fill("#f-username", "olga").await;
    b.click("#create-user").await;
    let password = b.text("#generated-password").await;
    reload_changes_nothing(&b, &app, "new user").await;
    b.find("#password-gone").await;
    assert!(!b.page_text().await.contains(&password));
    b.goto(&app, "/admin/users").await;
    b.click("#users tr:nth-child(2) a[href$='/reset-password']")
        .await;
    b.click("#confirm").await;
    b.find("#generated-password").await;
    reload_changes_nothing(&b, &app, "reset password").await;

    b.goto(&app, "/admin/users").await;
    b.click("#users tr:nth-child(2) button").await;
    b.wait_text("#flash", "now has the").await;
    reload_changes_nothing(&b, &app, "changed role").await;

    // Cancelling an invoice (a new one: the first has a payment).
    let other = create_customer(&b, &app, "Alan", "Turing", "alan@example.com").await;
    let cid = other.trim_start_matches("/admin/customers/");
    crate::billing::subscribe(&app, cid, &catalog_fiber(&app), "2026-11-26", &[]).await;
    crate::billing::bill(&app, "2026-11").await;
    b.goto(&app, &other).await;
    b.click("#invoices tbody a").await;
    b.click("#cancel-invoice").await;
    b.fill("#f-reason", "Entered twice").await;
    b.click("#confirm").await;
    b.wait_text("#invoice-status", "Cancelled").await;
    reload_changes_nothing(&b, &app, "cancelled invoice").await;
    b.close().await;
}

fn catalog_fiber(app: &TestApp) -> String {
    app.sql()
        .query_row(
            "SELECT id FROM products WHERE name = 'Fiber 500'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}
