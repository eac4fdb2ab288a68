//! The admin UI's sign-in, sessions, throttling, CSRF and response headers.

use chrono::Duration;
use edgebss::domain::user::Role;
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::{
    PASSWORD, UiClient, admin, csrf_in, initial_admin_password, location, user_with_role,
};

#[tokio::test]
async fn the_first_start_creates_an_admin_whose_password_file_only_the_owner_can_read() {
    let app = spawn_app().await;
    let path = app.data_dir.path().join("initial-admin-password.txt");
    let password = initial_admin_password(&app);
    assert_eq!(password.len(), 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let hash: String = app
        .sql()
        .query_row(
            "SELECT password_hash FROM users WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&password));
}

#[tokio::test]
async fn pages_need_a_session_and_send_people_to_sign_in_and_back() {
    let app = spawn_app().await;
    let ui = UiClient::new(&app);
    let res = ui.get("/admin/customers?status=Active").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        "/admin/login?next=%2Fadmin%2Fcustomers%3Fstatus%3DActive"
    );
}

#[tokio::test]
async fn the_first_sign_in_must_change_the_generated_password_before_anything_else() {
    let app = spawn_app().await;
    let ui = UiClient::new(&app);
    let generated = initial_admin_password(&app);
    let res = ui.sign_in("admin", &generated).await;
    assert_eq!(location(&res), "/admin/password");
    let res = ui.get("/admin/customers").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/password");

    // A refused new password is shown beside its field, and nothing changes.
    let res = ui
        .post(
            "/admin/password",
            "/admin/password",
            &[
                ("current", &generated),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"e-new\""), "{html}");
    assert!(html.contains("at least 12 characters"));

    ui.post(
        "/admin/password",
        "/admin/password",
        &[
            ("current", &generated),
            ("new", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(ui.get("/admin/customers").await.status(), StatusCode::OK);
    let fresh = UiClient::new(&app);
    assert_eq!(
        fresh.sign_in("admin", &generated).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(location(&fresh.sign_in("admin", PASSWORD).await), "/admin/");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_replaced_at_every_sign_in() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui.sign_in("admin", PASSWORD).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("edgebss_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no TLS configured: {cookie}");
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("edgebss_session=");
    let stored: Vec<String> = app
        .sql()
        .prepare("SELECT token_hash FROM user_sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored.len(), 1, "the old session ended at the new sign-in");
    assert_ne!(stored[0], token, "only the token's hash is stored");
    assert_eq!(stored[0], edgebss::auth::session::hash_token(token));
}

#[tokio::test]
async fn secure_cookies_can_be_required() {
    let app = crate::helpers::spawn_app_with(|s| s.ui.secure_cookies = Some(true)).await;
    let ui = UiClient::new(&app);
    let res = ui.get("/admin/login").await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    app.clock.set(app.clock.now() + Duration::minutes(29));
    assert_eq!(ui.get("/admin/").await.status(), StatusCode::OK);
    app.clock.set(app.clock.now() + Duration::minutes(31));
    let res = ui.get("/admin/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/admin/login"));
    let left: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM user_sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "the expired session is removed");
}

#[tokio::test]
async fn a_busy_session_still_ends_at_its_absolute_limit() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    for _ in 0..(11 * 3) {
        app.clock.set(app.clock.now() + Duration::minutes(20));
        assert_eq!(ui.get("/admin/").await.status(), StatusCode::OK);
    }
    app.clock.set(app.clock.now() + Duration::minutes(61));
    let res = ui.get("/admin/").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "12 hours after sign-in"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui.post("/admin/", "/admin/logout", &[]).await;
    assert_eq!(location(&res), "/admin/login");
    assert_eq!(ui.get("/admin/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_failures_lock_a_user_name_for_a_while() {
    let app = spawn_app().await;
    let _ = admin(&app).await;
    let ui = UiClient::new(&app);
    for _ in 0..5 {
        assert_eq!(
            ui.sign_in("admin", "wrong password!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = ui.sign_in("admin", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many failed sign-ins"), "{html}");
    app.clock.set(app.clock.now() + Duration::minutes(16));
    assert_eq!(
        ui.sign_in("admin", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_it_for_every_user_name() {
    let app = spawn_app().await;
    let _ = admin(&app).await;
    let ui = UiClient::new(&app);
    for name in ["ann", "bob", "cyd", "dee", "eve"] {
        assert_eq!(
            ui.sign_in(name, "guessing-1234").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        ui.sign_in("admin", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_their_session() {
    let app = spawn_app().await;
    let admin_ui = admin(&app).await;
    let op = user_with_role(&app, "olga", Role::Operator).await;
    let id: i64 = app
        .sql()
        .query_row("SELECT id FROM users WHERE username = 'olga'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let page = format!("/admin/users/{id}/disable");
    let res = admin_ui.post(&page, &page, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(op.get("/admin/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        UiClient::new(&app).sign_in("olga", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let fields = [
        ("customerType", "Individual"),
        ("firstName", "Eve"),
        ("lastName", "Forger"),
        ("email", "eve@example.com"),
    ];
    let res = ui.post_raw("/admin/customers", &fields).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Form expired"));
    let mut wrong = vec![("_csrf", "0000")];
    wrong.extend_from_slice(&fields);
    assert_eq!(
        ui.post_raw("/admin/customers", &wrong).await.status(),
        StatusCode::FORBIDDEN
    );
    // Another session's token is no good either.
    let other = UiClient::new(&app);
    let their_token = csrf_in(&other.get("/admin/login").await.text().await.unwrap());
    let mut theirs = vec![("_csrf", their_token.as_str())];
    theirs.extend_from_slice(&fields);
    assert_eq!(
        ui.post_raw("/admin/customers", &theirs).await.status(),
        StatusCode::FORBIDDEN
    );
    let n: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    // The sign-in form is protected too.
    let res = other
        .post_raw(
            "/admin/login",
            &[("username", "admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_carry_strict_security_headers_and_are_not_cached() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    for path in ["/admin/login", "/admin/", "/admin/customers"] {
        let res = ui.get(path).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
        assert_eq!(h.get("cache-control").unwrap(), "no-store", "{path}");
        assert!(h.get("server-timing").is_some());
        let html = res.text().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains("style=\""),
            "{path}: inline code"
        );
    }
}

#[tokio::test]
async fn unknown_admin_paths_get_an_html_404_and_the_api_keeps_its_json_one() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui.get("/admin/no-such-page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let res = ui.get("/v1/no-such-thing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let res = ui.get("/").await;
    assert_eq!(location(&res), "/admin/");
}
