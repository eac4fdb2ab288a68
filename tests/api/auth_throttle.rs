//! Failed client authentications are throttled per source address and per client id: 429 with
//! `Retry-After` and an RFC 6749-style body, even for the right secret, until the window moves on.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

async fn throttled_app() -> TestApp {
    spawn_app_with(|s| {
        s.auth.max_failed_attempts = 3;
        s.auth.failure_window_seconds = 120;
    })
    .await
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

async fn assert_throttled(res: Response) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&wait), "Retry-After {wait}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "slow_down", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("try again")
    );
}

#[tokio::test]
async fn a_source_address_with_too_many_failures_is_throttled_and_others_are_not() {
    let app = throttled_app().await;
    let guesser = loopback(1);
    for i in 0..3 {
        let res = app
            .token_request_from(
                guesser,
                &[GRANT],
                Some((&app.client_id, &format!("guess{i}"))),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "failure {i} is answered normally"
        );
    }
    // Even the right secret is refused from that address now, before it is checked.
    let right = Some((app.client_id.as_str(), app.client_secret.as_str()));
    let (other_id, other_secret) = app.create_client("other", "read:billing").await;
    let other = Some((other_id.as_str(), other_secret.as_str()));
    assert_throttled(app.token_request_from(guesser, &[GRANT], other).await).await;
    // Another address and another client are not affected.
    let res = app.token_request_from(loopback(2), &[GRANT], other).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The suite's client had three failures too, so it is throttled everywhere.
    assert_throttled(app.token_request_from(loopback(2), &[GRANT], right).await).await;
}

#[tokio::test]
async fn a_client_id_with_too_many_failures_from_many_addresses_is_throttled() {
    let app = throttled_app().await;
    let (id, secret) = app.create_client("target", "read:customers").await;
    for last in 10..13 {
        let res = app
            .token_request_from(loopback(last), &[GRANT], Some((&id, "wrong")))
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let fresh = loopback(20);
    assert_throttled(
        app.token_request_from(fresh, &[GRANT], Some((&id, &secret)))
            .await,
    )
    .await;
    // The same fresh address still serves other clients.
    let res = app
        .token_request_from(fresh, &[GRANT], Some((&app.client_id, &app.client_secret)))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn successes_and_other_errors_do_not_count_as_failures() {
    let app = throttled_app().await;
    let basic = Some((app.client_id.as_str(), app.client_secret.as_str()));
    for _ in 0..5 {
        let res = app
            .token_request(&[GRANT, ("scope", "nonsense")], basic)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app.token_request(&[GRANT], basic).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
}
