//! Authentication under load and under concurrency: a client is usable the moment it exists, a
//! limit on failures holds however many guesses arrive at once, and secret checks are bounded.

use reqwest::StatusCode;

use crate::helpers::{Auth, spawn_app, spawn_app_with};
use crate::ui_helpers::{PASSWORD, UiClient, admin, csrf_in};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

#[tokio::test]
async fn a_client_created_by_another_process_is_usable_the_moment_it_has_a_token() {
    let app = spawn_app().await;
    for i in 0..3 {
        // As `edgebss client create` does it: stored, but this server is not told.
        let created = edgebss::service::clients::create(
            &app.state.db,
            &app.clock,
            &edgebss::domain::origin::Origin::cli(),
            None,
            &format!("set-up script {i}"),
            edgebss::domain::scope::ScopeSet::all(),
        )
        .await
        .unwrap();
        let token = app
            .token_with_secret(&created.client.client_id, &created.client_secret, None)
            .await;
        let res = app
            .request_as(reqwest::Method::GET, "/v1/customers", Auth::Bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "client {i}");
    }
}

#[tokio::test]
async fn a_client_revoked_by_another_process_gets_no_token() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("leaver", "read:customers").await;
    let cid = edgebss::domain::ids::ClientId::parse(&id).unwrap();
    edgebss::service::clients::revoke(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        None,
        &cid,
    )
    .await
    .unwrap();
    let res = app.token_request(&[GRANT], Some((&id, &secret))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client", "{body}");
}

/// Answers of `n` requests made at once.
async fn all_at_once<F: Future<Output = reqwest::Response>>(
    requests: impl IntoIterator<Item = F>,
) -> Vec<(StatusCode, String)> {
    let answers = futures_util::future::join_all(requests).await;
    let mut out = Vec::new();
    for res in answers {
        let status = res.status();
        out.push((status, res.text().await.unwrap()));
    }
    out
}

fn count(answers: &[(StatusCode, String)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

#[tokio::test]
async fn forty_sign_ins_at_once_get_no_more_password_checks_than_the_limit() {
    let app = spawn_app().await;
    let _ = admin(&app).await;
    let clients: Vec<UiClient> = (0..40).map(|_| UiClient::new(&app)).collect();
    let mut forms = Vec::new();
    for ui in &clients {
        forms.push(csrf_in(&ui.get_html("/admin/login").await));
    }
    let answers = all_at_once(
        clients
            .iter()
            .zip(&forms)
            .enumerate()
            .map(|(i, (ui, csrf))| {
                let guess = format!("guess number {i}");
                async move {
                    ui.post_raw(
                        "/admin/login",
                        &[
                            ("_csrf", csrf),
                            ("username", "admin"),
                            ("password", &guess),
                            ("next", "/admin/"),
                        ],
                    )
                    .await
                }
            }),
    )
    .await;
    let checked = count(&answers, StatusCode::UNAUTHORIZED);
    assert!(
        checked <= 5,
        "{checked} guesses were checked against a limit of 5"
    );
    assert_eq!(
        checked + count(&answers, StatusCode::TOO_MANY_REQUESTS),
        40,
        "the others were refused unchecked"
    );
    let res = UiClient::new(&app).sign_in("admin", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "locked now");
}

#[tokio::test]
async fn sixty_secrets_at_once_get_no_more_checks_than_the_limit() {
    let app = spawn_app_with(|s| s.auth.max_failed_attempts = 10).await;
    let (id, secret) = app.create_client("target", "read:customers").await;
    let guesses: Vec<String> = (0..60).map(|i| format!("guess-{i}")).collect();
    let answers = all_at_once(
        guesses
            .iter()
            .map(|g| app.token_request(&[GRANT], Some((&id, g)))),
    )
    .await;
    let checked = count(&answers, StatusCode::UNAUTHORIZED);
    assert!(
        checked <= 10,
        "{checked} secrets were checked against a limit of 10"
    );
    assert_eq!(
        checked + count(&answers, StatusCode::TOO_MANY_REQUESTS),
        60,
        "{answers:?}"
    );
    let res = app.token_request(&[GRANT], Some((&id, &secret))).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn right_secrets_sent_at_once_all_get_tokens() {
    let app = spawn_app_with(|s| s.auth.max_failed_attempts = 3).await;
    let answers = all_at_once(
        (0..12).map(|_| app.token_request(&[GRANT], Some((&app.client_id, &app.client_secret)))),
    )
    .await;
    assert_eq!(count(&answers, StatusCode::OK), 12, "{answers:?}");
}

#[tokio::test]
async fn the_current_password_check_on_a_password_change_is_limited_like_sign_in() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let csrf = csrf_in(&ui.get_html("/admin/password").await);
    let guesses: Vec<String> = (0..20).map(|i| format!("guess number {i}")).collect();
    let answers = all_at_once(guesses.iter().map(|g| {
        let (ui, csrf) = (&ui, &csrf);
        async move {
            ui.post_raw(
                "/admin/password",
                &[
                    ("_csrf", csrf),
                    ("current", g),
                    ("new", "a brand new passphrase"),
                    ("confirm", "a brand new passphrase"),
                ],
            )
            .await
        }
    }))
    .await;
    let checked = answers
        .iter()
        .filter(|(s, body)| *s == StatusCode::BAD_REQUEST && body.contains("current password"))
        .count();
    assert!(
        checked <= 5,
        "{checked} guesses were checked against a limit of 5"
    );
    assert_eq!(
        checked + count(&answers, StatusCode::TOO_MANY_REQUESTS),
        20,
        "the others were refused unchecked"
    );
    let res = ui
        .post_raw(
            "/admin/password",
            &[
                ("_csrf", &csrf),
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right one"
    );
}

/// One secret check at a time, and no waiting for a turn.
async fn one_check_at_a_time() -> crate::helpers::TestApp {
    spawn_app_with(|s| {
        s.auth.argon2_concurrency = 1;
        s.auth.argon2_wait_seconds = 0;
        s.auth.max_failed_attempts = 1000;
        s.ui.max_failed_sign_ins = 1000;
    })
    .await
}

#[tokio::test]
async fn token_requests_beyond_the_check_slots_are_answered_429_with_retry_after() {
    let app = one_check_at_a_time().await;
    let guesses: Vec<String> = (0..30).map(|i| format!("guess-{i}")).collect();
    let answers = futures_util::future::join_all(
        guesses
            .iter()
            .map(|g| app.token_request(&[GRANT], Some((&app.client_id, g)))),
    )
    .await;
    let (mut busy, mut checked) = (0, 0);
    for res in answers {
        match res.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                busy += 1;
                assert_eq!(res.headers()["retry-after"], "1");
                let body: serde_json::Value = res.json().await.unwrap();
                assert_eq!(body["error"], "temporarily_unavailable", "{body}");
                assert!(
                    body["error_description"]
                        .as_str()
                        .unwrap()
                        .contains("try again")
                );
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0 && checked > 0, "{busy} busy, {checked} checked");
    // A refusal for want of a slot is not a failure: the right secret still works.
    let res = app
        .token_request(&[GRANT], Some((&app.client_id, &app.client_secret)))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_ins_beyond_the_check_slots_get_a_page_saying_to_try_again() {
    let app = one_check_at_a_time().await;
    let _ = admin(&app).await;
    let clients: Vec<UiClient> = (0..20).map(|_| UiClient::new(&app)).collect();
    let mut forms = Vec::new();
    for ui in &clients {
        forms.push(csrf_in(&ui.get_html("/admin/login").await));
    }
    let answers =
        futures_util::future::join_all(clients.iter().zip(&forms).map(|(ui, csrf)| async move {
            ui.post_raw(
                "/admin/login",
                &[
                    ("_csrf", csrf),
                    ("username", "admin"),
                    ("password", "not the password"),
                    ("next", "/admin/"),
                ],
            )
            .await
        }))
        .await;
    let mut busy = 0;
    for res in answers {
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            busy += 1;
            assert!(res.headers().contains_key("retry-after"));
            let html = res.text().await.unwrap();
            assert!(
                html.contains("busy") && html.contains("Try again"),
                "{html}"
            );
        } else {
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
    }
    assert!(busy > 0, "no sign-in was refused for want of a slot");
    let res = UiClient::new(&app).sign_in("admin", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "busy refusals are not failures"
    );
}
