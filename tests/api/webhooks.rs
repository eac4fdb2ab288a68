//! Webhook endpoints and deliveries: signed per Standard Webhooks, retried until a 2xx with the
//! same `webhook-id`, kept in the database across restarts, and one endpoint never holding up
//! another.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::id;
use crate::events::all_events;
use crate::helpers::{TestApp, assert_error, spawn_app, spawn_app_with};
use crate::receiver::{Answer, Receiver, signature_is_valid};

/// A server whose deliveries retry after one second, a few times, and time out after two.
async fn quick_app() -> TestApp {
    spawn_app_with(|s| {
        s.webhooks.retry_seconds = vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        s.webhooks.timeout_seconds = 2;
    })
    .await
}

/// Creates an endpoint; returns its id and secret.
pub async fn endpoint(app: &TestApp, url: &str, types: Option<&[&str]>) -> (String, String) {
    let mut body = json!({"url": url, "description": "provisioning"});
    if let Some(t) = types {
        body["eventTypes"] = json!(t);
    }
    let res = app.post_json("/v1/webhook-endpoints", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/v1/webhook-endpoints/{}",
            id(&created, "webhookEndpointId")
        )
    );
    (id(&created, "webhookEndpointId"), id(&created, "secret"))
}

fn ids(got: &[crate::receiver::Received]) -> HashSet<String> {
    got.iter().map(|r| r.id.clone()).collect()
}

#[tokio::test]
async fn every_delivery_is_signed_and_carries_the_event_as_the_feed_shows_it() {
    let app = quick_app().await;
    let rx = Receiver::start(Answer::Status(204)).await;
    let (_, secret) = endpoint(&app, &rx.url(), None).await;
    assert!(secret.starts_with("whsec_") && secret.len() >= 6 + 32);
    for i in 0..5 {
        app.create_individual("Hook", &format!("Person{i}")).await;
    }
    let got = rx.wait_for(20, |g| ids(g).len() >= 5).await;
    let feed = all_events(&app).await;
    assert_eq!(ids(&got).len(), 5);
    for r in &got {
        assert!(signature_is_valid(&secret, r), "signature of {}", r.id);
        let event = feed.iter().find(|e| e["eventId"] == r.id.as_str()).unwrap();
        assert_eq!(
            &r.json(),
            event,
            "the body is the event as the feed shows it"
        );
        assert!(r.timestamp.parse::<i64>().is_ok());
    }
    // A delivered event is not delivered again.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(rx.received().len(), 5);
}

#[tokio::test]
async fn a_receiver_that_fails_then_is_down_gets_every_event_afterwards_with_the_same_id() {
    let app = quick_app().await;
    let mut rx = Receiver::start(Answer::Status(500)).await;
    let (endpoint_id, secret) = endpoint(&app, &rx.url(), None).await;
    for i in 0..3 {
        app.create_individual("Retry", &format!("R{i}")).await;
    }
    // Every event is tried and refused...
    let refused = rx.wait_for(20, |g| ids(g).len() >= 3).await;
    assert_eq!(ids(&refused).len(), 3);
    // ...then the receiver is gone for a while...
    rx.down().await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    rx.answer(Answer::Status(200));
    rx.up().await;
    // ...and comes back: each event arrives again with the id it had.
    let first: HashSet<String> = ids(&refused);
    let got = rx
        .wait_for(30, |g| {
            let ok: HashSet<String> = g.iter().skip(refused.len()).map(|r| r.id.clone()).collect();
            ok.len() >= 3
        })
        .await;
    let later: HashSet<String> = got
        .iter()
        .skip(refused.len())
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(later, first);
    assert!(got.iter().all(|r| signature_is_valid(&secret, r)));
    // The delivery log shows the refusals, the connection errors and the success.
    let log: Value = app
        .get(&format!(
            "/v1/webhook-endpoints/{endpoint_id}/deliveries?limit=500"
        ))
        .await
        .json()
        .await
        .unwrap();
    let attempts = log["data"].as_array().unwrap();
    assert!(attempts.iter().any(|a| a["httpStatus"] == 500));
    assert!(attempts.iter().any(|a| a["error"].is_string()), "{log}");
    assert!(
        attempts
            .iter()
            .any(|a| a["httpStatus"] == 200 && a["status"] == "Delivered")
    );
}

#[tokio::test]
async fn a_slow_endpoint_does_not_delay_another() {
    let app = spawn_app_with(|s| {
        s.webhooks.timeout_seconds = 30;
        s.webhooks.concurrency = 2;
    })
    .await;
    let slow = Receiver::start(Answer::Hang(25)).await;
    let fast = Receiver::start(Answer::Status(200)).await;
    endpoint(&app, &slow.url(), None).await;
    endpoint(&app, &fast.url(), None).await;
    for i in 0..6 {
        app.create_individual("Fast", &format!("F{i}")).await;
    }
    let got = fast.wait_for(15, |g| ids(g).len() >= 6).await;
    assert_eq!(ids(&got).len(), 6, "the fast endpoint got everything");
    assert!(
        slow.received().is_empty(),
        "while the slow one still holds its first requests"
    );
    // The API answers meanwhile.
    assert_eq!(app.get("/v1/customers").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_the_event_types_asked_for_are_delivered_and_redirects_are_not_followed() {
    let app = quick_app().await;
    let rx = Receiver::start(Answer::Status(200)).await;
    let moved = Receiver::start(Answer::Status(302)).await;
    endpoint(&app, &rx.url(), Some(&["customer.updated"])).await;
    let (moved_id, _) = endpoint(&app, &moved.url(), None).await;
    let c = id(
        &app.create_individual("Only", "Updates").await,
        "customerId",
    );
    app.patch_json(
        &format!("/v1/customers/{c}"),
        &json!({"phone": "+1 555 0199"}),
    )
    .await;
    let got = rx.wait_for(10, |g| !g.is_empty()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["type"], "customer.updated");
    // A 302 is not a delivery: it is retried, and the redirect's target never asked.
    let tries = moved.wait_for(10, |g| g.len() >= 4).await;
    assert!(tries.len() >= 4, "retried: {}", tries.len());
    let log: Value = app
        .get(&format!("/v1/webhook-endpoints/{moved_id}/deliveries"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        log["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] != "Delivered")
    );
}

#[tokio::test]
async fn endpoints_are_listed_changed_given_a_new_secret_resent_to_and_deleted() {
    let app = quick_app().await;
    let rx = Receiver::start(Answer::Status(200)).await;
    let (eid, secret) = endpoint(&app, &rx.url(), None).await;
    let one: Value = app
        .get(&format!("/v1/webhook-endpoints/{eid}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(one.get("secret").is_none(), "the secret is shown only once");
    assert_eq!(one["enabled"], true);
    let list: Value = app.get("/v1/webhook-endpoints").await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // Disabled: nothing is sent.
    let res = app
        .patch_json(
            &format!("/v1/webhook-endpoints/{eid}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.create_individual("While", "Disabled").await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(rx.received().is_empty());
    let res = app
        .patch_json(
            &format!("/v1/webhook-endpoints/{eid}"),
            &json!({"enabled": true, "eventTypes": ["customer.created"]}),
        )
        .await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["eventTypes"], json!(["customer.created"]));

    // A new secret signs from now on; the old one no longer verifies.
    let res = app
        .post_json(
            &format!("/v1/webhook-endpoints/{eid}/rotate-secret"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.unwrap();
    let new_secret = id(&rotated, "secret");
    assert_ne!(new_secret, secret);
    app.create_individual("After", "Rotation").await;
    let got = rx.wait_for(10, |g| !g.is_empty()).await;
    assert!(signature_is_valid(&new_secret, &got[0]));
    assert!(!signature_is_valid(&secret, &got[0]));

    // A delivery is sent again on request, with the same id.
    let log: Value = app
        .get(&format!("/v1/webhook-endpoints/{eid}/deliveries"))
        .await
        .json()
        .await
        .unwrap();
    let delivery = log["data"][0]["delivery"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/v1/webhook-endpoints/{eid}/deliveries/{delivery}/resend"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let again = rx.wait_for(10, |g| g.len() >= 2).await;
    assert_eq!(again[1].id, again[0].id);

    let res = app
        .request(
            reqwest::Method::DELETE,
            &format!("/v1/webhook-endpoints/{eid}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/v1/webhook-endpoints/{eid}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    app.create_individual("After", "Deletion").await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(rx.received().len(), 2);
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"url": "ftp://x.example/"}), "url"),
        (json!({"url": "https://user:pw@x.example/"}), "url"),
        (
            json!({"url": "https://x.example/", "eventTypes": ["customer.deleted"]}),
            "eventTypes",
        ),
        (
            json!({"url": "https://x.example/", "eventTypes": []}),
            "eventTypes",
        ),
        (
            json!({"url": "https://x.example/", "colour": "red"}),
            "colour",
        ),
    ] {
        let res = app.post_json("/v1/webhook-endpoints", &body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(
            reqwest::Method::POST,
            "/v1/webhook-endpoints",
            crate::helpers::Auth::Bearer(&token),
        )
        .json(&json!({"url": "https://x.example/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
