//! Charging in the documents, e-mails and dunning: a credit note as PDF (API and admin page),
//! credit notes and refunds on the customer statement, what was credited on the invoice PDF, a
//! credit note e-mailed with its PDF when it is issued, and one that clears a suspended account.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::durability::free_port;
use crate::helpers::{Auth, TestApp, spawn_app, spawn_app_with};
use crate::smtp::{SmtpSink, email_to};
use crate::statements::pdf_text;
use crate::ui_helpers::admin;

/// Ada on Fiber (49.99) from 1 December, December invoiced: her id and the invoice.
async fn billed(app: &mut TestApp) -> (String, Value) {
    let cat = catalog(app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(app, &ada, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(app).await;
    let inv = invoices_of(app, &ada).await.remove(0);
    (ada, inv)
}

async fn credit(app: &TestApp, invoice: &str, amount: f64, reason: &str) -> Value {
    let res = post(
        app,
        &format!("/v1/invoices/{invoice}/credit-notes"),
        json!({"amount": amount, "reason": reason}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn pdf_at(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_credit_note_is_a_pdf_that_says_credit_note_and_is_the_same_bytes_each_time() {
    let mut app = spawn_app().await;
    let (_, inv) = billed(&mut app).await;
    let (iid, number) = (id(&inv, "invoiceId"), id(&inv, "invoiceNumber"));
    post(
        &app,
        &format!("/v1/invoices/{iid}/payments"),
        json!({"amount": 49.99, "method": "Cash"}),
    )
    .await;
    let note = credit(&app, &iid, 10.0, "Outage on 3 December").await;
    let (nid, cn) = (id(&note, "creditNoteId"), id(&note, "creditNoteNumber"));

    let path = format!("/v1/credit-notes/{nid}/pdf");
    let pdf = pdf_at(&app, &path).await;
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, pdf_at(&app, &path).await, "byte-identical");
    let text = pdf_text(&pdf);
    for expected in [
        "CREDIT NOTE",
        cn.as_str(),
        number.as_str(),
        "Ada Lovelace",
        "Outage on 3 December",
        "USD -10.00",
        "Credited",
        "USD 10.00",
        "To your credit balance",
        "credit balance is used first",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from: {text}");
    }
    assert!(!text.contains("INVOICE"), "{text}");

    // read:billing, like an invoice's PDF; an unknown credit note is 404.
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(reqwest::Method::GET, &path, Auth::Bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .get("/v1/credit-notes/crn_01JAAAAAAAAAAAAAAAAAAAAAAA/pdf")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The credit note's page links its PDF, which is the same document.
    let ui = admin(&app).await;
    let page = ui
        .get_html(&format!("/admin/credit-notes/{nid}/print"))
        .await;
    let link = format!("/admin/credit-notes/{nid}/pdf");
    assert!(
        page.contains(&link) && page.contains("Download PDF"),
        "{page}"
    );
    let res = ui.get(&link).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
}

#[tokio::test]
async fn the_invoice_pdf_shows_what_a_credit_note_took_off_and_what_is_still_due() {
    let mut app = spawn_app().await;
    let (_, inv) = billed(&mut app).await;
    let iid = id(&inv, "invoiceId");
    credit(&app, &iid, 9.99, "Goodwill").await;
    let text = pdf_text(&pdf_at(&app, &format!("/v1/invoices/{iid}/pdf")).await);
    for expected in [
        "Credited",
        "USD 9.99",
        "Amount due",
        "USD 40.00",
        "Please pay USD 40.00",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from: {text}");
    }
    // Credited in full, it is settled, not "paid in full".
    credit(&app, &iid, 40.0, "Goodwill").await;
    let text = pdf_text(&pdf_at(&app, &format!("/v1/invoices/{iid}/pdf")).await);
    assert!(text.contains("Settled by credit"), "{text}");
    assert!(!text.contains("Paid in full"), "{text}");
}

#[tokio::test]
async fn a_statement_lists_credit_notes_and_refunds_between_its_balances() {
    let mut app = spawn_app().await;
    let (ada, inv) = billed(&mut app).await;
    let iid = id(&inv, "invoiceId");
    let pay: Value = post(
        &app,
        &format!("/v1/invoices/{iid}/payments"),
        json!({"amount": 49.99, "method": "Cash"}),
    )
    .await
    .json()
    .await
    .unwrap();
    app.move_clock(d("2026-12-05")).await;
    let note = credit(&app, &iid, 10.0, "Outage").await;
    app.move_clock(d("2026-12-08")).await;
    let res = post(
        &app,
        &format!(
            "/v1/invoices/{iid}/payments/{}/refunds",
            id(&pay, "paymentId")
        ),
        json!({"amount": 5, "reason": "Paid twice by mistake"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let cid = edgebss::domain::ids::CustomerId::parse(&ada).unwrap();
    let (_, pdf) = edgebss::service::documents::statement(
        &app.state.db,
        &app.state.live,
        &cid,
        d("2026-12-01"),
        d("2026-12-31"),
    )
    .await
    .unwrap();
    let text = pdf_text(&pdf);
    // 49.99 invoiced, 49.99 paid, 10.00 credited, 5.00 of the payment refunded: 5.00 in her
    // favour.
    for expected in [
        "Opening balance",
        "USD 0.00",
        "USD 49.99",
        &format!("Credit note {}", id(&note, "creditNoteNumber")),
        "USD -10.00",
        "Refund of a payment",
        "Paid twice by mistake",
        "USD -5.00",
        "Closing balance",
        "Credits",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from: {text}");
    }
    let closing = text.rsplit("Closing balance").next().unwrap();
    assert!(closing.contains("USD -5.00"), "{closing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_credit_note_arrives_by_email_with_its_pdf() {
    let sink = SmtpSink::start(free_port());
    let port = sink.port;
    let mut app = spawn_app_with(|s| email_to(s, port)).await;
    let (_, inv) = billed(&mut app).await;
    let iid = id(&inv, "invoiceId");
    sink.wait_for(1, 30).await; // the invoice
    let note = credit(&app, &iid, 12.5, "Outage on 3 December").await;
    let cn = id(&note, "creditNoteNumber");

    // Queued in the credit note's own transaction, carrying it.
    let (kind, carried): (String, String) = app
        .sql()
        .query_row(
            "SELECT kind, credit_note_id FROM email_messages WHERE credit_note_id IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kind, "CreditNote");
    assert_eq!(carried, id(&note, "creditNoteId"));

    let got = sink.wait_for(2, 30).await;
    let m = got
        .iter()
        .find(|m| m["subject"].as_str().unwrap().contains(&cn))
        .unwrap_or_else(|| panic!("no credit note e-mail in {got:#?}"));
    assert_eq!(m["to"], "ada.lovelace@example.com");
    let body = m["text"].as_str().unwrap();
    assert!(
        body.contains("USD 12.50") && body.contains("Outage on 3 December"),
        "{body}"
    );
    let pdf = &m["attachments"][0];
    assert_eq!(pdf["name"], format!("{cn}.pdf"));
    let text = pdf["text"].as_str().unwrap();
    assert!(
        text.contains("CREDIT NOTE") && text.contains(&cn) && text.contains("USD 12.50"),
        "{text}"
    );
}

#[tokio::test]
async fn the_credit_note_that_clears_an_overdue_account_reactivates_a_suspended_customer() {
    let mut app = spawn_app_with(|s| {
        s.dunning.reminder_days = vec![];
        s.dunning.suspend_after_days = 21;
    })
    .await;
    let (ada, inv) = billed(&mut app).await;
    let iid = id(&inv, "invoiceId");
    app.move_clock(d("2027-01-05")).await;
    run_jobs(&app).await;
    let status = |v: Value| v["status"].as_str().unwrap().to_owned();
    let customer = async |app: &TestApp| -> Value {
        app.get(&format!("/v1/customers/{ada}"))
            .await
            .json()
            .await
            .unwrap()
    };
    assert_eq!(status(customer(&app).await), "Suspended");
    // Part of it credited, the rest still overdue: still suspended.
    credit(&app, &iid, 20.0, "Outage").await;
    assert_eq!(status(customer(&app).await), "Suspended");
    // Credited in full: nothing is overdue, the service is back at once.
    credit(&app, &iid, 29.99, "Outage").await;
    assert_eq!(status(customer(&app).await), "Active");
}
