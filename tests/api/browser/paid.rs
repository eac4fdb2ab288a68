//! The pages for getting paid (Collections, Settings, statements, e-mails, CSV import) held to
//! the same day-one rules as the rest: refusals said on the page in words, nothing offered that
//! cannot succeed, and a reload after any of their actions repeats nothing.

use serde_json::json;

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{catalog, id, invoices_of, subscribe};
use crate::helpers::{TestApp, spawn_app_with};

fn changes(app: &TestApp) -> i64 {
    app.sql()
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

async fn reload_changes_nothing(b: &Browser, app: &TestApp, what: &str) {
    let before = changes(app);
    let page = b.path().await;
    b.client.refresh().await.expect("reload");
    b.find("main").await;
    assert_eq!(b.path().await, page, "{what}: the reload stays on the page");
    assert_eq!(changes(app), before, "{what}: the reload changed something");
}

/// An installation whose e-mail points at a closed port (messages queue and wait), with a
/// customer billed for November: (app, customer id, invoice id).
async fn with_mail() -> (TestApp, String, String) {
    let app = spawn_app_with(|s| {
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = 9;
        s.email.tls = edgebss::domain::email_settings::SmtpTls::Off;
        s.email.from = "billing@harbour.example".into();
    })
    .await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &c, &cat.fiber, "2026-11-26", &[]).await;
    crate::billing::bill(&app, "2026-11").await;
    let inv = id(&invoices_of(&app, &c).await[0], "invoiceId");
    (app, c, inv)
}

async fn switch_mail_off(app: &TestApp) {
    edgebss::service::settings::update(
        &app.state.db,
        &app.state.live,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        vec![("email.smtp_host".to_owned(), Some(json!("")))],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn refusals_on_the_pages_for_getting_paid_are_said_there_in_words() {
    let (app, c, inv) = with_mail().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;
    let page = format!("/admin/customers/{c}");

    // A statement asked for backwards comes back to the customer's page, saying which date.
    b.goto(
        &app,
        &format!("{page}/statement?from=2026-12-01&to=2026-11-01"),
    )
    .await;
    b.wait_path(&page).await;
    let why = b.text("#flash").await;
    assert!(why.starts_with("No statement: From 2026-12-01"), "{why}");

    // An exemption that has already ended is refused beside the form, by the field's label.
    b.click("#collections details summary").await;
    b.fill("#f-reason", "Disputed").await;
    b.fill("#f-until", "01/01/2026").await;
    b.click("#exempt-form button").await;
    b.wait_text("#flash", "Not exempted").await;
    assert!(
        b.text("#flash")
            .await
            .contains("Until must be today or later"),
        "{}",
        b.text("#flash").await
    );
    assert_eq!(b.path().await, page);

    // E-mail switched off after the page was shown: Send again says why on the same page, and
    // the page then offers it no more.
    assert!(b.has("#emails form[action$='/resend'] button").await);
    switch_mail_off(&app).await;
    b.click("#emails form[action$='/resend'] button").await;
    b.wait_text("#flash", "Not sent again").await;
    assert!(b.text("#flash").await.contains("Settings page"));
    assert_eq!(b.path().await, page);
    assert!(!b.has("#emails form[action$='/resend']").await);
    assert!(b.text("#emails-off").await.contains("E-mail is not set up"));
    b.goto(&app, &format!("/admin/invoices/{inv}")).await;
    assert!(!b.has("#emails form[action$='/resend']").await);

    // With e-mail off, no test message is offered; a refused setting is named by its label.
    b.goto(&app, "/admin/settings").await;
    assert!(
        !b.find("#test-form button")
            .await
            .is_enabled()
            .await
            .unwrap()
    );
    b.fill("#f-billing\\.bill_day", "31").await;
    b.click("#save-billing").await;
    let why = b.text("#settings-error").await;
    assert!(
        why.contains("Bill day") && !why.contains("billing."),
        "{why}"
    );

    // An import without a file, or with a file that is not CSV, is answered on the import page.
    b.goto(&app, "/admin/customers/import").await;
    b.client
        .execute(
            "document.getElementById('f-file').removeAttribute('required')",
            vec![],
        )
        .await
        .unwrap();
    b.click("#import").await;
    let why = b.text("#import-refused").await;
    assert!(why.contains("Choose a CSV file"), "{why}");
    assert!(b.has("#import-form").await);

    // A filter the export cannot use is said on the list the button is on.
    b.goto(&app, "/admin/invoices/export.csv?from=2026-13-01")
        .await;
    b.wait_path("/admin/invoices").await;
    assert!(b.text("#flash").await.starts_with("Nothing exported"));
    b.close().await;
}

#[tokio::test]
async fn reloading_after_an_action_on_the_pages_for_getting_paid_repeats_nothing() {
    let (app, c, _) = with_mail().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;

    b.goto(&app, "/admin/settings").await;
    b.fill("#f-operator\\.name", "Harbour Telecom Ltd").await;
    b.click("#save-operator").await;
    b.wait_text("#flash", "Settings saved").await;
    reload_changes_nothing(&b, &app, "saved settings").await;

    b.fill("#f-test-to", "noc@harbour.example").await;
    b.click("#test-form button").await;
    b.wait_text("#flash", "Test message queued").await;
    let messages = |app: &TestApp| -> i64 {
        app.sql()
            .query_row("SELECT COUNT(*) FROM email_messages", [], |r| r.get(0))
            .unwrap()
    };
    let before = messages(&app);
    reload_changes_nothing(&b, &app, "test message").await;
    assert_eq!(messages(&app), before, "no second test message");

    let page = format!("/admin/customers/{c}");
    b.goto(&app, &page).await;
    b.click("#emails form[action$='/resend'] button").await;
    b.wait_text("#flash", "queued to be sent again").await;
    // Who sent it again is named on the new row (issue: who did what).
    let emails = b.text("#emails").await;
    assert!(emails.contains("sent again by admin"), "{emails}");
    let before = messages(&app);
    reload_changes_nothing(&b, &app, "sent again").await;
    assert_eq!(messages(&app), before, "no third copy");

    b.click("#collections details summary").await;
    b.fill("#f-reason", "Disputed charge").await;
    b.fill("#f-until", "01/31/2027").await;
    b.click("#exempt-form button").await;
    b.wait_text("#flash", "until 2027-01-31").await;
    reload_changes_nothing(&b, &app, "exemption").await;
    b.click("#collections form.inline button").await;
    b.wait_text("#flash", "applies to this customer again")
        .await;
    reload_changes_nothing(&b, &app, "exemption ended").await;

    // A customer import: the reload after it imports nobody twice.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.csv");
    std::fs::write(
        &file,
        "customerType,firstName,lastName,email\nIndividual,Grace,Hopper,grace@example.com\n",
    )
    .unwrap();
    b.goto(&app, "/admin/customers/import").await;
    b.find("#f-file")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    b.click("#import").await;
    b.wait_text("#flash", "1 customer imported").await;
    reload_changes_nothing(&b, &app, "import").await;
    let graces: i64 = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM customers WHERE email = 'grace@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(graces, 1);
    b.close().await;
}
