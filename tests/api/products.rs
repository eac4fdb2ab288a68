use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn products_filter_by_type_and_status() {
    let app = spawn_app().await;
    app.insert_product("Fiber 500", "Broadband", 4999, "Active");
    app.insert_product("DSL 20", "Broadband", 1999, "Discontinued");
    app.insert_product("TV Essentials", "TV", 1499, "Active");
    app.insert_product("Static IP", "Addon", 500, "Active");

    let names = |v: Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["productName"].as_str().unwrap().to_owned())
            .collect()
    };
    let all: Value = app.get("/v1/products").await.json().await.unwrap();
    assert_eq!(
        names(all.clone()),
        ["Fiber 500", "DSL 20", "TV Essentials", "Static IP"]
    );
    assert_eq!(all["data"][0]["monthlyPrice"], serde_json::json!(49.99));
    assert_eq!(all["data"][0]["features"], serde_json::json!([]));
    let broadband: Value = app
        .get("/v1/products?productType=Broadband")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(broadband), ["Fiber 500", "DSL 20"]);
    let active_bb: Value = app
        .get("/v1/products?productType=Broadband&status=Active")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(active_bb), ["Fiber 500"]);
    let discontinued: Value = app
        .get("/v1/products?status=Discontinued")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(discontinued), ["DSL 20"]);
    let tv: Value = app
        .get("/v1/products?productType=TV")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(tv), ["TV Essentials"]);

    let res = app.get("/v1/products?productType=Radio").await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "productType",
    )
    .await;
    let res = app.get("/v1/products?status=Retired").await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "status").await;
}

#[tokio::test]
async fn demo_data_holds_a_full_catalog_and_fifty_customers_and_loads_once() {
    let app = spawn_app_with(|s| s.demo = true).await;

    let products: Value = app.get("/v1/products").await.json().await.unwrap();
    let products = products["data"].as_array().unwrap();
    for t in ["Mobile", "Broadband", "TV", "Bundle", "Addon"] {
        assert!(products.iter().any(|p| p["productType"] == t), "{t}");
    }
    assert_eq!(
        products
            .iter()
            .filter(|p| p["status"] == "Discontinued")
            .count(),
        1
    );
    let customers: Value = app
        .get("/v1/customers?pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customers["pagination"]["totalItems"], 50);
    for s in ["Active", "Inactive", "Suspended", "Terminated"] {
        assert!(
            customers["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["status"] == s),
            "{s}"
        );
    }
    for t in ["Individual", "Business", "Government"] {
        assert!(
            customers["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["customerType"] == t),
            "{t}"
        );
    }
    let subs: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM subscriptions", [], |r| r.get(0))
        .unwrap();
    assert!(subs >= 40, "{subs}");

    // Loading again (a restart with --demo) adds nothing.
    edgebss::service::demo::load(&app.state.db, &app.clock)
        .await
        .unwrap();
    let again: Value = app.get("/v1/customers").await.json().await.unwrap();
    assert_eq!(again["pagination"]["totalItems"], 50);
}
