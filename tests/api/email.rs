//! E-mail through a real SMTP server on loopback: the invoice with its PDF, a receipt, and a
//! message that waits for a server that was down.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::durability::free_port;
use crate::helpers::spawn_app_with;
use crate::smtp::{SmtpSink, email_to};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_invoice_arrives_by_email_with_its_pdf() {
    let sink = SmtpSink::start(free_port());
    let port = sink.port;
    let mut app = spawn_app_with(|s| email_to(s, port)).await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Zoë", "Łukasiewicz").await,
        "customerId",
    );
    subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let invoice = invoices_of(&app, &c).await[0].clone();
    let number = invoice["invoiceNumber"].as_str().unwrap();

    let got = sink.wait_for(1, 30).await;
    assert_eq!(got.len(), 1, "{got:#?}");
    let m = &got[0];
    assert!(m["subject"].as_str().unwrap().contains(number), "{m}");
    assert_eq!(m["to"], "zoë.łukasiewicz@example.com");
    assert!(
        m["text"].as_str().unwrap().contains("Dear Zoë Łukasiewicz"),
        "{m}"
    );
    assert!(
        m["html"].as_str().unwrap().contains("Harbour Telecom"),
        "{m}"
    );
    let pdf = &m["attachments"][0];
    assert_eq!(pdf["name"], format!("{number}.pdf"));
    let text = pdf["text"].as_str().unwrap();
    assert!(text.contains(number), "{text}");
    assert!(text.contains("USD 49.99"), "{text}");
    assert!(text.contains("Zoë Łukasiewicz"), "{text}");

    // The invoice's page of messages says it was accepted, with the server's answer.
    let row: (String, String, String) = app
        .sql()
        .query_row(
            "SELECT status, smtp_reply, message_id FROM email_messages WHERE invoice_id = ?1",
            [invoice["invoiceId"].as_str().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(row.0, "Sent");
    assert!(row.1.starts_with("250"), "{}", row.1);
    assert_eq!(m["messageId"], row.2);

    // Sent again from the invoice's page: a second copy, with a Message-ID of its own.
    let id: String = app
        .sql()
        .query_row("SELECT id FROM email_messages", [], |r| r.get(0))
        .unwrap();
    edgebss::service::email::resend(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        &edgebss::domain::ids::EmailId::parse(&id).unwrap(),
    )
    .await
    .unwrap();
    let got = sink.wait_for(2, 30).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1]["subject"], m["subject"]);
    assert_ne!(got[1]["messageId"], m["messageId"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_waits_while_the_smtp_server_is_down_and_arrives_when_it_is_back() {
    let mut sink = SmtpSink::stopped(free_port());
    let port = sink.port;
    let mut app = spawn_app_with(|s| {
        email_to(s, port);
        s.email.send_invoices = false;
    })
    .await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let inv = id(&invoices_of(&app, &c).await[0], "invoiceId");
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/payments"),
        json!({"amount": 49.99, "method": "Cash"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Attempts fail while nobody listens; the message stays pending with the reason.
    let mut attempts = 0;
    for _ in 0..100 {
        attempts = app
            .sql()
            .query_row("SELECT attempts FROM email_messages", [], |r| r.get(0))
            .unwrap();
        if attempts >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(attempts >= 2, "retried while the server was down");
    let (status, error): (String, Option<String>) = app
        .sql()
        .query_row("SELECT status, last_error FROM email_messages", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(status, "Pending");
    assert!(error.is_some());
    assert_eq!(sink.count(), 0);

    sink.up();
    let got: Vec<Value> = sink.wait_for(1, 30).await;
    assert_eq!(got.len(), 1);
    assert!(
        got[0]["subject"]
            .as_str()
            .unwrap()
            .contains("Payment received")
    );
    assert!(got[0]["text"].as_str().unwrap().contains("USD 49.99"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.count(), 1, "sent once");
}
