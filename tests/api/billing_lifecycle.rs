//! Subscription lifecycle through the API, and what it does to billing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, d, id, invoices_of, post, run_jobs, subscribe, usd};
use crate::helpers::{TestApp, assert_error, spawn_app, today};

async fn action(app: &TestApp, sub: &str, what: &str) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/v1/subscriptions/{sub}/{what}"),
    )
    .send()
    .await
    .unwrap()
}

async fn ok(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn get_sub(app: &TestApp, sub: &str) -> Value {
    ok(app.get(&format!("/v1/subscriptions/{sub}")).await).await
}

#[tokio::test]
async fn subscriptions_can_be_suspended_resumed_and_cancelled() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(&app, &c, &cat.fiber, &today().to_string(), &[]).await,
        "subscriptionId",
    );

    let v = ok(action(&app, &s, "suspend").await).await;
    assert_eq!(
        (v["status"].as_str(), v["suspendedBy"].as_str()),
        (Some("Suspended"), Some("Operator"))
    );
    assert_error(
        action(&app, &s, "suspend").await,
        StatusCode::CONFLICT,
        "conflict",
        "Suspended",
    )
    .await;
    let v = ok(action(&app, &s, "resume").await).await;
    assert_eq!(v["status"], "Active");
    assert!(v.get("suspendedBy").is_none());
    assert_error(
        action(&app, &s, "resume").await,
        StatusCode::CONFLICT,
        "conflict",
        "Active",
    )
    .await;

    // At the end of the period: it runs to 30 November, then the daily job ends it.
    let path = format!("/v1/subscriptions/{s}/cancel");
    let v = ok(post(&app, &path, json!({"when": "end_of_period"})).await).await;
    assert_eq!(
        (v["status"].as_str(), v["endDate"].as_str()),
        (Some("Active"), Some("2026-11-30"))
    );
    assert_error(
        post(&app, &path, json!({"when": "end_of_period"})).await,
        StatusCode::CONFLICT,
        "conflict",
        "2026-11-30",
    )
    .await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    assert_eq!(get_sub(&app, &s).await["status"], "Cancelled");
    assert_error(
        post(&app, &path, json!({"when": "now"})).await,
        StatusCode::CONFLICT,
        "conflict",
        "Cancelled",
    )
    .await;

    // Now: today is the last day.
    let s2 = id(
        &subscribe(&app, &c, &cat.tv, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    let v = ok(post(
        &app,
        &format!("/v1/subscriptions/{s2}/cancel"),
        json!({"when": "now"}),
    )
    .await)
    .await;
    assert_eq!(
        (v["status"].as_str(), v["endDate"].as_str()),
        (Some("Cancelled"), Some("2026-12-01"))
    );

    // One that has not started ends without ever running.
    let s3 = id(
        &subscribe(&app, &c, &cat.tv, "2027-01-10", &[]).await,
        "subscriptionId",
    );
    let v = ok(post(
        &app,
        &format!("/v1/subscriptions/{s3}/cancel"),
        json!({"when": "end_of_period"}),
    )
    .await)
    .await;
    assert_eq!(v["status"], "Cancelled");
    assert!(v.get("endDate").is_none());
}

#[tokio::test]
async fn lifecycle_requests_are_validated() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(&app, &c, &cat.fiber, "2026-12-05", &[]).await,
        "subscriptionId",
    );
    let path = format!("/v1/subscriptions/{s}/cancel");
    for body in [
        json!({"when": "tomorrow"}),
        json!({}),
        json!({"when": "now", "at": "x"}),
    ] {
        assert_error(
            post(&app, &path, body).await,
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "",
        )
        .await;
    }
    let res = app
        .request(reqwest::Method::POST, &path)
        .body("when=now")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A Pending subscription has nothing to suspend.
    assert_error(
        action(&app, &s, "suspend").await,
        StatusCode::CONFLICT,
        "conflict",
        "Pending",
    )
    .await;
    for what in ["suspend", "resume"] {
        let res = action(&app, "sub_01JAAAAAAAAAAAAAAAAAAAAAAA", what).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found", "subscription").await;
    }
    let res = post(
        &app,
        "/v1/subscriptions/nonsense/cancel",
        json!({"when": "now"}),
    )
    .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "subscription").await;
    let res = app
        .request(
            reqwest::Method::POST,
            "/v1/customers/cus_01JAAAAAAAAAAAAAAAAAAAAAAA/terminate",
        )
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "customer").await;
}

#[tokio::test]
async fn a_suspended_customer_suspends_its_subscriptions_and_resuming_it_resumes_exactly_those() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let today = today().to_string();
    let by_customer = id(
        &subscribe(&app, &c, &cat.fiber, &today, &[]).await,
        "subscriptionId",
    );
    let by_operator = id(
        &subscribe(&app, &c, &cat.tv, &today, &[]).await,
        "subscriptionId",
    );
    let pending = id(
        &subscribe(&app, &c, &cat.mobile, "2026-12-10", &[]).await,
        "subscriptionId",
    );
    ok(action(&app, &by_operator, "suspend").await).await;

    let customer = format!("/v1/customers/{c}");
    assert_eq!(
        app.patch_json(&customer, &json!({"status": "Suspended"}))
            .await
            .status(),
        StatusCode::OK
    );

    let v = get_sub(&app, &by_customer).await;
    assert_eq!(
        (v["status"].as_str(), v["suspendedBy"].as_str()),
        (Some("Suspended"), Some("Customer"))
    );
    assert_eq!(get_sub(&app, &by_operator).await["suspendedBy"], "Operator");
    assert_error(
        action(&app, &by_customer, "resume").await,
        StatusCode::CONFLICT,
        "conflict",
        "customer",
    )
    .await;
    // A subscription starting while its customer is suspended starts suspended.
    app.move_clock(d("2026-12-10")).await;
    run_jobs(&app).await;
    assert_eq!(get_sub(&app, &pending).await["suspendedBy"], "Customer");

    assert_eq!(
        app.patch_json(&customer, &json!({"status": "Active"}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(get_sub(&app, &by_customer).await["status"], "Active");
    assert_eq!(get_sub(&app, &pending).await["status"], "Active");
    assert_eq!(get_sub(&app, &by_operator).await["status"], "Suspended");
}

#[tokio::test]
async fn a_subscription_suspended_on_the_bill_day_is_not_charged_for_that_month() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    subscribe(&app, &c, &cat.tv, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    // Suspended inside a charged month: no credit. Still suspended on 1 January: January is not
    // charged. Resumed on 10 January: the rest of January stays free, February is charged.
    app.move_clock(d("2026-12-20")).await;
    ok(action(&app, &s, "suspend").await).await;
    app.move_clock(d("2027-01-01")).await;
    let jan = run_jobs(&app).await;
    app.move_clock(d("2027-01-10")).await;
    ok(action(&app, &s, "resume").await).await;
    app.move_clock(d("2027-02-01")).await;
    run_jobs(&app).await;

    assert_eq!(jan["billRun"]["invoicesCreated"], 1);
    let invoices = invoices_of(&app, &c).await;
    let described: Vec<Vec<&str>> = invoices
        .iter()
        .map(|i| {
            i["lineItems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["description"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        described,
        [
            vec![
                "Fiber 500 · 2027-02-01–2027-02-28",
                "TV Essentials · 2027-02-01–2027-02-28"
            ],
            vec!["TV Essentials · 2027-01-01–2027-01-31"],
            vec![
                "Fiber 500 · 2026-12-01–2026-12-31",
                "TV Essentials · 2026-12-01–2026-12-31"
            ],
        ]
    );
}

#[tokio::test]
async fn terminating_a_customer_cancels_everything_and_credits_days_already_charged() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let fiber = id(
        &subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await,
        "subscriptionId",
    );
    let later = id(
        &subscribe(&app, &c, &cat.tv, "2027-03-01", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;

    app.move_clock(d("2026-12-10")).await;
    let path = format!("/v1/customers/{c}/terminate");
    let v = ok(app
        .request(reqwest::Method::POST, &path)
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(v["status"], "Terminated");
    let f = get_sub(&app, &fiber).await;
    assert_eq!(
        (f["status"].as_str(), f["endDate"].as_str()),
        (Some("Cancelled"), Some("2026-12-10"))
    );
    assert_eq!(get_sub(&app, &later).await["status"], "Cancelled");
    let res = app
        .request(reqwest::Method::POST, &path)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::CONFLICT, "conflict", "terminated").await;

    app.move_clock(d("2027-01-01")).await;
    bill(&app, "2027-01").await;
    let jan = &invoices_of(&app, &c).await[0];
    let line = &jan["lineItems"][0];
    assert_eq!(
        line["description"],
        "Credit: Fiber 500 · 2026-12-11–2026-12-31 · 21/31 days"
    );
    assert_eq!(line["kind"], "Credit");
    assert_eq!(line["amount"], usd(-3386)); // 49.99 × 21 / 31 = 33.864
    assert_eq!(jan["totalAmount"], usd(-3386));
    assert_eq!(jan["status"], "Paid", "a credit has nothing to collect");
    assert_eq!(jan["amountDue"], json!(0.0));
    // The credit is given once.
    app.move_clock(d("2027-02-01")).await;
    let feb = bill(&app, "2027-02").await;
    assert_eq!(feb["invoicesCreated"], 0);
}

#[tokio::test]
async fn pending_subscriptions_start_on_their_start_date() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let s = id(
        &subscribe(&app, &c, &cat.fiber, "2026-12-03", &[]).await,
        "subscriptionId",
    );
    app.move_clock(d("2026-12-02")).await;
    run_jobs(&app).await;
    assert_eq!(get_sub(&app, &s).await["status"], "Pending");
    app.move_clock(d("2026-12-03")).await;
    let round = run_jobs(&app).await;
    assert_eq!(round["subscriptionsStarted"], 1);
    assert_eq!(get_sub(&app, &s).await["status"], "Active");
    assert_eq!(run_jobs(&app).await["subscriptionsStarted"], 0);
}
