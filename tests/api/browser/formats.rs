//! One way of writing each thing on every page: money as `USD 1,234.50`, dates as 2026-11-26,
//! times in the operator's zone without raw timestamps, enum values as words; who did what
//! wherever an action is recorded; the dashboard's figures, needs-attention list and first-run
//! checklist.

use serde_json::json;

use super::Browser;
use super::flow::first_sign_in;
use super::phone::billed_demo;
use crate::helpers::spawn_app;

/// Amounts on a page written any other way than `USD 1,234.50`: every number with two decimals
/// must have the currency code before it and thousands separated.
fn money_faults(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut faults = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || ".,".contains(chars[i - 1])));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_digit() || ",.".contains(chars[j])) {
            j += 1;
        }
        let token: String = chars[i..j].iter().collect();
        let token = token.trim_end_matches(['.', ',']).to_owned();
        let amount = token.matches('.').count() == 1
            && token.split('.').nth(1).is_some_and(|f| f.len() == 2);
        if amount {
            let before: String = chars[i.saturating_sub(5)..i].iter().collect();
            let int = token.split('.').next().unwrap_or_default();
            let groups: Vec<&str> = int.split(',').collect();
            let grouped = (1..=3).contains(&groups[0].len())
                && groups[1..].iter().all(|g| g.len() == 3)
                && (int.len() <= 3 || int.contains(','));
            // The code after the amount (`55.15 USD`), not the next amount's (`USD 1.00`).
            let after: String = chars[j.min(chars.len())..(j + 6).min(chars.len())]
                .iter()
                .collect();
            let code_after = after.trim_start().strip_prefix("USD").is_some_and(|rest| {
                !rest
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit() || c == '-')
            });
            if !(before.ends_with("USD ") || before.ends_with("USD -")) || !grouped || code_after {
                faults.push(format!("…{before}{token}{after}…"));
            }
        }
        i = j;
    }
    faults
}

/// Dates and times written other than the one way: raw timestamps, US or European dates
/// (`11/26/2026`, `26/11/2026`; a ratio such as `6/31 days` is not a date).
fn date_faults(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let mut faults = Vec::new();
    for i in 1..b.len().saturating_sub(3) {
        let raw_time = b[i] == b'T'
            && i >= 3
            && b[i - 3] == b'-'
            && digits(i - 2, 2)
            && digits(i + 1, 2)
            && b.get(i + 3) == Some(&b':');
        let slashed = b[i] == b'/'
            && b[i - 1].is_ascii_digit()
            && ((digits(i + 1, 2) && b.get(i + 3) == Some(&b'/') && digits(i + 4, 4))
                || (digits(i + 1, 1) && b.get(i + 2) == Some(&b'/') && digits(i + 3, 4)));
        if raw_time || slashed {
            faults.push(text[i.saturating_sub(12)..(i + 8).min(text.len())].to_owned());
        }
    }
    faults
}

/// The API's spellings that must appear as words, and counts written lazily.
const NOT_WORDS: [&str; 6] = [
    "BankTransfer",
    "MobileMoney",
    "Addon",
    "invoice(s)",
    "customer(s)",
    "(s) ",
];

async fn check_page(b: &Browser, page: &str) {
    let text = b.page_text().await;
    // The activity's changes are the values the API recorded (an amount without the currency
    // its change did not touch); every other page writes money one way.
    let money = money_faults(&text);
    assert!(
        money.is_empty() || page == "/admin/activity",
        "{page}: money written otherwise: {money:?}"
    );
    let dates = date_faults(&text);
    assert!(
        dates.is_empty(),
        "{page}: dates written otherwise: {dates:?}"
    );
    for w in NOT_WORDS {
        assert!(!text.contains(w), "{page} shows `{w}`");
    }
}

#[tokio::test]
async fn money_dates_and_words_are_written_one_way_and_each_action_names_its_user() {
    let (app, d) = billed_demo().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.resize(1280, 1600).await;

    // A payment and a cancellation from the UI, by the signed-in admin.
    let inv = format!("/admin/invoices/{}", d.invoice);
    b.goto(&app, &format!("{inv}/payments")).await;
    b.fill("#f-amount", "2.5").await;
    b.click("#f-method option[value=MobileMoney]").await;
    b.click("#save-payment").await;
    b.wait_text("#flash", "recorded").await;
    assert!(
        b.text("#flash")
            .await
            .contains("Payment of USD 2.50 recorded")
    );
    let recorded = b.texts("#payments .recorded-by").await;
    assert!(
        recorded.contains(&"admin".to_owned())
            && recorded.contains(&"test suite (API client)".to_owned()),
        "who recorded each payment: {recorded:?}"
    );
    assert!(b.text("#payments").await.contains("Mobile money"));
    assert!(b.text("#payments").await.contains("Bank transfer"));
    let other: String = app
        .sql()
        .query_row(
            "SELECT id FROM invoices WHERE amount_paid = 0 AND status = 'Open' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    b.goto(&app, &format!("/admin/invoices/{other}/cancel"))
        .await;
    b.fill("#f-reason", "Billed by mistake").await;
    b.click("#confirm").await;
    b.wait_text("#invoice-status", "Cancelled").await;
    let note = b.text("#cancelled-note").await;
    assert!(
        note.starts_with("Cancelled by admin on 2026-11-26 "),
        "{note}"
    );
    // The bill run names who ran it: here an API client.
    b.goto(&app, &format!("/admin/bill-runs/{}", d.bill_run))
        .await;
    assert_eq!(b.text("#run-by").await, "test suite (API client)");

    let pages = [
        "/admin/".to_owned(),
        "/admin/customers".to_owned(),
        format!("/admin/customers/{}", d.customer),
        "/admin/invoices".to_owned(),
        inv.clone(),
        format!("{inv}/print"),
        format!("/admin/invoices/{other}"),
        "/admin/bill-runs".to_owned(),
        format!("/admin/bill-runs/{}", d.bill_run),
        "/admin/bill-runs/preview?period=2026-12".to_owned(),
        "/admin/catalog".to_owned(),
        format!("/admin/customers/{}/subscriptions/new", d.customer),
        "/admin/activity".to_owned(),
        "/admin/api-clients".to_owned(),
        "/admin/collections".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/customers/import".to_owned(),
    ];
    for page in &pages {
        b.goto(&app, page).await;
        b.find("body").await;
        check_page(&b, page).await;
    }
    // The product picker: name, type in words and price apart, never run together.
    b.goto(
        &app,
        &format!("/admin/customers/{}/subscriptions/new", d.customer),
    )
    .await;
    let choice = b.text("label.choice").await;
    assert!(!choice.contains(")USD"), "{choice}");
    let gap = b
        .client
        .execute(
            "const c = document.querySelector('label.choice'); \
             const n = c.querySelector('.choice-name').getBoundingClientRect(); \
             const p = c.querySelector('.price').getBoundingClientRect(); \
             return p.left - n.right;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        gap.as_f64().unwrap() >= 8.0,
        "space between name and price: {gap}"
    );

    // Dashboard: overdue is an amount, the chart's months carry their year, and what needs
    // attention is listed with its way in.
    b.goto(&app, "/admin/").await;
    let overdue = b.text("#stat-overdue").await;
    assert!(
        overdue.starts_with("USD ") && overdue != "USD 0.00",
        "{overdue}"
    );
    assert!(
        b.text("#stat-overdue-note")
            .await
            .contains("1 invoice from 1 customer")
    );
    let years = b.texts("#chart-monthly text.year").await;
    assert_eq!(years.len(), 12);
    assert_eq!(years[0], "2025");
    assert_eq!(years[11], "2026");
    let owing = b.text("#overdue-customers").await;
    assert!(
        owing.contains("USD ") && owing.contains("on 1 invoice"),
        "{owing}"
    );
    b.close().await;
}

#[tokio::test]
async fn a_new_installation_is_walked_through_its_first_steps() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    first_sign_in(&b, &app).await;
    b.goto(&app, "/admin/").await;
    let list = b.text("#first-run").await;
    assert!(list.contains("0 of 9 done"), "{list}");
    assert!(b.has("#first-run a[href='/admin/catalog/new']").await);
    b.click("#first-run a[href='/admin/customers/new']").await;
    b.wait_path("/admin/customers/new").await;
    // A day's work later, nothing is left to do and the list is gone.
    let cat = crate::billing::catalog(&app);
    let ada = crate::billing::id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    crate::billing::subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    crate::billing::bill(&app, "2026-11").await;
    let inv: String = app
        .sql()
        .query_row("SELECT id FROM invoices", [], |r| r.get(0))
        .unwrap();
    app.post_json(
        &format!("/v1/invoices/{inv}/payments"),
        &json!({"amount": 1, "method": "Cash"}),
    )
    .await;
    b.goto(&app, "/admin/").await;
    let list = b.text("#first-run").await;
    assert!(list.contains("5 of 9 done"), "{list}");
    edgebss::service::users::create(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        "olga",
        edgebss::domain::user::Role::Operator,
    )
    .await
    .unwrap();
    b.goto(&app, "/admin/").await;
    assert!(b.text("#first-run").await.contains("6 of 9 done"));
    // What is left is the operator's own details, filled in on the Settings page.
    assert!(b.has("#first-run a[href='/admin/settings']").await);

    // The password rules are on the page before anything is sent.
    b.goto(&app, "/admin/password").await;
    let rules = b.text("#password-rules").await;
    assert!(
        rules.contains("at least 12 characters")
            && rules.contains("not contain your user name, admin"),
        "{rules}"
    );
    b.close().await;
}

#[test]
fn the_format_checks_catch_what_they_look_for() {
    assert!(money_faults("Total USD 1,234.50 and USD -3.00").is_empty());
    assert_eq!(money_faults("55.15 USD").len(), 1);
    assert!(money_faults("USD 1.00 USD 2.00").is_empty());
    assert_eq!(money_faults("USD 1234.50").len(), 1);
    assert_eq!(money_faults("due 0.50").len(), 1);
    assert!(money_faults("edgebss 0.1.0 on 2026-11-26").is_empty());
    assert_eq!(date_faults("at 2026-11-26T10:00:00Z").len(), 1);
    assert!(!date_faults("on 11/26/2026").is_empty());
    assert!(date_faults("on 2026-11-26 10:00").is_empty());
    assert!(date_faults("Fiber · 6/31 days").is_empty());
    assert!(date_faults("evt_01M98BEGWYK0T3HP88AF").is_empty());
}
