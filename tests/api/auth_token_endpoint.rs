//! `POST /oauth/token`: RFC 6749 §4.4 client credentials, answered per §5.1 and §5.2.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{Auth, TestApp, spawn_app};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

/// Checks an RFC 6749 §5.2 error answer and returns its description.
async fn assert_oauth_error(res: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(res.status(), status, "unexpected status for {error}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["error"], error, "{body}");
    body["error_description"]
        .as_str()
        .expect("error_description")
        .to_owned()
}

async fn invalid_client(res: Response) -> String {
    assert_eq!(
        res.headers()["www-authenticate"],
        "Basic realm=\"edgebss\"",
        "invalid_client challenges for HTTP Basic"
    );
    assert_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await
}

async fn products_with(app: &TestApp, token: &str) -> StatusCode {
    app.request_as(Method::GET, "/v1/products", Auth::Bearer(token))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn basic_authentication_gets_a_bearer_token_that_opens_the_api() {
    let app = spawn_app().await;
    let res = app
        .token_request(&[GRANT], Some((&app.client_id, &app.client_secret)))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["pragma"], "no-cache");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(
        body["scope"],
        "read:customers write:customers write:subscriptions read:billing write:billing \
         read:events write:webhooks read:audit write:catalog write:usage"
    );
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert_eq!(products_with(&app, token).await, StatusCode::OK);
}

#[tokio::test]
async fn form_authentication_gets_a_token_too() {
    let app = spawn_app().await;
    let res = app
        .token_request(
            &[
                GRANT,
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
            ],
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(products_with(&app, token).await, StatusCode::OK);
}

#[tokio::test]
async fn a_subset_of_the_clients_scopes_can_be_asked_for_and_is_all_the_token_carries() {
    let app = spawn_app().await;
    let (id, secret) = app
        .create_client("crm", "read:customers,write:customers")
        .await;
    let res = app
        .token_request(&[GRANT, ("scope", "read:customers")], Some((&id, &secret)))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "read:customers");
    let token = body["access_token"].as_str().unwrap();
    let read = app
        .request_as(Method::GET, "/v1/customers", Auth::Bearer(token))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let write = app
        .request_as(Method::POST, "/v1/customers", Auth::Bearer(token))
        .json(&serde_json::json!({"customerType": "Business", "companyName": "X", "email": "x@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        write.status(),
        StatusCode::FORBIDDEN,
        "write:customers was not asked for"
    );

    // No scope parameter: every scope the client may have.
    let res = app.token_request(&[GRANT], Some((&id, &secret))).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "read:customers write:customers");
}

#[tokio::test]
async fn widening_beyond_the_clients_scopes_is_invalid_scope() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("crm", "read:customers").await;
    let res = app
        .token_request(
            &[GRANT, ("scope", "read:customers read:billing")],
            Some((&id, &secret)),
        )
        .await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_scope").await;
    assert!(why.contains("read:billing"), "{why}");
}

#[tokio::test]
async fn an_unknown_scope_is_invalid_scope_naming_it() {
    let app = spawn_app().await;
    let res = app
        .token_request(
            &[GRANT, ("scope", "read:customers admin")],
            Some((&app.client_id, &app.client_secret)),
        )
        .await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_scope").await;
    assert!(why.contains("admin"), "{why}");
}

#[tokio::test]
async fn another_grant_type_is_unsupported_grant_type() {
    let app = spawn_app().await;
    let basic = Some((app.client_id.as_str(), app.client_secret.as_str()));
    let res = app
        .token_request(&[("grant_type", "password")], basic)
        .await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    assert!(why.contains("password"), "{why}");
}

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    let app = spawn_app().await;
    let basic = Some((app.client_id.as_str(), app.client_secret.as_str()));

    let res = app.token_request(&[], basic).await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(why.contains("grant_type"), "{why}");

    let res = app.token_request(&[GRANT, GRANT], basic).await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(why.contains("more than once"), "{why}");

    // Both client authentication methods at once.
    let res = app
        .token_request(
            &[
                GRANT,
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
            ],
            basic,
        )
        .await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(why.contains("not both"), "{why}");

    // A JSON body instead of a form.
    let res = app
        .request_as(Method::POST, "/oauth/token", Auth::None)
        .basic_auth(&app.client_id, Some(&app.client_secret))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(why.contains("x-www-form-urlencoded"), "{why}");

    let res = app
        .request_as(Method::POST, "/oauth/token", Auth::Header("Basic %%%"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn failed_client_authentication_is_invalid_client_with_a_basic_challenge() {
    let app = spawn_app().await;
    // No client authentication at all.
    let why = invalid_client(app.token_request(&[GRANT], None).await).await;
    assert!(why.contains("required"), "{why}");
    // Wrong secret, by either method.
    let res = app
        .token_request(&[GRANT], Some((&app.client_id, "not-the-secret")))
        .await;
    invalid_client(res).await;
    let res = app
        .token_request(
            &[
                GRANT,
                ("client_id", &app.client_id),
                ("client_secret", "nope"),
            ],
            None,
        )
        .await;
    invalid_client(res).await;
    // An unknown client gets the very same answer.
    let res = app
        .token_request(&[GRANT], Some(("cli_01JAAAAAAAAAAAAAAAAAAAAAAA", "x")))
        .await;
    let why = invalid_client(res).await;
    assert_eq!(why, "client authentication failed");
    // Another scheme than Basic.
    let res = app
        .request_as(Method::POST, "/oauth/token", Auth::Bearer(&app.token))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    invalid_client(res).await;
}

#[tokio::test]
async fn a_revoked_client_with_its_right_secret_is_unauthorized_client() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("old crm", "read:customers").await;
    edgebss::service::clients::revoke(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        Some(&app.state.auth),
        &edgebss::domain::ids::ClientId::parse(&id).unwrap(),
    )
    .await
    .unwrap();
    let res = app.token_request(&[GRANT], Some((&id, &secret))).await;
    let why = assert_oauth_error(res, StatusCode::BAD_REQUEST, "unauthorized_client").await;
    assert!(why.contains("revoked"), "{why}");
}

#[tokio::test]
async fn the_token_endpoint_takes_post_only() {
    let app = spawn_app().await;
    let res = app
        .request_as(Method::GET, "/oauth/token", Auth::None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    assert_oauth_error(res, StatusCode::METHOD_NOT_ALLOWED, "invalid_request").await;
}

#[tokio::test]
async fn the_secret_is_stored_only_as_an_argon2id_hash_and_use_is_recorded() {
    let app = spawn_app().await;
    let (hash, last_used): (String, Option<String>) = app
        .sql()
        .query_row(
            "SELECT secret_hash, last_used_at FROM api_clients WHERE id = ?1",
            [&app.client_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&app.client_secret));
    assert!(
        last_used.is_some(),
        "getting the suite's token counts as a use"
    );
}
