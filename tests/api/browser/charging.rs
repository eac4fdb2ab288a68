//! Charging in a real browser with JavaScript off: a plan change shows the lines it will
//! produce before it is confirmed, and a credit note shows what it will do, is issued and
//! printed.

use reqwest::StatusCode;

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{bill, catalog, d, id, invoices_of, subscribe};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_plan_change_shows_its_lines_before_it_is_confirmed_and_a_credit_note_is_issued() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &ada, &cat.fiber100, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    app.move_clock(d("2026-12-16")).await;
    let b = Browser::start(false).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;

    // The subscription's page, from the customer's.
    b.goto(&app, &format!("/admin/customers/{ada}")).await;
    b.click(&format!(
        "#subscriptions a[href='/admin/subscriptions/{sub}']"
    ))
    .await;
    b.wait_path(&format!("/admin/subscriptions/{sub}")).await;
    assert_eq!(b.text("#subscription-name").await, "Fiber 100");

    // Change plan: the product, then add-ons and when, then the preview.
    b.click("#change-plan").await;
    b.click(&format!("#p-{}", cat.fiber)).await;
    b.click("#choose-plan").await;
    b.wait_path(&format!("/admin/subscriptions/{sub}/change-plan?"))
        .await;
    assert_eq!(b.text("#chosen-plan").await, "Fiber 500 (Broadband)");
    b.click("#when-now").await;
    b.click("#preview-plan").await;
    b.wait_path(&format!("/admin/subscriptions/{sub}/change-plan/preview"))
        .await;
    let lines = b.text("#preview-lines").await;
    // 29.99 × 16/31 back, 49.99 × 16/31 charged, January in advance.
    for expected in [
        "Credit: Fiber 100 · 2026-12-16–2026-12-31 · 16/31 days",
        "USD -15.48",
        "Fiber 500 · 2026-12-16–2026-12-31 · 16/31 days",
        "USD 25.80",
        "Fiber 500 · 2027-01-01–2027-01-31",
        "USD 49.99",
    ] {
        assert!(lines.contains(expected), "`{expected}` in {lines}");
    }
    assert_eq!(b.text("#new-monthly").await, "USD 49.99");
    assert_eq!(b.text("#preview-total").await, "USD 60.31");
    let still = app.get(&format!("/v1/subscriptions/{sub}")).await;
    assert_eq!(still.status(), StatusCode::OK);
    let still: serde_json::Value = still.json().await.unwrap();
    assert_eq!(
        still["productName"], "Fiber 100",
        "the preview stored nothing"
    );
    b.click("#confirm-plan").await;
    b.wait_path(&format!("/admin/subscriptions/{sub}")).await;
    assert_eq!(
        b.text("#flash").await,
        "Plan changed to Fiber 500 from today."
    );
    assert_eq!(b.text("#subscription-name").await, "Fiber 500");
    let plans = b.text("#plans").await;
    assert!(
        plans.contains("Fiber 100") && plans.contains("2026-12-15"),
        "{plans}"
    );
    // A reload of the result page does nothing again.
    b.client.refresh().await.unwrap();
    assert_eq!(b.text("#subscription-name").await, "Fiber 500");

    // A credit note on December's invoice: what it will do, then issued and printed.
    let invoice = id(&invoices_of(&app, &ada).await[0], "invoiceId");
    b.goto(&app, &format!("/admin/invoices/{invoice}")).await;
    b.click("#credit-note").await;
    b.wait_path(&format!("/admin/invoices/{invoice}/credit-notes/new"))
        .await;
    b.fill("#f-amount", "10.00").await;
    b.fill("#f-reason", "Outage on 3 December").await;
    b.click("#preview-credit-note").await;
    b.wait_path(&format!("/admin/invoices/{invoice}/credit-notes/preview"))
        .await;
    assert_eq!(b.text("#to-invoice").await, "USD 10.00");
    assert_eq!(b.text("#to-balance").await, "USD 0.00");
    // December was 5/30 of 29.99 (5.00) and the whole month (29.99): 34.99 less 10.00.
    assert_eq!(b.text("#due-after").await, "USD 24.99");
    b.click("#confirm-credit-note").await;
    b.wait_path(&format!("/admin/invoices/{invoice}")).await;
    assert_eq!(
        b.text("#flash").await,
        "Credit note CN-2026-000001 of USD 10.00 issued."
    );
    assert_eq!(b.text("#amount-due").await, "USD 24.99");
    b.click("#invoice-credit-notes a").await;
    b.wait_path("/admin/credit-notes/crn_").await;
    assert_eq!(b.text("#print-number").await, "CN-2026-000001");
    assert_eq!(b.text("#print-customer").await, "Ada Lovelace");
    b.screenshot("credit-note").await;

    // More than what is left to credit is refused on the form, in words.
    b.goto(&app, &format!("/admin/invoices/{invoice}/credit-notes/new"))
        .await;
    b.fill("#f-amount", "30.00").await;
    b.fill("#f-reason", "Too much").await;
    b.click("#preview-credit-note").await;
    let error = b.text("#e-amount").await;
    assert!(
        error.contains("more than what is left to credit"),
        "{error}"
    );
    b.close().await;
}
