//! Input no person types but an attacker or a broken integration sends: it is answered like any
//! other bad input (a message naming the field, never a 500), and nothing of it is stored.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, spawn_app_with};
use crate::ui_helpers::{PASSWORD, UiClient, admin, csrf_in, initial_admin_password, location};

#[tokio::test]
async fn a_sign_in_whose_next_page_holds_a_line_break_lands_on_the_dashboard() {
    let app = spawn_app().await;
    let _ = admin(&app).await;
    let ui = UiClient::new(&app);
    let page = "/admin/login?next=/admin/%0d%0aSet-Cookie:%20x=1";
    let form = ui.get(page).await;
    assert_eq!(form.status(), StatusCode::OK);
    let res = ui
        .post(
            page,
            "/admin/login",
            &[
                ("username", "admin"),
                ("password", PASSWORD),
                ("next", "/admin/\r\nSet-Cookie: x=1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/");
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("x=")),
        "no header was injected"
    );
}

#[tokio::test]
async fn a_customer_search_holding_a_nul_character_is_refused_with_a_message() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    app.create_individual("Ada", "Lovelace").await;
    for q in ["abc%00", "Ada%00Lovelace", "%01%02%03"] {
        let res = ui.get(&format!("/admin/customers?q={q}")).await;
        assert_eq!(res.status(), StatusCode::OK, "q={q}");
        let html = res.text().await.unwrap();
        assert!(html.contains("control characters"), "q={q}: {html}");
    }
}

/// Signs in by hand (a cookie store would not send `Secure` cookies over plain HTTP) and changes
/// the generated password; returns the answer to that change.
async fn first_password_change_by_hand(app: &crate::helpers::TestApp) -> reqwest::Response {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookies = |res: &reqwest::Response| -> Vec<String> {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect()
    };
    let form = http.get(app.url("/admin/login")).send().await.unwrap();
    let pre = cookies(&form).join("; ");
    let csrf = csrf_in(&form.text().await.unwrap());
    let generated = initial_admin_password(app);
    let signed_in = http
        .post(app.url("/admin/login"))
        .header("cookie", &pre)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", &generated),
            ("next", "/admin/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = cookies(&signed_in)
        .into_iter()
        .find(|c| c.starts_with("edgebss_session="))
        .expect("session cookie");
    let page = http
        .get(app.url("/admin/password"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let csrf = csrf_in(&page.text().await.unwrap());
    http.post(app.url("/admin/password"))
        .header("cookie", &session)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", &generated),
            ("new", PASSWORD),
            ("confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_secure_cookies_the_flash_message_cookie_is_secure_too() {
    let app = spawn_app_with(|s| s.ui.secure_cookies = Some(true)).await;
    let res = first_password_change_by_hand(&app).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let flash = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("edgebss_flash="))
        .expect("a flash message");
    assert!(flash.contains("Secure"), "{flash}");
    assert!(flash.contains("HttpOnly"), "{flash}");

    let plain = spawn_app().await;
    let res = first_password_change_by_hand(&plain).await;
    let flash = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("edgebss_flash="))
        .expect("a flash message");
    assert!(!flash.contains("Secure"), "no TLS, no setting: {flash}");
}

/// A customer with one open invoice (December 2026); returns the invoice's id.
async fn open_invoice(app: &mut crate::helpers::TestApp) -> String {
    use crate::billing::{catalog, d, id, invoices_of, run_jobs, subscribe};
    let cat = catalog(app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(app, &ada, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(app).await;
    id(&invoices_of(app, &ada).await[0], "invoiceId")
}

fn payment_count(app: &crate::helpers::TestApp) -> i64 {
    app.sql()
        .query_row("SELECT COUNT(*) FROM payments", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn payments_dated_before_2000_are_refused_by_the_api_and_the_ui() {
    let mut app = spawn_app().await;
    let invoice = open_invoice(&mut app).await;
    for paid_at in ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z"] {
        let res = app
            .post_json(
                &format!("/v1/invoices/{invoice}/payments"),
                &serde_json::json!({"amount": 10, "method": "Cash", "paidAt": paid_at}),
            )
            .await;
        crate::helpers::assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "paidAt")
            .await;
    }
    let ui = admin(&app).await;
    let page = format!("/admin/invoices/{invoice}/payments");
    let res = ui
        .post(
            &page,
            &page,
            &[
                ("amount", "10"),
                ("method", "Cash"),
                ("paidOn", "0000-01-01"),
            ],
        )
        .await;
    // The payment form answers every refused field 422, showing the form again.
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("2000-01-01"), "{html}");
    assert_eq!(payment_count(&app), 0, "nothing was stored");
}

#[tokio::test]
async fn a_subscription_cannot_start_in_the_year_9999() {
    let app = spawn_app().await;
    let cat = crate::billing::catalog(&app);
    let ada = app.create_individual("Ada", "Lovelace").await;
    let ada = ada["customerId"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("/v1/customers/{ada}/subscriptions"),
            &serde_json::json!({"productId": cat.fiber, "startDate": "9999-12-31"}),
        )
        .await;
    crate::helpers::assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "startDate",
    )
    .await;
    let res = app
        .post_json(
            &format!("/v1/customers/{ada}/subscriptions"),
            &serde_json::json!({"productId": cat.fiber, "startDate": "2031-11-26"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "five years ahead is fine"
    );
}

#[tokio::test]
async fn a_catalog_product_priced_in_a_made_up_currency_is_refused() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    for currency in ["ZZZ", "XXX", "XAU"] {
        let res = ui
            .post(
                "/admin/catalog/new",
                "/admin/catalog",
                &[
                    ("productName", "Fiber 1000"),
                    ("productType", "Broadband"),
                    ("monthlyPrice", "59.99"),
                    ("currency", currency),
                    ("features", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{currency}");
        let html = res.text().await.unwrap();
        assert!(html.contains("ISO 4217"), "{html}");
    }
    let stored: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn names_that_hide_or_reorder_their_text_are_refused() {
    let app = spawn_app().await;
    for (field, value) in [
        ("firstName", "Ada\u{202E}ecalevoL"),
        ("lastName", "Love\u{200B}lace"),
        ("firstName", "\u{2067}Ada"),
        ("lastName", "Lovelace\u{200D}"),
    ] {
        let mut body = serde_json::json!({
            "customerType": "Individual",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.com",
        });
        body[field] = serde_json::json!(value);
        let res = app.post_json("/v1/customers", &body).await;
        crate::helpers::assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field)
            .await;
    }
    let res = app
        .post_json(
            "/v1/customers",
            &serde_json::json!({
                "customerType": "Individual",
                "firstName": "مهدی",
                "lastName": "علی\u{200C}زاده",
                "email": "mahdi@example.com",
            }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "a Persian name with its joiner"
    );
}
