//! The Subscriptions list without a browser: filters narrow the rows, a search finds them by
//! customer, a click on a column sorts them, the count and the totals are those of every match,
//! a bad filter is said beside its field, and the Export button's CSV holds exactly the rows the
//! list shows.

use edgebss::domain::user::Role;
use edgebss::service::export::subscription_columns;
use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::helpers::spawn_app_with;
use crate::ui_helpers::{location, user_with_role};
use crate::ui_tables::{
    amount, by_id, cell, export, export_records, href, ids_linked, ids_where, rows, sum_where,
    unescape,
};

#[tokio::test]
async fn subscriptions_are_filtered_searched_sorted_counted_totalled_and_exported() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let ui = user_with_role(&app, "vera", Role::Viewer).await;
    let count = |cond: &str| {
        sum_where(
            &app,
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(monthly_charge), 0) FROM subscriptions WHERE {cond}"
            ),
        )
    };

    // A viewer finds the list in the navigation; it counts and totals every subscription.
    let home = ui.get_html("/admin/").await;
    assert!(home.contains("href=\"/admin/subscriptions\""));
    let (all, all_sum) = count("1 = 1");
    assert!(all > 25, "more than a page: {all}");
    let html = ui.get_html("/admin/subscriptions").await;
    assert_eq!(
        by_id(&html, "subscription-count"),
        format!("{all} subscriptions")
    );
    let page = rows(&html, "subscription-list");
    assert_eq!(page.len(), 25);
    let totals = by_id(&html, "subscription-totals");
    assert!(
        totals.contains(&format!("Total of {all} subscriptions")) && totals.contains(&all_sum),
        "{all_sum}: {totals}"
    );
    assert!(html.contains(&format!("Page 1 of {}", (all as u64).div_ceil(25))));
    // Newest start first; a row says its status in words and links its customer.
    let starts: Vec<String> = page.iter().map(|r| cell(r, "Start")).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");
    assert!(page[0].contains("href=\"/admin/customers/cus_"));

    // Status, product and start dates narrow the list, its count and its totals.
    let (n, sum) = count("status = 'Cancelled'");
    assert!(n > 0);
    let html = ui.get_html("/admin/subscriptions?status=Cancelled").await;
    assert_eq!(
        by_id(&html, "subscription-count"),
        format!("{n} subscriptions")
    );
    assert!(by_id(&html, "subscription-totals").contains(&sum));
    let shown = rows(&html, "subscription-list");
    assert!(shown.iter().all(|r| r.contains(">Cancelled</span>")));
    let (product, name): (String, String) = app
        .sql()
        .query_row(
            "SELECT product_id, product_name FROM subscriptions GROUP BY product_id \
             ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        html.contains(&format!("<option value=\"{product}\"")),
        "the catalog is offered"
    );
    let html = ui
        .get_html(&format!("/admin/subscriptions?product={product}"))
        .await;
    let (n, _) = count(&format!("product_id = '{product}'"));
    assert_eq!(
        by_id(&html, "subscription-count"),
        format!("{n} subscriptions")
    );
    let shown = rows(&html, "subscription-list");
    assert!(shown.iter().all(|r| cell(r, "Product") == name));
    // A range that starts and ends inside months.
    let range = "start_date BETWEEN '2026-01-15' AND '2026-05-10'";
    let (n, sum) = count(range);
    assert!(n > 0);
    let html = ui
        .get_html("/admin/subscriptions?from=2026-01-15&to=2026-05-10")
        .await;
    assert_eq!(
        by_id(&html, "subscription-count"),
        format!("{n} subscriptions")
    );
    assert!(by_id(&html, "subscription-totals").contains(&sum));

    // Found by the customer's account number, e-mail or name.
    let (customer, account, email, person): (String, String, String, String) = app
        .sql()
        .query_row(
            "SELECT c.id, c.account_number, c.email, c.first_name || ' ' || c.last_name \
             FROM customers c WHERE c.customer_type = 'Individual' AND \
             (SELECT COUNT(*) FROM subscriptions s WHERE s.customer_id = c.id) > 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let (theirs, _) = count(&format!("customer_id = '{customer}'"));
    for typed in [&account, &email] {
        let html = ui
            .get_html(&format!("/admin/subscriptions?q={typed}"))
            .await;
        let shown = rows(&html, "subscription-list");
        assert_eq!(shown.len() as i64, theirs, "{typed}");
        assert!(shown.iter().all(|r| cell(r, "Account") == account));
    }
    let html = ui
        .get_html(&format!(
            "/admin/subscriptions?q={}",
            person.replace(' ', "+")
        ))
        .await;
    let names: Vec<String> = rows(&html, "subscription-list")
        .iter()
        .map(|r| cell(r, "Customer"))
        .collect();
    // (A business whose contact is this person is found too.)
    assert_eq!(
        names.iter().filter(|n| **n == person).count() as i64,
        theirs,
        "{person}: {names:?}"
    );
    assert!(by_id(&html, "subscription-count").contains("of customers matching"));

    // A click on Monthly charge sorts by it, highest first; a second, lowest first.
    let html = ui.get_html("/admin/subscriptions?status=Active").await;
    let link = "/admin/subscriptions?status=Active&sort=-charge";
    assert!(unescape(&html).contains(link), "the header's link");
    let html = ui.get_html(link).await;
    let charges: Vec<Decimal> = rows(&html, "subscription-list")
        .iter()
        .map(|r| amount(&cell(r, "Monthly charge")))
        .collect();
    let highest: i64 = app
        .sql()
        .query_row(
            "SELECT MAX(monthly_charge) FROM subscriptions WHERE status = 'Active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(charges[0], Decimal::new(highest, 2));
    assert!(charges.windows(2).all(|w| w[0] >= w[1]), "{charges:?}");
    let html = ui
        .get_html("/admin/subscriptions?status=Active&sort=charge")
        .await;
    let charges: Vec<Decimal> = rows(&html, "subscription-list")
        .iter()
        .map(|r| amount(&cell(r, "Monthly charge")))
        .collect();
    assert!(charges.windows(2).all(|w| w[0] <= w[1]), "{charges:?}");

    // The export holds exactly what the filters show, in the list's order.
    let list = "/admin/subscriptions?status=Active&from=2025-12-01&sort=-charge";
    let html = ui.get_html(list).await;
    let (header, records) = export_records(&ui, &href(&html, "export-subscriptions")).await;
    // The columns of `edgebss export subscriptions`, add-ons by name included.
    assert_eq!(header, subscription_columns().join(","));
    let exported: Vec<String> = records.iter().map(|r| r[0].clone()).collect();
    let (with_addon, addon): (String, String) = app
        .sql()
        .query_row(
            "SELECT s.id, a.addon_name FROM subscriptions s JOIN subscription_addons a \
             ON a.subscription_id = s.id WHERE s.status = 'Active' \
             AND s.start_date >= '2025-12-01' AND a.position = 0 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let row = records.iter().find(|r| r[0] == with_addon).unwrap();
    assert_eq!(row.last().unwrap(), &addon, "{row:?}");
    let mut expected = ids_where(
        &app,
        "SELECT id FROM subscriptions WHERE status = 'Active' AND start_date >= '2025-12-01'",
    );
    let shown = ids_linked(&rows(&html, "subscription-list"), "/admin/subscriptions/");
    assert_eq!(
        exported[..shown.len()],
        shown[..],
        "the page's rows come first"
    );
    let mut sorted = exported.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    let html = ui
        .get_html(&format!("/admin/subscriptions?q={account}"))
        .await;
    let (_, exported) = export(&ui, &href(&html, "export-subscriptions")).await;
    assert_eq!(exported.len() as i64, theirs);

    // A bad filter is said beside its field; the export of one goes back to the list.
    for (query, field) in [
        ("status=Sleeping", "e-status"),
        ("product=nonsense", "e-product"),
        ("from=2026-13-01", "e-from"),
        ("from=2026-02-01&to=2026-01-01", "e-from"),
        ("q=ab", "e-q"),
    ] {
        let html = ui.get_html(&format!("/admin/subscriptions?{query}")).await;
        assert!(html.contains(&format!("id=\"{field}\"")), "{query}");
        assert_eq!(by_id(&html, "subscription-count"), "0 subscriptions");
    }
    let html = ui.get_html("/admin/subscriptions?sort=name").await;
    assert!(html.contains("is not a sort order"));
    let res = ui.get("/admin/subscriptions?page=abc").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("page: must be a whole number")
    );
    let res = ui
        .get("/admin/subscriptions/export.csv?status=Sleeping")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/subscriptions");
}
