//! The catalog through the API: products with usage prices, add-ons that say what they go on,
//! price changes that reach existing subscriptions from the next period, back on sale.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::billing::{bill, d, id, invoices_of, subscribe, usd};
use crate::helpers::{Auth, TestApp, assert_error, spawn_app};

async fn create(app: &TestApp, body: Value) -> Value {
    let res = app.post_json("/v1/products", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/products/{}", p["productId"].as_str().unwrap())
    );
    p
}

#[tokio::test]
async fn products_are_created_with_usage_prices_and_need_the_catalog_scope() {
    let app = spawn_app().await;
    let body = json!({"productName": "Mobile 10", "productType": "Mobile", "monthlyPrice": 20,
        "currency": "USD", "features": ["10 GB"],
        "usage": {"metric": "data_gb", "unit": "GB", "includedQuantity": 10, "unitPrice": 2.00,
                  "tiers": [{"upTo": 50, "unitPrice": 1.5}]}});
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(Method::POST, "/v1/products", Auth::Bearer(&token))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let p = create(&app, body).await;
    assert_eq!(
        p["usage"],
        json!({"metric": "data_gb", "unit": "GB", "includedQuantity": 10, "unitPrice": 2.00,
               "tiers": [{"upTo": 50, "unitPrice": 1.5}]})
    );
    let got: Value = app
        .get(&format!(
            "/v1/products/{}",
            p["productId"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got, p);
    // Bad prices are refused naming the field.
    let bad = json!({"productName": "X", "productType": "Mobile", "monthlyPrice": 1, "currency": "USD",
        "usage": {"metric": "data_gb", "unit": "GB", "includedQuantity": 10, "unitPrice": 1,
                  "tiers": [{"upTo": 5, "unitPrice": 1}]}});
    assert_error(
        app.post_json("/v1/products", &bad).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "usage.tiers[0].upTo",
    )
    .await;
    let bad = json!({"productName": "X", "productType": "Mobile", "monthlyPrice": "1", "currency": "USD"});
    assert_error(
        app.post_json("/v1/products", &bad).await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "monthlyPrice",
    )
    .await;
}

#[tokio::test]
async fn an_add_on_goes_only_on_what_it_says_it_can_be_added_to() {
    let app = spawn_app().await;
    let fiber = id(
        &create(
            &app,
            json!({"productName": "Fiber", "productType": "Broadband",
        "monthlyPrice": 40, "currency": "USD"}),
        )
        .await,
        "productId",
    );
    let tv = id(
        &create(
            &app,
            json!({"productName": "TV", "productType": "TV",
        "monthlyPrice": 15, "currency": "USD"}),
        )
        .await,
        "productId",
    );
    let ip = create(
        &app,
        json!({"productName": "Static IP", "productType": "Addon",
        "monthlyPrice": 5, "currency": "USD", "compatibleWith": {"productTypes": ["Broadband"]}}),
    )
    .await;
    assert_eq!(
        ip["compatibleWith"],
        json!({"productTypes": ["Broadband"], "productIds": []})
    );
    let ip = id(&ip, "productId");
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &c, &fiber, "2026-11-26", &[&ip]).await;
    let res = app
        .post_json(
            &format!("/v1/customers/{c}/subscriptions"),
            &json!({"productId": tv, "startDate": "2026-11-26", "addons": [ip]}),
        )
        .await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "cannot be added to TV (TV); it goes on Broadband products",
    )
    .await;
    // Only an add-on says what it goes on.
    let res = app
        .post_json(
            "/v1/products",
            &json!({"productName": "Y", "productType": "TV",
        "monthlyPrice": 1, "currency": "USD", "compatibleWith": {"productTypes": ["TV"]}}),
        )
        .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "compatibleWith",
    )
    .await;
}

#[tokio::test]
async fn a_price_change_reaches_existing_subscriptions_from_the_next_period() {
    let mut app = spawn_app().await;
    let fiber = id(
        &create(
            &app,
            json!({"productName": "Fiber", "productType": "Broadband",
        "monthlyPrice": 40, "currency": "USD"}),
        )
        .await,
        "productId",
    );
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &c, &fiber, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    let res = app
        .patch_json(
            &format!("/v1/products/{fiber}"),
            &json!({"monthlyPrice": 45.5}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        p["monthlyPrice"],
        usd(4550),
        "new subscriptions pay it at once"
    );
    let s: Value = app
        .get(&format!("/v1/subscriptions/{sub}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["monthlyCharge"], usd(4000));
    assert_eq!(
        s["scheduledCharge"],
        json!({"monthlyCharge": 45.5, "effectiveDate": "2026-12-01"})
    );
    // November's days at the old price, December at the new one.
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let inv = &invoices_of(&app, &c).await[0];
    let amounts: Vec<Value> = inv["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].clone())
        .collect();
    // 40.00 × 5/30 = 6.67; December 45.50.
    assert_eq!(amounts, vec![usd(667), usd(4550)]);
}

#[tokio::test]
async fn a_discontinued_product_can_be_put_back_on_sale_and_changes_are_events() {
    let app = spawn_app().await;
    let fiber = id(
        &create(
            &app,
            json!({"productName": "Fiber", "productType": "Broadband",
        "monthlyPrice": 40, "currency": "USD"}),
        )
        .await,
        "productId",
    );
    let path = format!("/v1/products/{fiber}");
    let off: Value = app
        .patch_json(&path, &json!({"status": "Discontinued"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(off["status"], "Discontinued");
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let res = app
        .post_json(
            &format!("/v1/customers/{c}/subscriptions"),
            &json!({"productId": fiber, "startDate": "2026-11-26"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let on: Value = app
        .patch_json(&path, &json!({"status": "Active"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on["status"], "Active");
    subscribe(&app, &c, &fiber, "2026-11-26", &[]).await;
    let res = app
        .patch_json(&path, &json!({"productType": "Addon"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let events: Value = app.get("/v1/events?limit=500").await.json().await.unwrap();
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.starts_with("product."))
        .collect();
    assert_eq!(
        types,
        ["product.created", "product.updated", "product.updated"]
    );
}
