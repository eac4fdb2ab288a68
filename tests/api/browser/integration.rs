//! The Webhooks and Activity pages in a real browser: an endpoint made with its secret shown
//! once, its deliveries and a resend, disabling it; who changed what, filtered, and on the
//! customer's page.

use super::Browser;
use super::flow::{create_customer, first_sign_in};
use crate::helpers::spawn_app_with;
use crate::receiver::{Answer, Receiver};

#[tokio::test]
async fn webhooks_are_set_up_watched_and_resent_and_activity_shows_who_did_what() {
    let app = spawn_app_with(|s| {
        // One retry, one second later: a refused delivery fails quickly and can be resent.
        s.webhooks.retry_seconds = vec![1];
    })
    .await;
    let rx = Receiver::start(Answer::Status(500)).await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;

    b.goto(&app, "/admin/webhooks").await;
    b.click("#new-endpoint").await;
    b.wait_path("/admin/webhooks/new").await;
    b.fill("#f-url", &rx.url()).await;
    b.fill("#f-description", "Network provisioning").await;
    b.click("#t-customer\\.created").await;
    b.click("#create-endpoint").await;
    b.wait_path("/admin/webhooks/whe_").await;
    let secret = b.text("#endpoint-secret").await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    // A reload shows no secret and creates nothing.
    b.client.refresh().await.unwrap();
    b.find("#secret-gone").await;
    assert!(!b.page_text().await.contains(&secret));
    let endpoint_page = b.path().await;
    let endpoint_page = endpoint_page.split('?').next().unwrap().to_owned();
    b.goto(&app, "/admin/webhooks").await;
    assert_eq!(
        b.client
            .find_all(fantoccini::Locator::Css("#endpoints tbody tr a"))
            .await
            .unwrap()
            .len(),
        1
    );

    // A customer is made; the receiver refuses its event twice and the delivery fails.
    let customer_page = create_customer(&b, &app, "Hedy", "Lamarr", "hedy@example.com").await;
    rx.wait_for(15, |g| g.len() >= 2).await;
    let mut failed = false;
    for _ in 0..50 {
        b.goto(&app, &endpoint_page).await;
        if b.text("#deliveries").await.contains("Failed") {
            failed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        failed,
        "the delivery log shows the failure: {}",
        b.text("#deliveries").await
    );
    assert!(b.text("#deliveries").await.contains("HTTP 500"));
    rx.answer(Answer::Status(200));
    b.click(".resend").await;
    b.wait_text("#flash", "queued to be sent again").await;
    let got = rx.wait_for(15, |g| g.len() >= 3).await;
    assert_eq!(got[2].id, got[0].id, "resent with the same webhook-id");

    b.click("#toggle-endpoint").await;
    b.wait_text("#endpoint-state", "Disabled").await;

    // Activity: the customer made in the browser, by the signed-in admin.
    b.goto(&app, "/admin/activity").await;
    assert!(
        b.text("#audit-note")
            .await
            .contains("cannot be edited or deleted")
    );
    b.fill("#f-actor", "admin").await;
    b.click("#filter-activity").await;
    b.wait_path("/admin/activity?").await;
    let rows = b.text("#activity").await;
    // Actions in words ("Customer created"), their code in the title.
    assert!(rows.contains("Customer created"), "{rows}");
    assert!(rows.contains("Webhook endpoint created"), "{rows}");
    assert!(rows.contains("Lamarr"), "{rows}");
    b.fill("#f-actor", "nobody-at-all").await;
    b.click("#filter-activity").await;
    b.wait_text("#activity", "Nothing recorded").await;
    // The customer's own page shows its history.
    b.goto(&app, &customer_page).await;
    let history = b.text("#customer-history").await;
    assert!(
        history.contains("Customer created") && history.contains("admin"),
        "{history}"
    );
    b.close().await;
}
