//! The event feed itself: pages in sequence order with `after`/`hasMore`, filters by type,
//! needs its scope, and keeps events for the retention days.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{d, id, run_jobs};
use crate::events::all_events;
use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn the_feed_pages_in_sequence_order_and_filters_by_type() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.create_individual("P", &format!("Person{i}")).await;
    }
    let c = id(&app.create_individual("Q", "Quinn").await, "customerId");
    app.patch_json(
        &format!("/v1/customers/{c}"),
        &json!({"phone": "+1 555 0100"}),
    )
    .await;
    let all = all_events(&app).await;
    assert_eq!(all.len(), 9);
    // Three at a time, resuming after the last one seen.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let q = if after.is_empty() {
            "/v1/events?limit=3".to_owned()
        } else {
            format!("/v1/events?limit=3&after={after}")
        };
        let page: Value = app.get(&q).await.json().await.unwrap();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 3);
        seen.extend(data.iter().cloned());
        if !page["hasMore"].as_bool().unwrap() {
            break;
        }
        after = id(data.last().unwrap(), "eventId");
    }
    assert_eq!(seen, all);
    let updates: Value = app
        .get("/v1/events?type=customer.updated")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updates["data"].as_array().unwrap().len(), 1);
    assert_eq!(updates["data"][0]["data"]["customerId"], c.as_str());

    for (q, field) in [
        ("/v1/events?limit=0", "limit"),
        ("/v1/events?limit=501", "limit"),
        ("/v1/events?type=customer.deleted", "type"),
        ("/v1/events?after=nope", "after"),
        ("/v1/events?after=evt_01J0000000000000000000000Z", "after"),
    ] {
        assert_error(
            app.get(q).await,
            StatusCode::BAD_REQUEST,
            "validation_failed",
            field,
        )
        .await;
    }
}

#[tokio::test]
async fn the_feed_needs_the_read_events_scope() {
    let app = spawn_app().await;
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(
            reqwest::Method::GET,
            "/v1/events",
            crate::helpers::Auth::Bearer(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn events_are_kept_for_the_retention_days_then_pruned_by_the_jobs() {
    let mut app = crate::helpers::spawn_app_with(|s| s.events.retention_days = 30).await;
    app.create_individual("Old", "News").await;
    app.move_clock(d("2026-12-20")).await;
    app.create_individual("Recent", "News").await;
    run_jobs(&app).await;
    let customers = |events: Vec<Value>| -> Vec<Value> {
        events
            .into_iter()
            .filter(|e| e["type"] == "customer.created")
            .collect()
    };
    assert_eq!(
        customers(all_events(&app).await).len(),
        2,
        "nothing is 30 days old yet"
    );
    app.move_clock(d("2026-12-27")).await;
    run_jobs(&app).await;
    let left = customers(all_events(&app).await);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["data"]["lastName"], "News");
    assert_eq!(left[0]["data"]["firstName"], "Recent");
}
