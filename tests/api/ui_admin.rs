//! The admin-only pages at work: the catalog and the users.

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::{admin, location};

#[tokio::test]
async fn a_catalog_price_change_applies_to_new_subscriptions_only() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    let c = app.create_individual("Ada", "Lovelace").await;
    let id = c["customerId"].as_str().unwrap();
    let sub_path = format!("/v1/customers/{id}/subscriptions");
    app.post_json(
        &sub_path,
        &serde_json::json!({"productId": fiber, "startDate": "2026-11-26"}),
    )
    .await;
    let edit = format!("/admin/catalog/{fiber}/edit");
    let res = ui
        .post(
            &edit,
            &edit,
            &[
                ("productName", "Fiber 1G"),
                ("productType", "Broadband"),
                ("monthlyPrice", "59.99"),
                ("currency", "USD"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.post_json(
        &sub_path,
        &serde_json::json!({"productId": fiber, "startDate": "2026-11-26"}),
    )
    .await;
    let subs: serde_json::Value = app.get(&sub_path).await.json().await.unwrap();
    let charges: Vec<f64> = subs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["monthlyCharge"].as_f64().unwrap())
        .collect();
    assert_eq!(charges, vec![49.99, 59.99]);
    // A bad price is refused beside its field.
    let res = ui
        .post(
            &edit,
            &edit,
            &[
                ("productName", "Fiber 1G"),
                ("productType", "Broadband"),
                ("monthlyPrice", "cheap"),
                ("currency", "USD"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"e-monthlyPrice\""));
}

#[tokio::test]
async fn a_discontinued_product_can_no_longer_be_picked() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let fiber = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    let page = format!("/admin/catalog/{fiber}/discontinue");
    assert!(ui.get_html(&page).await.contains("Discontinue Fiber 1G?"));
    assert_eq!(
        ui.post(&page, &page, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let html = ui.get_html("/admin/catalog").await;
    assert!(html.contains("Product Fiber 1G discontinued"), "flash");
    let c = app.create_individual("Ada", "Lovelace").await;
    let html = ui
        .get_html(&format!(
            "/admin/customers/{}/subscriptions/new",
            c["customerId"].as_str().unwrap()
        ))
        .await;
    assert!(!html.contains("Fiber 1G"));
}

#[tokio::test]
async fn an_admin_creates_a_user_whose_password_is_shown_once() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui
        .post(
            "/admin/users/new",
            "/admin/users",
            &[("username", "olga"), ("role", "operator")],
        )
        .await;
    // The answer is a redirect (a reload of the next page creates nothing), and that page shows
    // the password once.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = location(&res);
    assert!(shown.contains("/new-password?ticket="), "{shown}");
    let res = ui.get(&shown).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let start =
        html.find("id=\"generated-password\">").unwrap() + "id=\"generated-password\">".len();
    let password = &html[start..start + 20];
    let again = ui.get_html(&shown).await;
    assert!(!again.contains(password) && again.contains("shown once already"));
    let users: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 2, "the reload created no second user");
    let other = crate::ui_helpers::UiClient::new(&app);
    assert_eq!(
        location(&other.sign_in("olga", password).await),
        "/admin/password"
    );
    assert!(!ui.get_html("/admin/users").await.contains(password));
    // A taken name is refused beside the field.
    let res = ui
        .post(
            "/admin/users/new",
            "/admin/users",
            &[("username", "OLGA"), ("role", "viewer")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("already taken"));
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_disabled() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let id: i64 = app
        .sql()
        .query_row("SELECT id FROM users WHERE username = 'admin'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let res = ui
        .post(
            "/admin/users",
            &format!("/admin/users/{id}/role"),
            &[("role", "viewer")],
        )
        .await;
    // Refused on the users page itself, saying why and what to do instead.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/users");
    let list = ui.get_html("/admin/users").await;
    assert!(list.contains("only enabled admin"), "{list}");
    assert!(list.contains("Make another user an admin first"));
    assert!(
        !list.contains(&format!("/admin/users/{id}/disable")),
        "not offered"
    );
    let page = format!("/admin/users/{id}/disable");
    let res = ui.post("/admin/users", &page, &[]).await;
    assert_eq!(location(&res), "/admin/users");
    let res = ui.get(&page).await;
    assert_eq!(
        location(&res),
        "/admin/users",
        "the confirmation is not offered either"
    );
    let role: String = app
        .sql()
        .query_row(
            "SELECT role || disabled FROM users WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(role, "admin0");
}
