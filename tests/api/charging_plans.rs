//! Plan changes through the API: at the end of the period (made by the daily jobs on the first
//! day of the next one), refused when they cannot happen, and the history of plans.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, invoices_of, post, run_jobs, subscribe, usd};
use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn a_change_at_the_end_of_the_period_happens_on_the_first_of_the_next_month() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &ada, &cat.fiber100, "2026-11-26", &[&cat.ip]).await,
        "subscriptionId",
    );
    let path = format!("/v1/subscriptions/{sub}/change-plan");
    let ask = json!({"productId": cat.fiber, "when": "end_of_period"});
    let preview: Value = post(
        &app,
        &path,
        json!({"productId": cat.fiber, "when": "end_of_period", "preview": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(preview["effectiveDate"], "2026-12-01");
    assert_eq!(preview["invoicePeriod"], "2026-12");
    // The add-ons are kept when none are named: 49.99 + 5.00 a month.
    assert_eq!(preview["monthlyTotal"], usd(5499));
    let lines: Vec<Value> = preview["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].clone())
        .collect();
    // November's last days on the old plan (29.99 × 5/30, 5.00 × 5/30), December on the new one.
    assert_eq!(lines, vec![usd(500), usd(4999), usd(83), usd(500)]);
    let res = post(&app, &path, ask.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["subscription"]["productName"], "Fiber 100");
    assert_eq!(
        s["subscription"]["scheduledPlanChange"],
        json!({"productId": cat.fiber, "addons": [cat.ip], "effectiveDate": "2026-12-01"})
    );
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let s: Value = app
        .get(&format!("/v1/subscriptions/{sub}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["productName"], "Fiber 500");
    assert!(s.get("scheduledPlanChange").is_none());
    let inv = invoices_of(&app, &ada).await.remove(0);
    let amounts: Vec<Value> = inv["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].clone())
        .collect();
    assert_eq!(amounts, lines, "the invoice carries what the preview said");
    let history: Value = app
        .get(&format!("/v1/subscriptions/{sub}/plans"))
        .await
        .json()
        .await
        .unwrap();
    let plans: Vec<(Value, Value, Value)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["productName"].clone(),
                p["startDate"].clone(),
                p.get("endDate").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    assert_eq!(
        plans,
        vec![
            (json!("Fiber 100"), json!("2026-11-26"), json!("2026-11-30")),
            (json!("Fiber 500"), json!("2026-12-01"), Value::Null),
        ]
    );
    let events: Value = app.get("/v1/events?limit=500").await.json().await.unwrap();
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.contains("plan_change"))
        .collect();
    assert_eq!(
        types,
        [
            "subscription.plan_change_scheduled",
            "subscription.plan_changed"
        ]
    );
}

#[tokio::test]
async fn a_change_that_cannot_happen_is_refused_with_the_reason() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(&app, &ada, &cat.fiber100, "2026-11-26", &[]).await,
        "subscriptionId",
    );
    let path = format!("/v1/subscriptions/{sub}/change-plan");
    let res = post(
        &app,
        &path,
        json!({"productId": cat.fiber100, "when": "now"}),
    )
    .await;
    assert_error(
        res,
        StatusCode::CONFLICT,
        "conflict",
        "already has Fiber 100",
    )
    .await;
    let res = post(&app, &path, json!({"productId": cat.ip, "when": "now"})).await;
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        "is an add-on",
    )
    .await;
    let res = post(
        &app,
        &path,
        json!({"productId": cat.fiber, "when": "later"}),
    )
    .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "when").await;
    post(
        &app,
        &format!("/v1/subscriptions/{sub}/cancel"),
        json!({"when": "now"}),
    )
    .await;
    app.move_clock(d("2026-11-27")).await;
    let res = post(&app, &path, json!({"productId": cat.fiber, "when": "now"})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "has ended").await;
}
