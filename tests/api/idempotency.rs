//! `Idempotency-Key` on POSTs: a retry with the same key and body gets the first answer again
//! and changes nothing; another body is refused; a retry while the first is running is told so.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{catalog, id, subscribe};
use crate::helpers::{Auth, TestApp, assert_error, spawn_app};

fn customer(email: &str) -> Value {
    json!({"customerType": "Individual", "firstName": "Ida", "lastName": "Key", "email": email})
}

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request(reqwest::Method::POST, path)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn customers(app: &TestApp) -> i64 {
    let list: Value = app.get("/v1/customers").await.json().await.unwrap();
    list["pagination"]["totalItems"].as_i64().unwrap()
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_answer_and_changes_nothing() {
    let app = spawn_app().await;
    let body = customer("ida@example.com");
    let first = post_with_key(&app, "/v1/customers", "8e0f1c52-create-ida", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].clone();
    let first_body = first.text().await.unwrap();
    for _ in 0..2 {
        let again = post_with_key(&app, "/v1/customers", "8e0f1c52-create-ida", &body).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.text().await.unwrap(), first_body);
    }
    assert_eq!(customers(&app).await, 1);
    let events: Value = app.get("/v1/events").await.json().await.unwrap();
    assert_eq!(
        events["data"].as_array().unwrap().len(),
        1,
        "one change, one event"
    );
    // Without a key, the same body is a new request.
    let res = app.post_json("/v1/customers", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(customers(&app).await, 2);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_and_keys_are_per_client() {
    let app = spawn_app().await;
    let res = post_with_key(&app, "/v1/customers", "k-1", &customer("a@example.com")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = post_with_key(&app, "/v1/customers", "k-1", &customer("b@example.com")).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "different request",
    )
    .await;
    // Another client's key of the same name is its own.
    let token = app.token_for("write:customers,read:customers").await;
    let res = app
        .request_as(reqwest::Method::POST, "/v1/customers", Auth::Bearer(&token))
        .header("idempotency-key", "k-1")
        .json(&customer("b@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(customers(&app).await, 2);
}

#[tokio::test]
async fn a_refused_request_keeps_nothing_so_it_can_be_corrected_under_the_same_key() {
    let app = spawn_app().await;
    let res = post_with_key(&app, "/v1/customers", "fix-me", &customer("not-an-email")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = post_with_key(
        &app,
        "/v1/customers",
        "fix-me",
        &customer("fixed@example.com"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for key in ["", &"x".repeat(256), "has space"] {
        let res = post_with_key(&app, "/v1/customers", key, &customer("k@example.com")).await;
        assert_error(
            res,
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "Idempotency-Key",
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_while_the_first_request_runs_is_told_it_is_in_use() {
    let app = spawn_app().await;
    // Hold the database writer, so the first request stays in flight.
    let db = app.state.db.clone();
    let blocker = tokio::spawn(async move {
        db.write(|_conn| {
            std::thread::sleep(Duration::from_millis(1500));
            Ok::<_, edgebss::db::DbError>(())
        })
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = customer("slow@example.com");
    let first = {
        let req = app
            .request(reqwest::Method::POST, "/v1/customers")
            .header("idempotency-key", "in-flight")
            .json(&body);
        tokio::spawn(async move { req.send().await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = post_with_key(&app, "/v1/customers", "in-flight", &body).await;
    assert_error(
        second,
        StatusCode::CONFLICT,
        "idempotency_key_in_use",
        "still being processed",
    )
    .await;
    assert_eq!(first.await.unwrap().status(), StatusCode::CREATED);
    blocker.await.unwrap().unwrap();
    let third = post_with_key(&app, "/v1/customers", "in-flight", &body).await;
    assert_eq!(third.headers()["idempotent-replayed"], "true");
    assert_eq!(customers(&app).await, 1);
}

#[tokio::test]
async fn payments_and_bill_runs_are_not_repeated_by_a_retry() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(&app.create_individual("Pay", "Once").await, "customerId");
    subscribe(&app, &c, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(crate::billing::d("2026-12-01")).await;
    let run = json!({"period": "2026-12"});
    let first = post_with_key(&app, "/v1/bill-runs", "run-dec", &run).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post_with_key(&app, "/v1/bill-runs", "run-dec", &run).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let runs: Value = app.get("/v1/bill-runs").await.json().await.unwrap();
    assert_eq!(runs["data"].as_array().unwrap().len(), 1);

    let invoices = crate::billing::invoices_of(&app, &c).await;
    let inv = id(&invoices[0], "invoiceId");
    let pay = json!({"amount": 5, "method": "Cash"});
    for _ in 0..3 {
        let res = post_with_key(&app, &format!("/v1/invoices/{inv}/payments"), "pay-5", &pay).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let payments: Value = app
        .get(&format!("/v1/invoices/{inv}/payments"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(payments["data"].as_array().unwrap().len(), 1);
    // A dry run changes nothing, but its answer is kept for the key all the same.
    let dry = json!({"period": "2027-01", "dryRun": true});
    let a = post_with_key(&app, "/v1/bill-runs", "dry", &dry).await;
    assert_eq!(a.status(), StatusCode::OK);
    let b = post_with_key(&app, "/v1/bill-runs", "dry", &dry).await;
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    let other = post_with_key(
        &app,
        "/v1/bill-runs",
        "dry",
        &json!({"period": "2027-02", "dryRun": true}),
    )
    .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
