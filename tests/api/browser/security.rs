//! What the browser must refuse or neutralise, and the UI without JavaScript.

use edgebss::domain::user::Role;

use super::Browser;
use super::flow::{create_customer, first_sign_in};
use crate::helpers::spawn_app;
use crate::ui_helpers::PASSWORD;

#[tokio::test]
async fn a_form_sent_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.goto(&app, "/admin/customers/new").await;
    b.fill("#f-firstName", "Eve").await;
    b.fill("#f-lastName", "Forger").await;
    b.fill("#f-email", "eve@example.com").await;
    b.client
        .execute(
            "document.querySelector('#customer-form input[name=_csrf]').remove()",
            vec![],
        )
        .await
        .expect("remove the token");
    b.click("#save-customer").await;
    b.wait_path("/admin/customers").await;
    let text = b.page_text().await;
    assert!(text.contains("Form expired"), "{text}");
    let n: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    b.close().await;
}

#[tokio::test]
async fn a_viewer_sees_no_write_actions_and_is_refused_them() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let created = edgebss::service::users::create(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        "vera",
        Role::Viewer,
    )
    .await
    .unwrap();
    let b = Browser::start(true).await;
    b.goto(&app, "/admin/login").await;
    b.fill("#f-username", "vera").await;
    b.fill("#f-password", &created.password).await;
    b.click("#sign-in").await;
    b.wait_path("/admin/password").await;
    b.fill("#f-current", &created.password).await;
    b.fill("#f-new", PASSWORD).await;
    b.fill("#f-confirm", PASSWORD).await;
    b.click("#change-password").await;
    b.wait_path("/admin/").await;

    b.goto(&app, "/admin/customers").await;
    assert!(
        b.client
            .find(fantoccini::Locator::Id("new-customer"))
            .await
            .is_err()
    );
    let detail = format!("/admin/customers/{}", c["customerId"].as_str().unwrap());
    b.goto(&app, &detail).await;
    assert!(
        b.client
            .find(fantoccini::Locator::Id("edit-customer"))
            .await
            .is_err()
    );
    b.goto(&app, &format!("{detail}/edit")).await;
    let text = b.page_text().await;
    assert!(text.contains("Your role (viewer) cannot do this"), "{text}");
    b.close().await;
}

#[tokio::test]
async fn a_name_with_markup_is_shown_as_text_and_never_runs() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    let name = "<script>alert(1)</script>";
    create_customer(&b, &app, name, "Doe", "xss@example.com").await;
    assert_eq!(b.text("#customer-name").await, format!("{name} Doe"));
    assert!(b.client.get_alert_text().await.is_err(), "no alert opened");
    b.goto(&app, "/admin/customers").await;
    assert!(b.text("#customer-results").await.contains(name));
    assert!(b.client.get_alert_text().await.is_err(), "no alert opened");
    b.close().await;
}

#[tokio::test]
async fn the_pages_work_with_javascript_turned_off() {
    let app = spawn_app().await;
    let b = Browser::start(false).await;
    first_sign_in(&b, &app).await;
    let loaded = b.client.execute("return typeof window.htmx", vec![]).await;
    assert!(
        !matches!(loaded, Ok(ref v) if v == "object"),
        "the page's scripts must not run: {loaded:?}"
    );
    let detail = create_customer(&b, &app, "Grace", "Hopper", "grace@example.com").await;
    assert_eq!(b.text("#customer-name").await, "Grace Hopper");
    // A refused form comes back with the message beside the field, without any script.
    b.goto(&app, "/admin/customers/new").await;
    b.fill("#f-firstName", "Alan").await;
    b.fill("#f-lastName", "Turing").await;
    b.fill("#f-email", "not-an-email").await;
    b.click("#save-customer").await;
    b.wait_path("/admin/customers").await;
    assert!(
        b.text("#e-email")
            .await
            .contains("not a valid email address")
    );
    assert_eq!(
        b.find("#f-firstName")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        "Alan"
    );
    // Search with the plain form.
    b.goto(&app, "/admin/customers").await;
    b.fill("#f-q", "hopper").await;
    b.click("#apply-filters").await;
    b.wait_path("/admin/customers?q=hopper").await;
    assert!(b.text("#customer-results").await.contains("Grace Hopper"));
    // Bill the month and take a payment, all with plain forms; too much is explained beside
    // the amount.
    let customer = detail.trim_start_matches("/admin/customers/");
    let product = app.insert_product("Fiber 500", "Broadband", 4999, "Active");
    crate::billing::subscribe(&app, customer, &product, "2026-11-26", &[]).await;
    b.goto(&app, "/admin/bill-runs").await;
    b.click("#preview-run").await;
    b.click("#start-run").await;
    b.wait_path("/admin/bill-runs/brn_").await;
    assert_eq!(b.text("#run-status").await, "Completed");
    b.goto(&app, &detail).await;
    b.click("#invoices tbody a").await;
    b.click("#record-payment").await;
    b.fill("#f-amount", "9999").await;
    b.click("#save-payment").await;
    assert!(
        b.text("#e-amount")
            .await
            .contains("more than the amount due")
    );
    b.fill("#f-amount", "1").await;
    b.click("#save-payment").await;
    b.wait_path("/admin/invoices/inv_").await;
    assert!(
        b.text("#flash")
            .await
            .contains("Payment of USD 1.00 recorded")
    );
    // The pages for getting paid: a setting saved and a dunning exemption given, with plain
    // forms (the exemption's form opens from a disclosure, not a script).
    b.goto(&app, "/admin/settings").await;
    b.fill("#f-operator\\.name", "Harbour Telecom Ltd").await;
    b.click("#save-operator").await;
    b.wait_text("#flash", "Settings saved").await;
    b.goto(&app, &detail).await;
    b.click("#collections details summary").await;
    b.fill("#f-reason", "Disputed charge").await;
    b.fill("#f-until", "01/31/2027").await;
    b.click("#exempt-form button").await;
    b.wait_text("#flash", "until 2027-01-31").await;
    // A confirmation step, then the change.
    b.goto(&app, &format!("{detail}/status?to=suspend")).await;
    b.click("#confirm").await;
    b.wait_path(&detail).await;
    assert_eq!(b.text("#customer-status").await, "Suspended");
    // On a phone the menu opens and the lists sort, without any script.
    b.resize(390, 844).await;
    b.goto(&app, "/admin/customers").await;
    assert!(!b.shows("a[href='/admin/invoices']").await);
    b.click("label.nav-toggle-label").await;
    b.click("a[href='/admin/invoices']").await;
    b.wait_path("/admin/invoices").await;
    // The column headers are folded away with the table's head; the Order field sorts.
    b.click("#f-sort option[value='-number']").await;
    b.click("#apply-filters").await;
    b.wait_path("/admin/invoices?").await;
    assert!(
        b.path().await.contains("sort=-number"),
        "{}",
        b.path().await
    );
    assert!(b.sideways().await.is_empty());
    b.close().await;
}
