//! The charging pages without a browser: each change shows what it will produce before it is
//! confirmed, confirms with a CSRF-checked POST answered by a redirect, and is refused to a
//! viewer; the termination page shows the final invoice and the balance left.

use reqwest::StatusCode;
use serde_json::json;

use crate::billing::{bill, catalog, d, id, invoices_of, post, subscribe};
use crate::helpers::spawn_app;
use crate::ui_helpers::{admin, location, user_with_role};
use edgebss::domain::user::Role;

#[tokio::test]
async fn a_discount_and_a_charge_show_their_lines_first_and_can_be_taken_back() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let ui = admin(&app).await;

    // Discount: the form, the preview with January's lines, then the POST.
    let form = format!("/admin/subscriptions/{sub}/discounts/new");
    assert!(
        ui.get_html(&form)
            .await
            .contains("Show the lines it will produce")
    );
    let preview = format!(
        "/admin/subscriptions/{sub}/discounts/preview?kind=percent&value=10&months=3&description=Loyalty"
    );
    let html = ui.get_html(&preview).await;
    assert!(html.contains("Fiber 500 · 2027-01-01–2027-01-31"), "{html}");
    assert!(html.contains("Discount Loyalty (10 %) · Fiber 500 · 2027-01-01–2027-01-31"));
    assert!(html.contains("USD -5.00"), "10 % of 49.99, rounded");
    assert!(html.contains("name=\"_csrf\""));
    let bad = ui
        .get(&format!(
            "/admin/subscriptions/{sub}/discounts/preview?kind=percent&value=120&description=X"
        ))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("id=\"e-value\""));
    let res = ui
        .post(
            &preview,
            &format!("/admin/subscriptions/{sub}/discounts"),
            &[
                ("kind", "percent"),
                ("value", "10"),
                ("months", "3"),
                ("description", "Loyalty"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/admin/subscriptions/{sub}"));
    let page = ui.get_html(&location(&res)).await;
    assert!(page.contains("Discount Loyalty (10 %) given."));
    assert!(page.contains("0 of 3 invoices used"));
    let discounts: serde_json::Value = app
        .get(&format!("/v1/subscriptions/{sub}/discounts"))
        .await
        .json()
        .await
        .unwrap();
    let did = id(&discounts["data"][0], "discountId");
    let remove = format!("/admin/subscriptions/{sub}/discounts/{did}/remove");
    assert!(
        ui.get_html(&remove)
            .await
            .contains("Remove the discount Loyalty?")
    );
    assert_eq!(
        ui.post(&remove, &remove, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(
        ui.get_html(&format!("/admin/subscriptions/{sub}"))
            .await
            .contains("Removed")
    );

    // Charge: the line the next invoice will carry, then the POST; cancellable until billed.
    let preview = format!("/admin/customers/{ada}/charges/preview?description=Router&amount=80");
    let html = ui.get_html(&preview).await;
    assert!(
        html.contains("Router · 2026-12-01") && html.contains("USD 80.00"),
        "{html}"
    );
    assert!(html.contains("The 2027-01 invoice will carry"));
    let res = ui
        .post(
            &preview,
            &format!("/admin/customers/{ada}/charges"),
            &[("description", "Router"), ("amount", "80")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ui.get_html(&location(&res)).await;
    assert!(page.contains("Charge Router of USD 80.00 added"));
    let charges: serde_json::Value = app
        .get(&format!("/v1/customers/{ada}/charges"))
        .await
        .json()
        .await
        .unwrap();
    let chid = id(&charges["data"][0], "chargeId");
    let cancel = format!("/admin/customers/{ada}/charges/{chid}/cancel");
    assert!(
        ui.get_html(&cancel)
            .await
            .contains("Cancel the charge Router?")
    );
    assert_eq!(
        ui.post(&cancel, &cancel, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let charges: serde_json::Value = app
        .get(&format!("/v1/customers/{ada}/charges"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(charges["data"][0]["status"], "Cancelled");

    // A viewer sees the pages and may change nothing.
    let viewer = user_with_role(&app, "vera", Role::Viewer).await;
    assert_eq!(
        viewer
            .get(&format!("/admin/subscriptions/{sub}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(viewer.get(&form).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_refund_shows_what_it_does_and_the_invoice_asks_for_the_money_again() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let inv = id(&invoices_of(&app, &ada).await[0], "invoiceId");
    let pay: serde_json::Value = post(
        &app,
        &format!("/v1/invoices/{inv}/payments"),
        json!({"amount": 58.32, "method": "Cash"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = id(&pay, "paymentId");
    let ui = admin(&app).await;
    let detail = ui.get_html(&format!("/admin/invoices/{inv}")).await;
    assert!(detail.contains(&format!("/admin/invoices/{inv}/payments/{pid}/refund")));
    let preview =
        format!("/admin/invoices/{inv}/payments/{pid}/refund/preview?amount=20&reason=Twice");
    let html = ui.get_html(&preview).await;
    assert!(
        html.contains("USD -20.00") && html.contains("USD 20.00") && html.contains("then Open"),
        "{html}"
    );
    let res = ui
        .post(
            &preview,
            &format!("/admin/invoices/{inv}/payments/{pid}/refund"),
            &[("amount", "20"), ("reason", "Twice")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ui.get_html(&location(&res)).await;
    assert!(page.contains("Refund of USD 20.00 recorded."));
    assert!(page.contains("id=\"refunds\""));
    // Who did it is on each row: the refund by the signed-in user, a credit note by the API
    // client that issued it.
    assert!(page.contains("class=\"refunded-by\">admin<"), "{page}");
    let res = post(
        &app,
        &format!("/v1/invoices/{inv}/credit-notes"),
        json!({"amount": 5.00, "reason": "Outage"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = ui.get_html(&format!("/admin/invoices/{inv}")).await;
    let issued_by = page
        .split("issued-by\">")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next());
    assert!(
        issued_by.is_some_and(|who| who.ends_with(" (API client)")),
        "{issued_by:?}"
    );
    let after: serde_json::Value = app
        .get(&format!("/v1/invoices/{inv}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "Open");
}

#[tokio::test]
async fn the_termination_page_shows_the_final_invoice_and_the_balance_left() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    app.move_clock(d("2026-12-10")).await;
    let ui = admin(&app).await;
    let confirm = format!("/admin/customers/{ada}/status?to=terminate");
    let html = ui.get_html(&confirm).await;
    // 11–31 December back (49.99 × 21/31 = 33.86); 58.32 still due on December's invoice.
    assert!(
        html.contains("Credit: Fiber 500 · 2026-12-11–2026-12-31 · 21/31 days"),
        "{html}"
    );
    assert!(html.contains("USD -33.86"));
    assert!(html.contains("id=\"open-due\">USD 58.32"));
    assert!(
        html.contains("id=\"balance-left\"><strong>USD 24.46</strong>"),
        "{html}"
    );
    let res = ui
        .post(
            &confirm,
            &format!("/admin/customers/{ada}/status"),
            &[("action", "terminate")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ui.get_html(&location(&res)).await;
    assert!(
        page.contains("Final invoice INV-2026-000002 issued: USD -33.86."),
        "{page}"
    );
}

#[tokio::test]
async fn the_catalog_form_takes_a_usage_price_and_what_an_add_on_goes_on() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    let res = ui
        .post(
            "/admin/catalog/new",
            "/admin/catalog",
            &[
                ("productName", "Mobile 10"),
                ("productType", "Mobile"),
                ("monthlyPrice", "20"),
                ("currency", "USD"),
                ("usage.metric", "data_gb"),
                ("usage.name", "Data"),
                ("usage.unit", "GB"),
                ("usage.includedQuantity", "10"),
                ("usage.unitPrice", "2.00"),
                ("usage.tiers", "50 1.50\n"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = ui
        .post(
            "/admin/catalog/new",
            "/admin/catalog",
            &[
                ("productName", "Static IP"),
                ("productType", "Addon"),
                ("monthlyPrice", "5"),
                ("currency", "USD"),
                ("compatibleWith.productIds", &fiber),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list: serde_json::Value = app.get("/v1/products").await.json().await.unwrap();
    let data = list["data"].as_array().unwrap();
    let mobile = data
        .iter()
        .find(|p| p["productName"] == "Mobile 10")
        .unwrap();
    assert_eq!(
        mobile["usage"]["tiers"],
        json!([{"upTo": 50, "unitPrice": 1.50}])
    );
    let ip = data
        .iter()
        .find(|p| p["productName"] == "Static IP")
        .unwrap();
    assert_eq!(ip["compatibleWith"]["productIds"], json!([fiber]));
    // A tier below the allowance is refused beside the tiers.
    let res = ui
        .post(
            "/admin/catalog/new",
            "/admin/catalog",
            &[
                ("productName", "Mobile 5"),
                ("productType", "Mobile"),
                ("monthlyPrice", "20"),
                ("currency", "USD"),
                ("usage.metric", "data_gb"),
                ("usage.unit", "GB"),
                ("usage.includedQuantity", "10"),
                ("usage.unitPrice", "2"),
                ("usage.tiers", "5 1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"e-usage.tiers\""));
}

#[tokio::test]
async fn a_subscription_page_shows_this_months_usage_against_what_is_included() {
    let app = crate::helpers::spawn_app_with(|s| s.demo = true).await;
    let ui = admin(&app).await;
    let sub: String = app
        .sql()
        .query_row(
            "SELECT subscription_id FROM usage_totals ORDER BY subscription_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let html = ui.get_html(&format!("/admin/subscriptions/{sub}")).await;
    assert!(html.contains("Usage in 2026-11"), "{html}");
    assert!(html.contains("of 5 GB included"), "{html}");
    assert!(html.contains("<progress"), "a meter of the allowance");
}
