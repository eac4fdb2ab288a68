//! A customer's statement: opening balance, invoices and payments in the range, closing balance.

use serde_json::json;

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::helpers::spawn_app;

/// The text of a PDF, as pypdf reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = std::process::Command::new(crate::smtp::python())
        .args([
            "-c",
            "import sys; from pypdf import PdfReader; \
             print('\\n'.join(p.extract_text() for p in PdfReader(sys.argv[1]).pages))",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_statement_is_a_pdf_of_the_range_with_its_balances() {
    let mut app = spawn_app().await;
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
        json!({"amount": 20, "method": "Cash"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let cid = edgebss::domain::ids::CustomerId::parse(&c).unwrap();
    let (customer, pdf) = edgebss::service::documents::statement(
        &app.state.db,
        &app.state.live,
        &cid,
        d("2026-12-01"),
        d("2026-12-31"),
    )
    .await
    .unwrap();
    assert_eq!(customer.customer_id, cid);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "STATEMENT",
        "Opening balance",
        "USD 0.00",
        "USD 49.99",
        "USD 20.00",
        "Closing balance",
        "USD 29.99",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from: {text}");
    }
    // The same range gives the same document.
    let (_, again) = edgebss::service::documents::statement(
        &app.state.db,
        &app.state.live,
        &cid,
        d("2026-12-01"),
        d("2026-12-31"),
    )
    .await
    .unwrap();
    assert_eq!(pdf, again);
    // A range that ends before it starts is refused, naming the field.
    let e = edgebss::service::documents::statement(
        &app.state.db,
        &app.state.live,
        &cid,
        d("2026-12-31"),
        d("2026-12-01"),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("from"), "{e}");
}
