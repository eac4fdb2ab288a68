//! The Payments list without a browser: the method and the days paid (in the operator's time
//! zone) narrow the rows, a search finds them by invoice number, reference or customer, they
//! sort by amount, the count and the totals are those of every match, each row says who
//! recorded it, and the Export button's CSV holds exactly the rows the list shows.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;

use crate::billing::bill;
use crate::helpers::spawn_app_with;
use crate::ui_helpers::{admin, location};
use crate::ui_tables::{amount, by_id, cell, export, href, ids_where, rows, sum_where};

#[tokio::test]
async fn payments_are_filtered_searched_sorted_counted_totalled_and_exported() {
    // Half an hour off UTC, so a day's bounds fall inside UTC hours.
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.billing.timezone = "Asia/Kolkata".to_owned();
    })
    .await;
    bill(&app, "2026-11").await;
    let invoices: Vec<(String, String)> = {
        let conn = app.sql();
        let mut stmt = conn
            .prepare("SELECT id, invoice_number FROM invoices ORDER BY seq LIMIT 5")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for (i, amount, method, reference, paid_at) in [
        (
            0,
            "10",
            "BankTransfer",
            Some("TRX-2026-0042"),
            "2026-11-02T09:00:00Z",
        ),
        (1, "12.5", "Cash", None, "2026-11-04T18:00:00Z"),
        (2, "20", "Card", Some("CARD-77"), "2026-11-20T18:00:00Z"),
        (3, "5", "MobileMoney", None, "2026-11-20T19:00:00Z"),
        (
            0,
            "3",
            "BankTransfer",
            Some("trx-2026-0043"),
            "2026-11-10T12:00:00Z",
        ),
    ] {
        let mut body = json!({"amount": amount, "method": method, "paidAt": paid_at});
        if let Some(r) = reference {
            body["reference"] = json!(r);
        }
        body["amount"] = serde_json::from_str(amount).unwrap();
        let res = app
            .post_json(&format!("/v1/invoices/{}/payments", invoices[i].0), &body)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    }
    let ui = admin(&app).await;
    let form = format!("/admin/invoices/{}/payments", invoices[4].0);
    let res = ui
        .post(
            &form,
            &form,
            &[
                ("amount", "7"),
                ("method", "Cash"),
                ("paidOn", "2026-11-15"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let count = |cond: &str| {
        sum_where(
            &app,
            &format!("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM payments WHERE {cond}"),
        )
    };

    // Every payment, newest first, counted and totalled; methods in words; who recorded each.
    let (all, all_sum) = count("1 = 1");
    let html = ui.get_html("/admin/payments").await;
    assert!(html.contains("href=\"/admin/payments\" aria-current=\"page\""));
    assert_eq!(by_id(&html, "payment-count"), format!("{all} payments"));
    assert!(
        by_id(&html, "payment-totals").contains(&all_sum),
        "{all_sum}"
    );
    let shown = rows(&html, "payment-list");
    assert_eq!(shown.len() as i64, all.min(25));
    let newest = ids_where(
        &app,
        "SELECT i.invoice_number FROM payments p JOIN invoices i ON i.id = p.invoice_id \
         ORDER BY p.paid_at DESC, p.seq DESC LIMIT 1",
    );
    assert_eq!(cell(&shown[0], "Invoice"), newest[0]);
    let by_hand = shown
        .iter()
        .find(|r| cell(r, "Amount") == "USD 7.00")
        .unwrap();
    assert_eq!(cell(by_hand, "Recorded by"), "admin");
    assert_eq!(cell(by_hand, "Method"), "Cash");
    assert!(shown.iter().any(|r| cell(r, "Method") == "Bank transfer"));
    assert!(shown.iter().any(|r| cell(r, "Reference") == "CARD-77"));

    // The method and the days paid (in the operator's time zone) narrow the list.
    let (n, sum) = count("method = 'BankTransfer'");
    let html = ui.get_html("/admin/payments?method=BankTransfer").await;
    assert_eq!(by_id(&html, "payment-count"), format!("{n} payments"));
    assert!(by_id(&html, "payment-totals").contains(&sum));
    assert!(
        rows(&html, "payment-list")
            .iter()
            .all(|r| cell(r, "Method") == "Bank transfer")
    );
    // 5 to 20 November in Kolkata: from 4 November 18:30 UTC to 20 November 18:30 UTC.
    let days = "paid_at >= '2026-11-04T18:30:00.000Z' AND paid_at < '2026-11-20T18:30:00.000Z'";
    let (n, sum) = count(days);
    let html = ui
        .get_html("/admin/payments?from=2026-11-05&to=2026-11-20")
        .await;
    assert_eq!(by_id(&html, "payment-count"), format!("{n} payments"));
    assert!(by_id(&html, "payment-totals").contains(&sum), "{sum}");
    let amounts: Vec<String> = rows(&html, "payment-list")
        .iter()
        .map(|r| cell(r, "Amount"))
        .collect();
    assert!(
        amounts.contains(&"USD 20.00".to_owned()),
        "23:30 on the 20th: {amounts:?}"
    );
    assert!(
        !amounts.contains(&"USD 12.50".to_owned()),
        "23:30 on the 4th"
    );
    assert!(
        !amounts.contains(&"USD 5.00".to_owned()),
        "00:30 on the 21st"
    );

    // Found by invoice number, by reference (any case, its start) and by customer.
    let html = ui
        .get_html(&format!("/admin/payments?q={}", invoices[0].1))
        .await;
    let found = rows(&html, "payment-list");
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|r| cell(r, "Invoice") == invoices[0].1));
    let html = ui.get_html("/admin/payments?q=trx-2026").await;
    let mut refs: Vec<String> = rows(&html, "payment-list")
        .iter()
        .map(|r| cell(r, "Reference"))
        .collect();
    refs.sort();
    assert_eq!(refs, ["TRX-2026-0042", "trx-2026-0043"]);
    let (customer, email): (String, String) = app
        .sql()
        .query_row(
            "SELECT c.id, c.email FROM invoices i JOIN customers c ON c.id = i.customer_id \
             WHERE i.id = ?1",
            [&invoices[2].0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (theirs, _) = count(&format!(
        "invoice_id IN (SELECT id FROM invoices WHERE customer_id = '{customer}')"
    ));
    let html = ui.get_html(&format!("/admin/payments?q={email}")).await;
    let found = rows(&html, "payment-list");
    assert_eq!(found.len() as i64, theirs);
    assert!(
        found
            .iter()
            .all(|r| r.contains(&format!("/admin/customers/{customer}")))
    );

    // Sorted by amount either way.
    for (sort, ascending) in [("amount", true), ("-amount", false)] {
        let html = ui.get_html(&format!("/admin/payments?sort={sort}")).await;
        let amounts: Vec<Decimal> = rows(&html, "payment-list")
            .iter()
            .map(|r| amount(&cell(r, "Amount")))
            .collect();
        assert_eq!(amounts.len() as i64, all.min(25));
        assert!(
            amounts.windows(2).all(|w| if ascending {
                w[0] <= w[1]
            } else {
                w[0] >= w[1]
            }),
            "{sort}: {amounts:?}"
        );
    }

    // The export holds exactly the filtered payments.
    let html = ui
        .get_html("/admin/payments?method=Cash&from=2026-11-05&sort=-amount")
        .await;
    eprintln!("LINK {}", href(&html, "export-payments"));
    let (header, mut exported) = export(&ui, &href(&html, "export-payments")).await;
    assert_eq!(
        header,
        "paymentId,invoiceId,amount,currency,paidAt,method,reference,createdAt"
    );
    let mut expected = ids_where(
        &app,
        "SELECT id FROM payments WHERE method = 'Cash' AND paid_at >= '2026-11-04T18:30:00.000Z'",
    );
    assert!(!expected.is_empty());
    exported.sort();
    expected.sort();
    assert_eq!(exported, expected);

    // Bad filters are said beside their fields.
    for (query, field) in [("method=Cheque", "e-method"), ("to=30/11/2026", "e-to")] {
        let html = ui.get_html(&format!("/admin/payments?{query}")).await;
        assert!(html.contains(&format!("id=\"{field}\"")), "{query}");
        assert_eq!(by_id(&html, "payment-count"), "0 payments");
    }
    let res = ui.get("/admin/payments/export.csv?method=Cheque").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/payments");
}

/// A bank file of 10,001 payments: listed by its filters the count is exact, with its total;
/// a search matching them all stops counting at 10,000 and says "more than".
#[tokio::test]
async fn a_long_list_is_counted_exactly_and_only_a_search_stops_at_ten_thousand() {
    let app = spawn_app_with(|s| s.demo = true).await;
    bill(&app, "2026-11").await;
    {
        let mut conn = app.sql();
        let tx = conn.transaction().unwrap();
        let invoice: String = tx
            .query_row("SELECT id FROM invoices ORDER BY seq LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        for i in 0..10_001 {
            tx.execute(
                "INSERT INTO payments (id, invoice_id, amount, currency, paid_at, method, \
                 reference, created_at) VALUES (printf('pay_%026d', ?1), ?2, 100, 'USD', \
                 '2026-11-05T10:00:00.000Z', 'BankTransfer', printf('BULK-%05d', ?1), \
                 '2026-11-05T10:00:00.000Z')",
                rusqlite::params![i, invoice],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let ui = admin(&app).await;
    let page = ui
        .get_html("/admin/payments?method=BankTransfer&from=2026-11-01&to=2026-11-30")
        .await;
    assert!(page.contains("10,001 payments"), "{page}");
    assert!(!page.contains("more than"), "an exact count: {page}");
    assert!(page.contains("USD 10,001.00"), "{page}");
    let page = ui.get_html("/admin/payments?q=bulk-").await;
    assert!(page.contains("more than 10,000 payments"), "{page}");
}
