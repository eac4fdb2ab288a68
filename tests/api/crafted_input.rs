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
