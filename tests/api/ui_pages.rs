//! The admin pages doing their jobs: forms, search, subscriptions, the catalog, the dashboard.

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::{admin, location};

#[tokio::test]
async fn a_refused_customer_form_comes_back_with_the_input_and_a_message_beside_the_field() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui
        .post(
            "/admin/customers/new",
            "/admin/customers",
            &[
                ("customerType", "Individual"),
                ("firstName", "Grace"),
                ("lastName", "Hopper"),
                ("email", "not-an-email"),
                ("address.city", "Arlington"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Grace\""), "input kept");
    assert!(html.contains("value=\"Arlington\""), "input kept");
    assert!(
        html.contains("id=\"e-email\""),
        "message beside the e-mail field"
    );
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"e-email\""));
}

#[tokio::test]
async fn a_customer_created_in_the_form_is_shown_with_a_flash_message() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui
        .post(
            "/admin/customers/new",
            "/admin/customers",
            &[
                ("customerType", "Business"),
                ("companyName", "Acme Networks"),
                ("email", "billing@acme.example"),
                ("phone", "+1 (555) 010-2030"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let detail = location(&res);
    let html = ui.get_html(&detail).await;
    assert!(
        html.contains("Customer Acme Networks created"),
        "flash shown"
    );
    assert!(html.contains("billing@acme.example"));
    let again = ui.get_html(&detail).await;
    assert!(
        !again.contains("created (account"),
        "the flash is shown once"
    );
    // The API sees the same customer.
    let id = detail.rsplit('/').next().unwrap();
    let api = app.get(&format!("/v1/customers/{id}")).await;
    assert_eq!(api.status(), StatusCode::OK);
}

#[tokio::test]
async fn markup_in_a_name_is_shown_as_text() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = app
        .post_json(
            "/v1/customers",
            &serde_json::json!({
                "customerType": "Individual",
                "firstName": "<script>alert(1)</script>",
                "lastName": "Doe",
                "email": "xss@example.com",
            }),
        )
        .await;
    let customer: serde_json::Value = res.json().await.unwrap();
    let id = customer["customerId"].as_str().unwrap();
    for path in [
        format!("/admin/customers/{id}"),
        "/admin/customers".to_owned(),
    ] {
        let html = ui.get_html(&path).await;
        assert!(!html.contains("<script>alert(1)</script>"), "{path}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn customers_are_found_by_any_part_of_name_email_phone_or_account_number() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let ada = app.create_individual("Ada", "Lovelace").await;
    app.create_individual("Alan", "Turing").await;
    app.patch_json(
        &format!("/v1/customers/{}", ada["customerId"].as_str().unwrap()),
        &serde_json::json!({"phone": "+44 20 7946 0958"}),
    )
    .await;
    let account = ada["accountNumber"].as_str().unwrap();
    for q in ["lovel", "ada.love", "7946 0958", "20-7946", account] {
        let html = ui
            .get_html(&format!("/admin/customers?q={}", urlencode(q)))
            .await;
        assert!(html.contains("Ada Lovelace"), "search `{q}`");
        assert!(!html.contains("Alan Turing"), "search `{q}`");
    }
    let html = ui.get_html("/admin/customers?q=ad").await;
    assert!(
        html.contains("at least three"),
        "too short a search is explained"
    );
    let html = ui
        .get_html("/admin/customers?q=example.com&status=Suspended")
        .await;
    assert!(
        html.contains("No customers match"),
        "filters combine with the search"
    );
}

#[tokio::test]
async fn a_renamed_customer_is_found_by_the_new_name_only() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let ada = app.create_individual("Ada", "Lovelace").await;
    let id = ada["customerId"].as_str().unwrap();
    assert!(
        ui.get_html("/admin/customers?q=lovelace")
            .await
            .contains("Ada Lovelace")
    );
    let res = app
        .patch_json(
            &format!("/v1/customers/{id}"),
            &serde_json::json!({"lastName": "King", "email": "augusta.king@example.org"}),
        )
        .await;
    assert!(res.status().is_success());
    let html = ui.get_html("/admin/customers?q=lovelace").await;
    assert!(html.contains("No customers match"), "the old name is gone");
    for q in ["king", "augusta.k"] {
        let html = ui.get_html(&format!("/admin/customers?q={q}")).await;
        assert!(html.contains("Ada King"), "search `{q}`");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_subscription_with_an_add_on_is_added_from_the_customer_page() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let id = c["customerId"].as_str().unwrap();
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    let ip = app.insert_product("Static IP", "Addon", 500, "Active");
    let page = format!("/admin/customers/{id}/subscriptions/new");
    assert!(ui.get_html(&page).await.contains("USD 49.99 / month"));
    // Once the product is chosen, its add-ons are offered with their prices; the review shows
    // the monthly total before anything is stored.
    let html = ui.get_html(&format!("{page}?productId={fiber}")).await;
    assert!(html.contains("USD 5.00 / month"), "prices shown");
    let html = ui
        .get_html(&format!(
            "/admin/customers/{id}/subscriptions/review?productId={fiber}&addons={ip}&startDate=2026-11-26"
        ))
        .await;
    assert!(
        html.contains("USD 54.99"),
        "the monthly total before confirming"
    );
    let res = ui
        .post(
            &page,
            &format!("/admin/customers/{id}/subscriptions"),
            &[
                ("productId", &fiber),
                ("addons", &ip),
                ("startDate", "2026-11-26"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ui.get_html(&location(&res)).await;
    assert!(html.contains("Fiber 1G added"));
    assert!(html.contains("Static IP (USD 5.00)"));
    assert!(html.contains("USD 54.99"), "monthly total with the add-on");

    // A start date in the past is refused beside the date field, keeping the choices.
    let res = ui
        .post(
            &page,
            &format!("/admin/customers/{id}/subscriptions"),
            &[
                ("productId", &fiber),
                ("addons", &ip),
                ("startDate", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"e-startDate\""));
    assert!(html.contains("checked"), "choices kept");
}

#[tokio::test]
async fn terminating_a_customer_asks_first_and_cancels_their_subscriptions() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let id = c["customerId"].as_str().unwrap();
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    app.post_json(
        &format!("/v1/customers/{id}/subscriptions"),
        &serde_json::json!({"productId": fiber, "startDate": "2026-11-26"}),
    )
    .await;
    let confirm = format!("/admin/customers/{id}/status?to=terminate");
    let html = ui.get_html(&confirm).await;
    assert!(html.contains("cannot be undone"));
    let res = ui
        .post(
            &confirm,
            &format!("/admin/customers/{id}/status"),
            &[("action", "terminate")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let status: String = app
        .sql()
        .query_row("SELECT status FROM subscriptions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "Cancelled");
    let html = ui.get_html(&format!("/admin/customers/{id}")).await;
    assert!(html.contains("is now terminated"));
}

#[tokio::test]
async fn the_dashboard_shows_the_key_figures_and_two_charts() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    app.post_json(
        &format!(
            "/v1/customers/{}/subscriptions",
            c["customerId"].as_str().unwrap()
        ),
        &serde_json::json!({"productId": fiber, "startDate": "2026-11-26"}),
    )
    .await;
    let html = ui.get_html("/admin/").await;
    assert!(html.contains("id=\"stat-customers\">1<"), "{html}");
    assert!(html.contains("id=\"stat-subscriptions\">1<"));
    assert!(html.contains("id=\"stat-mrr\">USD 49.99<"));
    assert!(html.contains("id=\"chart-monthly\"") && html.contains("id=\"chart-types\""));
    assert!(html.contains("<title>Broadband: 1 active</title>"));
}

#[tokio::test]
async fn editing_a_customer_shows_the_stored_values_and_saves_changes() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let id = c["customerId"].as_str().unwrap();
    let page = format!("/admin/customers/{id}/edit");
    let html = ui.get_html(&page).await;
    assert!(
        html.contains("value=\"ada.lovelace@example.com\""),
        "current values shown"
    );
    let res = ui
        .post(
            &page,
            &page,
            &[
                ("firstName", "Augusta Ada"),
                ("lastName", "King"),
                ("email", "ada@example.org"),
                ("address.city", "London"),
                ("taxExempt", "true"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("/admin/customers/{id}"));
    let html = ui.get_html(&format!("/admin/customers/{id}")).await;
    assert!(html.contains("Customer Augusta Ada King saved."));
    assert!(html.contains("ada@example.org") && html.contains("London"));
    assert!(html.contains("id=\"tax-exempt\">Exempt<"));
    let api: serde_json::Value = app
        .get(&format!("/v1/customers/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["taxExempt"], true, "the API sees the same flag");
    assert!(
        ui.get_html(&page)
            .await
            .contains("name=\"taxExempt\" value=\"true\" checked")
    );
    let res = ui.post(&page, &page, &[("email", "")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"e-email\""));
}
