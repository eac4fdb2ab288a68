//! Every `/v1` operation against no token (401), a token without its scope (403) and a token with
//! only its scope (2xx); and what stays open.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, spawn_app, today};

const ALL: [&str; 5] = [
    "read:customers",
    "write:customers",
    "write:subscriptions",
    "read:billing",
    "write:billing",
];

struct Operation {
    method: Method,
    path: String,
    body: Option<Value>,
    /// `None`: any valid token will do.
    scope: Option<&'static str>,
    ok: StatusCode,
}

/// The eight operations, on real resources so the allowed call succeeds.
async fn operations(app: &TestApp) -> Vec<Operation> {
    let customer = app.create_individual("Grace", "Hopper").await;
    let cid = customer["customerId"].as_str().unwrap().to_owned();
    let product = app.insert_product("Fiber 100", "Broadband", 2999, "Active");
    let res = app
        .post_json(
            &format!("/v1/customers/{cid}/subscriptions"),
            &json!({"productId": product, "startDate": today().to_string()}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let sid = res.json::<Value>().await.unwrap()["subscriptionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let op = |method: Method, path: String, body: Option<Value>, scope, ok| Operation {
        method,
        path,
        body,
        scope,
        ok,
    };
    vec![
        op(
            Method::GET,
            "/v1/customers".into(),
            None,
            Some("read:customers"),
            StatusCode::OK,
        ),
        op(
            Method::POST,
            "/v1/customers".into(),
            Some(
                json!({"customerType": "Business", "companyName": "Acme", "email": "ops@acme.example"}),
            ),
            Some("write:customers"),
            StatusCode::CREATED,
        ),
        op(
            Method::GET,
            format!("/v1/customers/{cid}"),
            None,
            Some("read:customers"),
            StatusCode::OK,
        ),
        op(
            Method::PATCH,
            format!("/v1/customers/{cid}"),
            Some(json!({"phone": "+1 555 0100"})),
            Some("write:customers"),
            StatusCode::OK,
        ),
        op(
            Method::GET,
            format!("/v1/customers/{cid}/subscriptions"),
            None,
            Some("read:customers"),
            StatusCode::OK,
        ),
        op(
            Method::POST,
            format!("/v1/customers/{cid}/subscriptions"),
            Some(json!({"productId": product, "startDate": today().to_string()})),
            Some("write:subscriptions"),
            StatusCode::CREATED,
        ),
        op(
            Method::GET,
            format!("/v1/customers/{cid}/invoices"),
            None,
            Some("read:billing"),
            StatusCode::OK,
        ),
        op(
            Method::GET,
            format!("/v1/subscriptions/{sid}"),
            None,
            Some("read:customers"),
            StatusCode::OK,
        ),
        op(
            Method::GET,
            "/v1/products".into(),
            None,
            None,
            StatusCode::OK,
        ),
    ]
}

async fn call(app: &TestApp, op: &Operation, auth: Auth<'_>) -> reqwest::Response {
    let mut req = app.request_as(op.method.clone(), &op.path, auth);
    if let Some(body) = &op.body {
        req = req.json(body);
    }
    req.send().await.expect("request sent")
}

#[tokio::test]
async fn every_operation_answers_401_403_or_success_by_token_and_scope() {
    let app = spawn_app().await;
    for op in operations(&app).await {
        let what = format!("{} {}", op.method, op.path);

        let res = call(&app, &op, Auth::None).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{what} without a token"
        );
        assert_eq!(
            res.headers()["www-authenticate"],
            "Bearer realm=\"edgebss\"",
            "{what}: no error code when no token was sent (RFC 6750 §3.1)"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{what}: {body}");

        match op.scope {
            Some(needed) => {
                let others: Vec<&str> = ALL.iter().copied().filter(|s| *s != needed).collect();
                let token = app.token_for(&others.join(",")).await;
                let res = call(&app, &op, Auth::Bearer(&token)).await;
                assert_eq!(
                    res.status(),
                    StatusCode::FORBIDDEN,
                    "{what} without {needed}"
                );
                let challenge = res.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                assert!(
                    challenge.contains("error=\"insufficient_scope\"")
                        && challenge.contains(&format!("scope=\"{needed}\"")),
                    "{what}: {challenge}"
                );
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["code"], "insufficient_scope", "{what}: {body}");
                assert!(body["message"].as_str().unwrap().contains(needed));

                let token = app.token_for(needed).await;
                let res = call(&app, &op, Auth::Bearer(&token)).await;
                assert_eq!(res.status(), op.ok, "{what} with only {needed}");
            }
            None => {
                let token = app.token_for("read:billing").await;
                let res = call(&app, &op, Auth::Bearer(&token)).await;
                assert_eq!(res.status(), op.ok, "{what} with any valid token");
            }
        }
    }
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_read() {
    let app = spawn_app().await;
    let res = app
        .request_as(Method::POST, "/v1/customers", Auth::None)
        .header("content-type", "text/plain")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_authorization_scheme_counts_as_no_token() {
    let app = spawn_app().await;
    let res = app
        .request_as(
            Method::GET,
            "/v1/products",
            Auth::Header("Basic dXNlcjpwdw=="),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers()["www-authenticate"],
        "Bearer realm=\"edgebss\""
    );
}

#[tokio::test]
async fn the_openapi_document_health_probes_and_public_keys_stay_open() {
    let app = spawn_app().await;
    for path in [
        "/v1/openapi.yaml",
        "/healthz",
        "/readyz",
        "/.well-known/jwks.json",
    ] {
        let res = app
            .request_as(Method::GET, path, Auth::None)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let jwks: Value = app
        .request_as(Method::GET, "/.well-known/jwks.json", Auth::None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert!(key["kid"].is_string() && key["x"].is_string(), "{key}");
    assert!(key.get("d").is_none(), "no private part is published");
}
