//! Every billing operation against no token (401), a token without its scope (403) and a token
//! with only its scope (success).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::billing::{catalog, id, invoices_of, post, subscribe};
use crate::helpers::{Auth, TestApp, spawn_app, today};

const ALL: [&str; 5] = [
    "read:customers",
    "write:customers",
    "write:subscriptions",
    "read:billing",
    "write:billing",
];

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    body: &Option<Value>,
    auth: Auth<'_>,
) -> reqwest::Response {
    let mut req = app.request_as(method.clone(), path, auth);
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.expect("request sent")
}

#[tokio::test]
async fn every_billing_operation_needs_its_scope() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let start = today().to_string();
    let a = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let b = id(&app.create_individual("Bea", "Baker").await, "customerId");
    let c = id(&app.create_individual("Cy", "Chen").await, "customerId");
    let sub = id(
        &subscribe(&app, &a, &cat.fiber, &start, &[]).await,
        "subscriptionId",
    );
    subscribe(&app, &b, &cat.tv, &start, &[]).await;
    let res = post(&app, "/v1/bill-runs", json!({"period": "2026-11"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let run = id(&res.json::<Value>().await.unwrap(), "billRunId");
    let paid = id(&invoices_of(&app, &a).await[0], "invoiceId");
    let open = id(&invoices_of(&app, &b).await[0], "invoiceId");
    let pay = json!({"amount": 1, "method": "Cash"});
    let res = post(&app, &format!("/v1/invoices/{paid}/payments"), pay.clone()).await;
    let payment = id(&res.json::<Value>().await.unwrap(), "paymentId");

    let ops: Vec<(Method, String, Option<Value>, &str, StatusCode)> = vec![
        (
            Method::GET,
            "/v1/bill-runs".into(),
            None,
            "read:billing",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/bill-runs".into(),
            Some(json!({"period": "2026-11", "dryRun": true})),
            "write:billing",
            StatusCode::OK,
        ),
        (
            Method::GET,
            format!("/v1/bill-runs/{run}"),
            None,
            "read:billing",
            StatusCode::OK,
        ),
        (
            Method::GET,
            format!("/v1/invoices/{paid}"),
            None,
            "read:billing",
            StatusCode::OK,
        ),
        (
            Method::GET,
            format!("/v1/invoices/{paid}/payments"),
            None,
            "read:billing",
            StatusCode::OK,
        ),
        (
            Method::GET,
            format!("/v1/invoices/{paid}/payments/{payment}"),
            None,
            "read:billing",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/invoices/{paid}/payments"),
            Some(pay),
            "write:billing",
            StatusCode::CREATED,
        ),
        (
            Method::POST,
            format!("/v1/invoices/{open}/cancel"),
            Some(json!({"reason": "test"})),
            "write:billing",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{sub}/suspend"),
            None,
            "write:subscriptions",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{sub}/resume"),
            None,
            "write:subscriptions",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{sub}/cancel"),
            Some(json!({"when": "now"})),
            "write:subscriptions",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/customers/{c}/terminate"),
            None,
            "write:customers",
            StatusCode::OK,
        ),
    ];
    for (method, path, body, needed, ok) in ops {
        let what = format!("{method} {path}");
        let res = call(&app, &method, &path, &body, Auth::None).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{what} without a token"
        );

        let others: Vec<&str> = ALL.iter().copied().filter(|s| *s != needed).collect();
        let token = app.token_for(&others.join(",")).await;
        let res = call(&app, &method, &path, &body, Auth::Bearer(&token)).await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "{what} without {needed}"
        );
        let body_json: Value = res.json().await.unwrap();
        assert_eq!(body_json["code"], "insufficient_scope", "{what}");

        let token = app.token_for(needed).await;
        let res = call(&app, &method, &path, &body, Auth::Bearer(&token)).await;
        assert_eq!(res.status(), ok, "{what} with only {needed}");
    }
}
