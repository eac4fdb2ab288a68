use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let res = app
        .request(reqwest::Method::POST, "/v1/customers")
        .header("content-type", "application/json")
        .body("{\"customerType\": ")
        .send()
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "not valid JSON",
    )
    .await;
}

#[tokio::test]
async fn unknown_fields_are_refused_by_name() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/customers",
            &json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "vip": true}),
        )
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "vip").await;
    let res = app
        .post_json(
            "/v1/customers",
            &json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "address": {"planet": "Mars"}}),
        )
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "planet").await;
}

#[tokio::test]
async fn wrong_types_and_bad_enum_values_name_the_field() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/customers",
            &json!({"customerType": "Martian", "email": "x@example.com"}),
        )
        .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "customerType",
    )
    .await;
    let res = app.post_json("/v1/customers", &json!({"customerType": "Individual", "firstName": 7, "lastName": "L", "email": "x@example.com"})).await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "firstName",
    )
    .await;
    let res = app.post_json("/v1/customers", &json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "address": {"city": 5}})).await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "address.city",
    )
    .await;
    let res = app
        .post_json("/v1/customers", &json!(["not", "an", "object"]))
        .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "JSON object",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415() {
    let app = spawn_app().await;
    let res = app
        .request(reqwest::Method::POST, "/v1/customers")
        .header("content-type", "text/plain")
        .body(r#"{"customerType":"Government","companyName":"X","email":"x@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "application/json",
    )
    .await;
    let res = app
        .request(reqwest::Method::POST, "/v1/customers")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Content-Type",
    )
    .await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let app = spawn_app().await;
    let big = format!(
        r#"{{"customerType":"Government","companyName":"{}","email":"x@example.com"}}"#,
        "x".repeat(1024 * 1024)
    );
    let res = app
        .request(reqwest::Method::POST, "/v1/customers")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "larger",
    )
    .await;
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let app = spawn_app().await;
    assert_error(
        app.get("/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such",
    )
    .await;
    assert_error(
        app.get("/elsewhere").await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such",
    )
    .await;
    let res = app
        .request(reqwest::Method::DELETE, "/v1/customers")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    assert_error(
        res,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method",
    )
    .await;
}

#[tokio::test]
async fn health_probes_and_the_openapi_file_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    let res = app.get("/v1/openapi.yaml").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    for op in [
        "listCustomers",
        "createCustomer",
        "getCustomer",
        "updateCustomer",
        "listCustomerSubscriptions",
        "createSubscription",
        "listCustomerInvoices",
        "listProducts",
    ] {
        assert!(text.contains(&format!("operationId: {op}")), "{op}");
    }
}

#[tokio::test]
async fn null_is_refused_for_optional_fields_on_create() {
    let app = spawn_app().await;
    for (body, field) in [
        (
            json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "address": null}),
            "address",
        ),
        (
            json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "phone": null}),
            "phone",
        ),
        (
            json!({"customerType": "Government", "companyName": "X", "email": "x@example.com", "address": {"city": null}}),
            "address.city",
        ),
    ] {
        let res = app.post_json("/v1/customers", &body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
}
