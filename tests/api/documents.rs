//! Invoices as PDF: `GET /v1/invoices/{id}/pdf`, the same bytes every time, and the settings in
//! force at the moment it is made.

use reqwest::StatusCode;
use serde_json::json;

use crate::billing::{catalog, d, id, invoices_of, run_jobs, subscribe};
use crate::helpers::{Auth, TestApp, spawn_app};

/// A customer billed for December 2026: its invoice id.
pub async fn one_invoice(app: &mut TestApp, first: &str, last: &str) -> (String, String) {
    let cat = catalog(app);
    let c = id(&app.create_individual(first, last).await, "customerId");
    subscribe(app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(app).await;
    (c.clone(), id(&invoices_of(app, &c).await[0], "invoiceId"))
}

async fn pdf(app: &TestApp, invoice: &str) -> Vec<u8> {
    let res = app.get(&format!("/v1/invoices/{invoice}/pdf")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(".pdf"), "{disposition}");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn an_invoice_pdf_is_the_same_bytes_each_time_until_the_settings_change() {
    let mut app = spawn_app().await;
    let (_, inv) = one_invoice(&mut app, "Ada", "Lovelace").await;
    let first = pdf(&app, &inv).await;
    assert!(first.starts_with(b"%PDF-"));
    assert_eq!(first, pdf(&app, &inv).await, "byte-identical");

    // A change of the operator's name is on the next PDF, without a restart.
    edgebss::service::settings::update(
        &app.state.db,
        &app.state.live,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        vec![("operator.name".into(), Some(json!("Acme Fibre")))],
    )
    .await
    .unwrap();
    assert_ne!(first, pdf(&app, &inv).await);
}

#[tokio::test]
async fn an_invoice_pdf_needs_read_billing_and_an_invoice_that_exists() {
    let mut app = spawn_app().await;
    let (_, inv) = one_invoice(&mut app, "Ada", "Lovelace").await;
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(
            reqwest::Method::GET,
            &format!("/v1/invoices/{inv}/pdf"),
            Auth::Bearer(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .get("/v1/invoices/inv_01JAAAAAAAAAAAAAAAAAAAAAAA/pdf")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
