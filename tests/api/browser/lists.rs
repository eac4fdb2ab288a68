//! Lists as an operator uses them: sorted by a click on a column, invoices found by number or by
//! customer, filtered by status and dates, counted, totalled under their money columns; a bill
//! run lists the invoices it created; the month to bill is picked from a list, and a month that
//! cannot be run yet says why.

use super::Browser;
use super::flow::first_sign_in;
use super::phone::billed_demo;

fn sorted(v: &[String], desc: bool) -> bool {
    let keys: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
    keys.windows(2)
        .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] })
}

#[tokio::test]
async fn lists_sort_search_filter_count_and_total() {
    let (app, d) = billed_demo().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1400).await;
    let sql = |q: &str| -> i64 { app.sql().query_row(q, [], |r| r.get(0)).unwrap() };

    // Customers: counted, sorted by name either way, by account newest first.
    b.goto(&app, "/admin/customers").await;
    assert_eq!(b.text("#customer-count").await, "50 customers");
    b.click("#customer-list th a[href*='sort=name']").await;
    b.wait_path("/admin/customers?sort=name").await;
    let names = b.texts("#customer-list .customer-name").await;
    assert_eq!(names.len(), 25);
    assert!(sorted(&names, false), "{names:?}");
    let header = b.find("#customer-list th[aria-sort=ascending]").await;
    assert!(header.text().await.unwrap().contains("Name"));
    b.click("#customer-list th a[href*='sort=-name']").await;
    b.wait_path("/admin/customers?sort=-name").await;
    assert!(sorted(
        &b.texts("#customer-list .customer-name").await,
        true
    ));
    b.click("#customer-list th a[href*='sort=account']").await;
    b.wait_path("/admin/customers?sort=account").await;
    b.click("#customer-list th a[href*='sort=-account']").await;
    b.wait_path("/admin/customers?sort=-account").await;
    let accounts = b.texts("#customer-list td.ref").await;
    assert!(sorted(&accounts, true), "{accounts:?}");
    // Filters keep the order; the count follows the filter.
    b.click("#f-status option[value=Suspended]").await;
    b.click("#apply-filters").await;
    b.wait_path("/admin/customers?").await;
    assert!(
        b.path().await.contains("sort=-account"),
        "{}",
        b.path().await
    );
    let suspended = sql("SELECT COUNT(*) FROM customers WHERE status = 'Suspended'");
    assert_eq!(
        b.text("#customer-count").await,
        format!("{suspended} customers")
    );
    // Customer since: nobody joined before the demo was loaded.
    b.goto(&app, "/admin/customers?to=2026-01-31").await;
    assert_eq!(b.text("#customer-count").await, "0 customers");

    // Invoices: counted, totalled over every match and over the page.
    let invoices = sql("SELECT COUNT(*) FROM invoices");
    assert!(invoices > 25, "two pages of invoices: {invoices}");
    b.goto(&app, "/admin/invoices").await;
    assert_eq!(
        b.text("#invoice-count").await,
        format!("{invoices} invoices")
    );
    let totals = b.text("#invoice-totals").await;
    let all: i64 = sql("SELECT SUM(total_amount) FROM invoices");
    let all = edgebss::routes::ui::format::money_minor(edgebss::domain::money::Currency::USD, all);
    assert!(
        totals.contains("This page") && totals.contains(&format!("All {invoices} invoices")),
        "{totals}"
    );
    assert!(
        totals.contains(&all),
        "the total of every invoice, {all}: {totals}"
    );
    // Sorted by number, newest first, then the other way.
    b.click("#invoice-list th a[href*='sort=-number']").await;
    b.wait_path("/admin/invoices?sort=-number").await;
    let numbers = b.texts("#invoice-list td.ref").await;
    assert!(sorted(&numbers, true), "{numbers:?}");
    b.click("#invoice-list th a[href*='sort=number']").await;
    b.wait_path("/admin/invoices?sort=number").await;
    let numbers = b.texts("#invoice-list td.ref").await;
    assert_eq!(numbers[0], "INV-2026-000001");
    assert!(sorted(&numbers, false));
    // Found by number, in full or by its running part.
    for typed in ["INV-2026-000003", "inv-2026-000003", "000003", "3"] {
        b.goto(&app, "/admin/invoices").await;
        b.fill("#f-q", typed).await;
        b.click("#apply-filters").await;
        b.wait_path("/admin/invoices?q=").await;
        if typed == "3" {
            // One digit is too little to search for: the page says so beside the box.
            assert!(b.text("#e-q").await.contains("at least three"));
            continue;
        }
        assert_eq!(
            b.texts("#invoice-list td.ref").await,
            vec!["INV-2026-000003".to_owned()],
            "searching for {typed}"
        );
    }
    // Found by customer: name, e-mail or account number.
    let (name, account): (String, String) = app
        .sql()
        .query_row(
            "SELECT c.email, c.account_number FROM customers c WHERE c.id = ?1",
            [&d.customer],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let theirs = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM invoices WHERE customer_id = ?1",
            [&d.customer],
            |r| r.get::<_, i64>(0),
        )
        .unwrap();
    for typed in [name.as_str(), account.as_str()] {
        b.goto(&app, &format!("/admin/invoices?q={typed}")).await;
        let customers = b.texts("#invoice-list td[data-label=Customer]").await;
        assert_eq!(customers.len() as i64, theirs, "{typed}: {customers:?}");
        assert!(
            b.text("#invoice-count")
                .await
                .contains("of customers matching")
        );
    }
    // Status and dates narrow the list; nothing was invoiced in December.
    b.goto(&app, "/admin/invoices?status=Overdue").await;
    assert_eq!(b.text("#invoice-count").await, "1 invoice");
    b.goto(&app, "/admin/invoices?from=2026-12-01").await;
    assert_eq!(b.text("#invoice-count").await, "0 invoices");
    assert!(b.text("#invoice-list").await.contains("No invoices match."));
    // A date typed wrong is said beside its field.
    b.goto(&app, "/admin/invoices?from=2026-13-01").await;
    assert!(b.has("#e-from").await);

    // The bill run lists the invoices it created, and links to all of them.
    let run = format!("/admin/bill-runs/{}", d.bill_run);
    b.goto(&app, &run).await;
    assert_eq!(b.texts("#run-invoice-list tbody tr").await.len(), 10);
    assert!(
        b.text("#run-invoices-link")
            .await
            .contains(&format!("All {invoices} invoices of this run"))
    );
    b.click("#run-invoices-link").await;
    b.wait_path("/admin/invoices?run=").await;
    assert_eq!(
        b.text("#invoice-count").await,
        format!("{invoices} invoices")
    );
    assert!(b.text("#run-filter").await.contains("2026-11"));
    // A second run of the month creates nothing, and its page lists nothing (not the day's).
    b.goto(&app, "/admin/bill-runs").await;
    b.click("#preview-run").await;
    b.click("#start-run").await;
    b.wait_path("/admin/bill-runs/brn_").await;
    assert!(
        b.text("#run-invoice-list")
            .await
            .contains("This run created no invoices.")
    );

    // The month is picked from a list that says what each month allows.
    b.goto(&app, "/admin/bill-runs").await;
    let months = b.texts("#f-period option").await;
    assert!(
        months.contains(&"November 2026 (2026-11) · billed".to_owned()),
        "{months:?}"
    );
    assert!(months.contains(&"December 2026 (2026-12) · preview only until 2026-12-01".to_owned()));
    assert_eq!(b.text("#f-period option[selected]").await, months[12]);
    // December has no Run button yet; the page says why, and when it can be run.
    b.click("#f-period option[value='2026-12']").await;
    b.click("#preview-run").await;
    b.wait_path("/admin/bill-runs/preview?period=2026-12").await;
    assert!(!b.has("#start-run").await);
    let why = b.text("#not-yet").await;
    assert!(
        why.contains("billed on its bill day, 2026-12-01") && why.contains("today is 2026-11-26"),
        "{why}"
    );
    // The history: filtered by status and month, and counted.
    b.goto(
        &app,
        "/admin/bill-runs?status=Completed&from=2026-11&to=2026-11",
    )
    .await;
    assert_eq!(b.text("#run-count").await, "2 bill runs");
    b.goto(&app, "/admin/bill-runs?status=Failed").await;
    assert_eq!(b.text("#run-count").await, "0 bill runs");
    b.close().await;
}
