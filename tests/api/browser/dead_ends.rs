//! No dead ends: what cannot succeed is not offered, and when something is refused anyway (a
//! stale page, a bookmarked link) the page it came from says why in words, with the way out.

use serde_json::json;

use super::Browser;
use super::flow::first_sign_in;
use crate::billing::{catalog, id, subscribe};
use crate::helpers::spawn_app;

#[tokio::test]
async fn refusals_are_said_on_the_page_with_the_way_out() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    let res = app
        .patch_json(
            &format!("/v1/customers/{ada}"),
            &json!({"status": "Suspended"}),
        )
        .await;
    assert!(res.status().is_success());
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1200).await;

    // A subscription suspended with its customer offers no Resume; it says how it resumes.
    let page = format!("/admin/customers/{ada}");
    b.goto(&app, &page).await;
    let subs = b.text("#subscriptions").await;
    assert!(!subs.contains("Resume\n") && !b.has("#subscriptions a[href$='to=resume']").await);
    assert!(
        subs.contains("Resumes when the customer is reactivated"),
        "{subs}"
    );
    // A stale link to it comes back to the customer's page, which says why and offers the way.
    b.goto(
        &app,
        &format!("/admin/subscriptions/{sub}/status?to=resume"),
    )
    .await;
    b.wait_path(&page).await;
    let why = b.text("#flash").await;
    assert!(
        why.contains("suspended together with the customer") && why.contains("reactivate"),
        "{why}"
    );
    assert!(
        !why.contains("sub_") && !why.contains("cus_"),
        "no raw ids: {why}"
    );
    assert!(
        b.has(&format!("a[href='{page}/status?to=reactivate']"))
            .await
    );
    b.click(&format!("a[href='{page}/status?to=reactivate']"))
        .await;
    b.click("#confirm").await;
    b.wait_text("#customer-status", "Active").await;
    assert!(b.text("#subscriptions").await.contains("Active"));

    // The only admin: neither Disable nor another role is offered, and the link is refused on
    // the users page with what to do instead.
    b.goto(&app, "/admin/users").await;
    assert!(!b.has("#users a[href$='/disable']").await);
    assert!(!b.has("#users select").await);
    assert!(b.text("#users").await.contains("the only admin"));
    let admin: i64 = app
        .sql()
        .query_row("SELECT id FROM users WHERE username = 'admin'", [], |r| {
            r.get(0)
        })
        .unwrap();
    b.goto(&app, &format!("/admin/users/{admin}/disable")).await;
    b.wait_path("/admin/users").await;
    let why = b.text("#flash").await;
    assert!(why.contains("Make another user an admin first"), "{why}");

    // A month too far ahead is not in the list, and asked for anyway it is refused beside the
    // month field on the bill-run page, not on a bare error page.
    b.goto(&app, "/admin/bill-runs").await;
    let months = b.texts("#f-period option").await.join("\n");
    assert!(
        months.contains("(2027-11)") && !months.contains("(2027-12)"),
        "{months}"
    );
    b.goto(&app, "/admin/bill-runs/preview?period=2028-05")
        .await;
    let why = b.text("#e-period").await;
    assert!(why.contains("more than 12 months ahead"), "{why}");
    assert!(b.has("#preview-run").await && b.has("nav[aria-label=Main]").await);

    // A link to something that does not exist: the page says so and leads to the list.
    b.goto(&app, "/admin/customers/cus_01JAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(b.text("h1").await, "Not found");
    assert!(
        b.has("nav[aria-label=Main] a[href='/admin/invoices']")
            .await
    );
    b.click("#error-back").await;
    b.wait_path("/admin/customers").await;

    // An invoice paid since its page was opened: the cancel link leads back to it, saying why.
    crate::billing::bill(&app, "2026-11").await;
    let inv: String = app
        .sql()
        .query_row("SELECT id FROM invoices", [], |r| r.get(0))
        .unwrap();
    let res = app
        .post_json(
            &format!("/v1/invoices/{inv}/payments"),
            &json!({"amount": 1, "method": "Cash"}),
        )
        .await;
    assert!(res.status().is_success());
    b.goto(&app, &format!("/admin/invoices/{inv}")).await;
    assert!(
        !b.has("#cancel-invoice").await,
        "not offered once paid in part"
    );
    b.goto(&app, &format!("/admin/invoices/{inv}/cancel")).await;
    b.wait_path(&format!("/admin/invoices/{inv}")).await;
    assert!(b.text("#flash").await.contains("has payments"));
    b.close().await;
}
