//! The Collections page keeps its figures between requests (they sum every open invoice); what
//! it shows must still follow every change at once: a payment, a dunning round, a new day, the
//! dunning rules.

use reqwest::StatusCode;
use serde_json::json;

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe};
use crate::helpers::spawn_app_with;
use crate::ui_helpers::{PASSWORD, UiClient, admin};

/// The text of the element with `id` on `html`, tags dropped and spaces collapsed.
fn section(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} on the page"));
    let end = html[start..]
        .find("</table>")
        .map_or(html.len(), |e| start + e);
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html[start..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_collections_page_follows_each_payment_dunning_round_day_and_rule_change() {
    let mut app = spawn_app_with(|s| {
        s.dunning.reminder_days = vec![3, 10];
        s.dunning.suspend_after_days = 21;
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

    // Two days past due (due 2026-12-15; the day's round has marked it overdue): 1–30 days,
    // and tomorrow's first reminder.
    app.move_clock(d("2026-12-17")).await;
    run_jobs(&app).await;
    let ui = admin(&app).await;
    let page = ui.get_html("/admin/collections").await;
    assert!(
        section(&page, "aging").contains("Ada Lovelace"),
        "{}",
        section(&page, "aging")
    );
    assert!(section(&page, "aging").contains("Total USD USD 49.99 USD 49.99"));
    assert!(section(&page, "preview").contains("Reminder (3 days after the due date)"));
    let again = ui.get_html("/admin/collections").await;
    for table in ["aging", "preview"] {
        assert_eq!(section(&again, table), section(&page, table), "asked again");
    }

    // A new day: the reminder was due today and no round has run yet, so it is still to go
    // out tomorrow; once today's round has sent it (a dunning action, not an audit entry),
    // tomorrow has nothing.
    app.move_clock(d("2026-12-18")).await;
    let ui = UiClient::new(&app);
    assert_eq!(
        ui.sign_in("admin", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = ui.get_html("/admin/collections").await;
    assert!(section(&page, "preview").contains("Reminder (3 days after the due date)"));
    run_jobs(&app).await;
    let page = ui.get_html("/admin/collections").await;
    assert!(
        section(&page, "preview").contains("Nothing: no reminder or suspension is due tomorrow"),
        "{}",
        section(&page, "preview")
    );

    // The rules changed on the Settings page: tomorrow (4 days past due) is a reminder day.
    let res = ui
        .post(
            "/admin/settings",
            "/admin/settings/dunning",
            &[
                ("dunning.reminder_days", "3, 4"),
                ("dunning.suspend_after_days", "21"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.live.get().dunning.reminder_days, [3, 4]);
    let page = ui.get_html("/admin/collections").await;
    assert!(
        section(&page, "preview").contains("Reminder (4 days after the due date)"),
        "{}",
        section(&page, "preview")
    );

    // A part payment lowers what is owed; the rest clears the report.
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/payments"),
        json!({"amount": 20.00, "method": "BankTransfer"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let aging = section(&ui.get_html("/admin/collections").await, "aging");
    assert!(
        aging.contains("USD 29.99") && !aging.contains("49.99"),
        "{aging}"
    );
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/payments"),
        json!({"amount": 29.99, "method": "BankTransfer"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = ui.get_html("/admin/collections").await;
    assert!(section(&page, "aging").contains("Nothing is due."));
    assert!(
        page.contains("0 customers owe"),
        "{}",
        section(&page, "aging")
    );
}
