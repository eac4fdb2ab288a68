//! The customer record an ISP keeps: a contact person, the customer's tax id, a billing address
//! apart from the service address, the country from the ISO 3166 list, notes, a type admins can
//! change; "Customer since" no later than the first subscription; and the customer search
//! saying why a row matched.

use serde_json::Value;

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{catalog, subscribe};
use crate::helpers::spawn_app;
use crate::ui_helpers::PASSWORD;

#[tokio::test]
async fn the_customer_record_keeps_what_an_isp_needs() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1600).await;

    b.goto(&app, "/admin/customers/new").await;
    b.click("#f-customerType option[value=Business]").await;
    b.fill("#f-companyName", "Fjord Fisheries AS").await;
    b.fill("#f-contactPerson", "Ingrid Berg").await;
    b.fill("#f-email", "post@fjord.example").await;
    b.fill("#f-taxId", "NO 912 345 678 MVA").await;
    b.fill("#f-address\\.street", "Kaigata 4").await;
    b.fill("#f-address\\.postalCode", "5003").await;
    b.fill("#f-address\\.city", "Bergen").await;
    b.click("#f-address\\.country option[value=NO]").await;
    b.fill("#f-billingAddress\\.street", "Postboks 120").await;
    b.fill("#f-billingAddress\\.city", "Oslo").await;
    b.click("#f-billingAddress\\.country option[value=NO]")
        .await;
    b.fill(
        "#f-notes",
        "Boat shed behind the fish market.\nCall before a visit.",
    )
    .await;
    b.click("#save-customer").await;
    b.wait_path("/admin/customers/cus_").await;
    let page = b.path().await;
    let id = page.trim_start_matches("/admin/customers/").to_owned();
    assert_eq!(b.text("#contact-person").await, "Ingrid Berg");
    assert_eq!(b.text("#tax-id").await, "NO 912 345 678 MVA");
    assert!(b.text("#service-address").await.contains("Norway"));
    assert!(b.text("#billing-address").await.contains("Postboks 120"));
    assert_eq!(
        b.text("#customer-notes").await,
        "Boat shed behind the fish market.\nCall before a visit."
    );
    // The API shows the same record, the country as its ISO code.
    let api: Value = app
        .get(&format!("/v1/customers/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["contactPerson"], "Ingrid Berg");
    assert_eq!(api["taxId"], "NO 912 345 678 MVA");
    assert_eq!(api["address"]["country"], "NO");
    assert_eq!(api["billingAddress"]["city"], "Oslo");
    assert!(api["notes"].as_str().unwrap().contains("Call before"));

    // Invoices go to the billing address, with the customer's tax id.
    let sub = subscribe(&app, &id, &cat.fiber, "2026-11-26", &[]).await;
    crate::billing::bill(&app, "2026-11").await;
    b.goto(&app, &page).await;
    b.click("#invoices tbody a").await;
    b.click("#print-invoice").await;
    let bill_to = b.text(".bill-to").await;
    assert!(
        bill_to.contains("Attn. Ingrid Berg")
            && bill_to.contains("Postboks 120")
            && bill_to.contains("Norway")
            && bill_to.contains("Tax ID NO 912 345 678 MVA")
            && !bill_to.contains("Kaigata"),
        "{bill_to}"
    );

    // "Customer since" is no later than the first subscription (one entered with an earlier
    // start, as when a customer is brought over from another system).
    app.sql()
        .execute(
            "UPDATE subscriptions SET start_date = '2025-03-01' WHERE id = ?1",
            [sub["subscriptionId"].as_str().unwrap()],
        )
        .unwrap();
    b.goto(&app, &page).await;
    assert_eq!(b.text("#customer-since").await, "2025-03-01");

    // An admin changes the kind of customer; the names that kind needs are asked for.
    b.goto(&app, &format!("{page}/edit")).await;
    b.click("#f-customerType option[value=Individual]").await;
    b.click("#save-customer").await;
    assert!(
        b.text("#e-firstName")
            .await
            .contains("required for an Individual")
    );
    b.fill("#f-firstName", "Ingrid").await;
    b.fill("#f-lastName", "Berg").await;
    // Emptied fields are removed: the billing address goes, invoices go to the service address.
    for part in ["street", "city"] {
        b.fill(&format!("#f-billingAddress\\.{part}"), "").await;
    }
    b.click("#f-billingAddress\\.country option[value='']")
        .await;
    b.click("#save-customer").await;
    b.wait_text("#flash", "saved").await;
    assert_eq!(b.text("#customer-name").await, "Ingrid Berg");
    assert!(b.text(".page-head").await.contains("Individual"));
    assert!(
        b.text("#billing-address")
            .await
            .contains("the service address")
    );

    // An operator edits the record but not its kind.
    let olga = edgebss::service::users::create(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        "olga",
        edgebss::domain::user::Role::Operator,
    )
    .await
    .unwrap();
    b.click("#sign-out").await;
    b.goto(&app, "/admin/login").await;
    b.fill("#f-username", "olga").await;
    b.fill("#f-password", &olga.password).await;
    b.click("#sign-in").await;
    b.fill("#f-current", &olga.password).await;
    b.fill("#f-new", PASSWORD).await;
    b.fill("#f-confirm", PASSWORD).await;
    b.click("#change-password").await;
    b.wait_path("/admin/").await;
    b.goto(&app, &format!("{page}/edit")).await;
    assert!(!b.has("#f-customerType").await);
    assert_eq!(b.text("#customer-type").await, "Individual");

    // The search says why a row matched when it is not the name.
    b.goto(&app, "/admin/customers?q=fjord.example").await;
    let note = b.text("#customer-list .match-note").await;
    assert_eq!(note, "Matched e-mail: post@fjord.example");
    b.goto(&app, "/admin/customers?q=berg").await;
    assert!(
        !b.has("#customer-list .match-note").await,
        "matched by the name shown"
    );
    b.close().await;
}
