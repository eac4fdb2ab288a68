//! The API clients page: a client made there gets tokens with its secret (shown once); rotating
//! replaces the secret; revoking ends it. Admins only.

use edgebss::domain::user::Role;
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::{admin, csrf_in, user_with_role};

fn code_in(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no #{id}")) + marker.len();
    let end = html[start..].find('<').unwrap();
    html[start..start + end].to_owned()
}

#[tokio::test]
async fn an_admin_creates_rotates_and_revokes_an_api_client() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui
        .post(
            "/admin/api-clients/new",
            "/admin/api-clients",
            &[
                ("name", "CRM"),
                ("scopes", "read:customers"),
                ("scopes", "read:billing"),
            ],
        )
        .await;
    // POST/redirect/GET: the secret is on the page the answer leads to, once.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = crate::ui_helpers::location(&res);
    let res = ui.get(&shown).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let (id, secret) = (code_in(&html, "client-id"), code_in(&html, "client-secret"));
    let again = ui.get_html(&shown).await;
    assert!(again.contains("shown once already") && !again.contains(&secret));
    let clients: i64 = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM api_clients WHERE name = 'CRM'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clients, 1, "a reload creates no second client");
    let grant = [("grant_type", "client_credentials")];
    let res = app.token_request(&grant, Some((&id, &secret))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "read:customers read:billing");
    let list = ui.get_html("/admin/api-clients").await;
    assert!(
        list.contains("CRM") && !list.contains(&secret),
        "the secret is never shown again"
    );

    let page = format!("/admin/api-clients/{id}/rotate");
    let res = ui.post(&page, &page, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ui.get_html(&crate::ui_helpers::location(&res)).await;
    let new_secret = code_in(&html, "client-secret");
    assert_ne!(new_secret, secret);
    assert_eq!(
        app.token_request(&grant, Some((&id, &secret)))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.token_request(&grant, Some((&id, &new_secret)))
            .await
            .status(),
        StatusCode::OK
    );

    let page = format!("/admin/api-clients/{id}/revoke");
    assert!(ui.get_html(&page).await.contains("cannot be undone"));
    assert_eq!(
        ui.post(&page, &page, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_ne!(
        app.token_request(&grant, Some((&id, &new_secret)))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(ui.get_html("/admin/api-clients").await.contains("Revoked"));
}

#[tokio::test]
async fn a_client_needs_a_name_and_a_scope() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let res = ui
        .post(
            "/admin/api-clients/new",
            "/admin/api-clients",
            &[("name", "CRM")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"e-scopes\"") && html.contains("value=\"CRM\""));
    let res = ui
        .post(
            "/admin/api-clients/new",
            "/admin/api-clients",
            &[("name", " "), ("scopes", "read:billing")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"e-name\""));
}

#[tokio::test]
async fn only_admins_manage_api_clients() {
    let app = spawn_app().await;
    let (id, _) = app.create_client("ERP", "read:customers").await;
    let op = user_with_role(&app, "otto", Role::Operator).await;
    let token = csrf_in(&op.get_html("/admin/").await);
    for path in [
        "/admin/api-clients",
        "/admin/api-clients/new",
        &format!("/admin/api-clients/{id}/revoke"),
    ] {
        assert_eq!(
            op.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
    }
    for path in [
        "/admin/api-clients".to_owned(),
        format!("/admin/api-clients/{id}/revoke"),
        format!("/admin/api-clients/{id}/rotate"),
    ] {
        let res = op
            .post_raw(
                &path,
                &[
                    ("_csrf", &token),
                    ("name", "X"),
                    ("scopes", "read:customers"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    let enabled: i64 = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM api_clients WHERE revoked_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    assert!(enabled >= 1, "nothing was revoked");
}
