use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, today};

struct Catalog {
    fiber: String,
    addon_ip: String,
    addon_dvr: String,
    discontinued: String,
    retired_addon: String,
}

fn catalog(app: &TestApp) -> Catalog {
    Catalog {
        fiber: app.insert_product("Fiber 500", "Broadband", 4999, "Active"),
        addon_ip: app.insert_product("Static IP", "Addon", 500, "Active"),
        addon_dvr: app.insert_product("Cloud DVR", "Addon", 499, "Active"),
        discontinued: app.insert_product("DSL 20", "Broadband", 1999, "Discontinued"),
        retired_addon: app.insert_product("Fax line", "Addon", 300, "Discontinued"),
    }
}

async fn subscribe(app: &TestApp, customer: &str, body: Value) -> reqwest::Response {
    app.post_json(&format!("/v1/customers/{customer}/subscriptions"), &body)
        .await
}

#[tokio::test]
async fn a_subscription_copies_names_and_prices_from_the_catalog() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();

    let res = subscribe(&app, cid, json!({"productId": cat.fiber, "startDate": today().to_string(), "addons": [cat.addon_ip, cat.addon_dvr]})).await;

    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let s: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/v1/subscriptions/{}",
            s["subscriptionId"].as_str().unwrap()
        )
    );
    assert_eq!(s["status"], "Active");
    assert_eq!(s["customerId"], cid);
    assert_eq!(s["productName"], "Fiber 500");
    assert_eq!(s["monthlyCharge"], json!(49.99));
    assert_eq!(s["currency"], "USD");
    assert_eq!(s["startDate"], today().to_string());
    assert_eq!(
        s["addons"],
        json!([
            {"addonId": cat.addon_ip, "addonName": "Static IP", "charge": 5.0},
            {"addonId": cat.addon_dvr, "addonName": "Cloud DVR", "charge": 4.99},
        ])
    );

    // A later price change does not rewrite what was subscribed.
    app.sql()
        .execute(
            "UPDATE products SET monthly_price = 5999, name = 'Fiber 500+'",
            [],
        )
        .unwrap();
    let listed: Value = app
        .get(&format!("/v1/customers/{cid}/subscriptions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["monthlyCharge"], json!(49.99));
    assert_eq!(listed["data"][0]["productName"], "Fiber 500");
    assert_eq!(listed["data"][0]["addons"][0]["charge"], json!(5.0));
}

#[tokio::test]
async fn a_future_start_is_pending_and_a_past_start_is_refused() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    let tomorrow = today().succ_opt().unwrap().to_string();
    let yesterday = today().pred_opt().unwrap().to_string();

    let s: Value = subscribe(
        &app,
        cid,
        json!({"productId": cat.fiber, "startDate": tomorrow}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(s["status"], "Pending");
    assert_eq!(s["addons"], json!([]));

    let res = subscribe(
        &app,
        cid,
        json!({"productId": cat.fiber, "startDate": yesterday}),
    )
    .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "startDate",
    )
    .await;
    let res = subscribe(
        &app,
        cid,
        json!({"productId": cat.fiber, "startDate": "2026-02-30"}),
    )
    .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "startDate",
    )
    .await;
    let res = subscribe(&app, cid, json!({"productId": cat.fiber})).await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "startDate",
    )
    .await;
}

#[tokio::test]
async fn bad_products_and_addons_are_422_naming_them() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    let d = today().to_string();
    let cases = [
        (
            json!({"productId": "prd_01JZZZZZZZZZZZZZZZZZZZZZZZ", "startDate": d}),
            "productId",
            "prd_01JZZZZZZZZZZZZZZZZZZZZZZZ",
        ),
        (
            json!({"productId": cat.discontinued, "startDate": d}),
            "productId",
            "Discontinued",
        ),
        (
            json!({"productId": cat.addon_ip, "startDate": d}),
            "productId",
            "add-on",
        ),
        (
            json!({"productId": cat.fiber, "startDate": d, "addons": [cat.fiber]}),
            "addons[0]",
            "not an add-on",
        ),
        (
            json!({"productId": cat.fiber, "startDate": d, "addons": [cat.addon_ip, cat.retired_addon]}),
            "addons[1]",
            "Discontinued",
        ),
        (
            json!({"productId": cat.fiber, "startDate": d, "addons": ["nope"]}),
            "addons[0]",
            "nope",
        ),
        (
            json!({"productId": cat.fiber, "startDate": d, "addons": [cat.addon_ip, cat.addon_ip]}),
            "addons[1]",
            "twice",
        ),
    ];
    for (body, field, mention) in cases {
        let res = subscribe(&app, cid, body).await;
        let err = assert_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable_entity",
            field,
        )
        .await;
        assert!(err["message"].as_str().unwrap().contains(mention), "{err}");
    }
    let listed: Value = app
        .get(&format!("/v1/customers/{cid}/subscriptions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["data"],
        json!([]),
        "nothing was stored by refused requests"
    );
}

#[tokio::test]
async fn suspended_and_terminated_customers_cannot_subscribe() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    for status in ["Suspended", "Terminated"] {
        let c = app.create_individual("Ada", status).await;
        let cid = c["customerId"].as_str().unwrap();
        app.sql()
            .execute(
                "UPDATE customers SET status = ?2 WHERE id = ?1",
                [cid, status],
            )
            .unwrap();
        let res = subscribe(
            &app,
            cid,
            json!({"productId": cat.fiber, "startDate": today().to_string()}),
        )
        .await;
        assert_error(res, StatusCode::CONFLICT, "conflict", status).await;
    }
}

#[tokio::test]
async fn subscribing_an_unknown_customer_is_a_404() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let res = subscribe(
        &app,
        "cus_01JAAAAAAAAAAAAAAAAAAAAAAA",
        json!({"productId": cat.fiber, "startDate": today().to_string()}),
    )
    .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "customer").await;
    let res = app
        .get("/v1/customers/cus_01JAAAAAAAAAAAAAAAAAAAAAAA/subscriptions")
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "customer").await;
}

#[tokio::test]
async fn subscriptions_list_filters_by_status() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = c["customerId"].as_str().unwrap();
    subscribe(
        &app,
        cid,
        json!({"productId": cat.fiber, "startDate": today().to_string()}),
    )
    .await;
    subscribe(
        &app,
        cid,
        json!({"productId": cat.fiber, "startDate": "2027-03-01"}),
    )
    .await;

    let all: Value = app
        .get(&format!("/v1/customers/{cid}/subscriptions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let pending: Value = app
        .get(&format!("/v1/customers/{cid}/subscriptions?status=Pending"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["data"].as_array().unwrap().len(), 1);
    assert_eq!(pending["data"][0]["startDate"], "2027-03-01");
    let cancelled: Value = app
        .get(&format!(
            "/v1/customers/{cid}/subscriptions?status=Cancelled"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["data"], json!([]));
    let res = app
        .get(&format!("/v1/customers/{cid}/subscriptions?status=Paused"))
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "status").await;
}
