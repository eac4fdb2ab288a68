//! The event feed: every change writes its event exactly once, with the resource as the API
//! returns it and who made the change, whichever surface or job made it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, d, id, run_jobs, subscribe};
use crate::helpers::{TestApp, spawn_app};
use crate::ui_helpers::{UiClient, user_with_role};

/// Every event in the feed, in order (following `hasMore`).
pub async fn all_events(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/events?limit=500&after={a}"),
            None => "/v1/events?limit=500".to_owned(),
        };
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        let data = page["data"].as_array().unwrap().clone();
        after = data.last().map(|e| id(e, "eventId"));
        out.extend(data);
        if !page["hasMore"].as_bool().unwrap() {
            return out;
        }
    }
}

/// The events after `from` (a count of events seen before) with their types.
fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// The events of `kind` about the object whose `field` is `value`.
fn about<'a>(events: &'a [Value], kind: &str, field: &str, value: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["type"] == kind && e["data"][field] == value)
        .collect()
}

#[tokio::test]
async fn customer_changes_emit_one_event_each_with_the_resource_and_the_actor() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = id(&c, "customerId");
    let events = all_events(&app).await;
    let created = about(&events, "customer.created", "customerId", &cid);
    assert_eq!(created.len(), 1, "{events:?}");
    // The data is the customer exactly as the API returned it.
    assert_eq!(created[0]["data"], c);
    assert_eq!(
        created[0]["actor"],
        json!({"kind": "apiClient", "id": app.client_id})
    );
    assert!(created[0]["eventId"].as_str().unwrap().starts_with("evt_"));

    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"phone": "+44 20 7946 0000"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"status": "Suspended"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"status": "Active"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post_json(&format!("/v1/customers/{cid}/terminate"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let events = all_events(&app).await;
    assert_eq!(
        types(&events),
        [
            "customer.created",
            "customer.updated",
            "customer.suspended",
            "customer.reactivated",
            "customer.terminated"
        ]
    );
    assert_eq!(events[1]["data"], updated);
    assert_eq!(events[2]["data"]["status"], "Suspended");
    assert_eq!(events[4]["data"]["status"], "Terminated");
    let sequences: Vec<i64> = events
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
}

#[tokio::test]
async fn subscription_lifecycle_events_follow_the_customer_and_the_jobs() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let c = app.create_individual("Grace", "Hopper").await;
    let cid = id(&c, "customerId");
    let now = subscribe(&app, &cid, &cat.fiber, "2026-11-26", &[]).await;
    let later = subscribe(&app, &cid, &cat.tv, "2026-12-03", &[]).await;
    let (sub_now, sub_later) = (id(&now, "subscriptionId"), id(&later, "subscriptionId"));

    let post = |path: String, body: Value| {
        let app = &app;
        async move {
            let res = app.post_json(&path, &body).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    post(format!("/v1/subscriptions/{sub_now}/suspend"), json!({})).await;
    post(format!("/v1/subscriptions/{sub_now}/resume"), json!({})).await;
    // The customer's suspension suspends its active subscription on its behalf, and undoes it.
    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"status": "Suspended"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"status": "Active"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Cancelled at the end of the period: nothing yet, the event comes when it ends.
    post(
        format!("/v1/subscriptions/{sub_now}/cancel"),
        json!({"when": "end_of_period"}),
    )
    .await;
    let before_jobs = all_events(&app).await;
    assert!(
        about(
            &before_jobs,
            "subscription.cancelled",
            "subscriptionId",
            &sub_now
        )
        .is_empty()
    );

    app.move_clock(d("2026-12-03")).await;
    run_jobs(&app).await;
    let events = all_events(&app).await;
    let mine: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("subscription."))
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["data"]["subscriptionId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let s = |t: &str, id: &str| (t.to_owned(), id.to_owned());
    assert_eq!(
        mine,
        [
            s("subscription.created", &sub_now),
            s("subscription.created", &sub_later),
            s("subscription.suspended", &sub_now),
            s("subscription.resumed", &sub_now),
            s("subscription.suspended", &sub_now),
            s("subscription.resumed", &sub_now),
            // The jobs of 3 December: the later one starts, the cancelled one has ended.
            s("subscription.activated", &sub_later),
            s("subscription.cancelled", &sub_now),
        ]
    );
    let jobs = about(
        &events,
        "subscription.activated",
        "subscriptionId",
        &sub_later,
    );
    assert_eq!(jobs[0]["actor"], json!({"kind": "system", "id": "jobs"}));
    assert_eq!(jobs[0]["data"]["status"], "Active");
    // Running the jobs again changes nothing, so it emits nothing.
    run_jobs(&app).await;
    assert_eq!(all_events(&app).await.len(), events.len());
}

#[tokio::test]
async fn billing_emits_invoice_payment_and_bill_run_events() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let a = id(&app.create_individual("Ada", "A").await, "customerId");
    let b = id(&app.create_individual("Bob", "B").await, "customerId");
    subscribe(&app, &a, &cat.fiber, "2026-11-26", &[]).await;
    subscribe(&app, &b, &cat.tv, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    let run = bill(&app, "2026-12").await;
    let events = all_events(&app).await;
    let created: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "invoice.created")
        .collect();
    assert_eq!(created.len(), 2);
    for e in &created {
        // The event holds the invoice exactly as the API returns it.
        let inv = id(&e["data"], "invoiceId");
        let res = app.get(&format!("/v1/invoices/{inv}")).await;
        let read: Value = res.json().await.unwrap();
        assert_eq!(e["data"], read);
    }
    let completed = about(
        &events,
        "bill_run.completed",
        "billRunId",
        &id(&run, "billRunId"),
    );
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["data"]["invoicesCreated"], 2);

    let inv_a = id(&created[0]["data"], "invoiceId");
    let inv_b = id(&created[1]["data"], "invoiceId");
    let total_a: rust_decimal::Decimal = created[0]["data"]["totalAmount"]
        .to_string()
        .parse()
        .unwrap();
    let rest_amount: Value =
        serde_json::from_str(&(total_a - rust_decimal::Decimal::TEN).to_string()).unwrap();
    // A part payment is recorded; the rest pays the invoice.
    let part = app
        .post_json(
            &format!("/v1/invoices/{inv_a}/payments"),
            &json!({"amount": 10, "method": "Cash"}),
        )
        .await;
    assert_eq!(part.status(), StatusCode::CREATED);
    let rest = app
        .post_json(
            &format!("/v1/invoices/{inv_a}/payments"),
            &json!({"amount": rest_amount, "method": "Card"}),
        )
        .await;
    assert_eq!(
        rest.status(),
        StatusCode::CREATED,
        "{:?}",
        rest.text().await
    );
    let res = app
        .post_json(
            &format!("/v1/invoices/{inv_b}/cancel"),
            &json!({"reason": "Billed by mistake"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let events = all_events(&app).await;
    let tail: Vec<String> = types(&events).into_iter().skip(created.len() + 5).collect();
    assert_eq!(
        tail,
        [
            "payment.recorded",
            "payment.recorded",
            "invoice.paid",
            "invoice.cancelled"
        ],
        "{:?}",
        types(&events)
    );
    assert_eq!(
        about(&events, "invoice.paid", "invoiceId", &inv_a)[0]["data"]["status"],
        "Paid"
    );

    // An open invoice past its due date is marked overdue by the jobs, once.
    let c = id(&app.create_individual("Cy", "C").await, "customerId");
    subscribe(&app, &c, &cat.mobile, "2026-12-01", &[]).await;
    app.move_clock(d("2027-01-01")).await;
    bill(&app, "2027-01").await;
    app.move_clock(d("2027-02-01")).await;
    run_jobs(&app).await;
    run_jobs(&app).await;
    let events = all_events(&app).await;
    let overdue: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "invoice.overdue")
        .collect();
    assert!(!overdue.is_empty());
    let mut ids: Vec<String> = overdue
        .iter()
        .map(|e| id(&e["data"], "invoiceId"))
        .collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "each invoice is marked overdue once");
    assert!(overdue.iter().all(|e| e["data"]["status"] == "Overdue"));
}

#[tokio::test]
async fn changes_from_the_admin_ui_name_the_user() {
    let app = spawn_app().await;
    let operator: UiClient<'_> =
        user_with_role(&app, "olga", edgebss::domain::user::Role::Operator).await;
    let res = operator
        .post(
            "/admin/customers/new",
            "/admin/customers",
            &[
                ("customerType", "Individual"),
                ("firstName", "Uma"),
                ("lastName", "Ui"),
                ("email", "uma@example.com"),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let events = all_events(&app).await;
    let created: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "customer.created")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["actor"], json!({"kind": "user", "id": "olga"}));
    assert_eq!(created[0]["data"]["email"], "uma@example.com");
}

#[tokio::test]
async fn a_bill_run_from_the_command_line_emits_the_same_events_naming_the_cli() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let a = id(&app.create_individual("Ada", "A").await, "customerId");
    subscribe(&app, &a, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .env("EDGEBSS_NOW", "2026-12-01")
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .args(["bill-run", "--period", "2026-12"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let events = all_events(&app).await;
    let cli = json!({"kind": "system", "id": "cli"});
    let created = about(&events, "invoice.created", "customerId", &a);
    assert_eq!(created.len(), 1, "{:?}", types(&events));
    assert_eq!(created[0]["actor"], cli);
    let completed: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "bill_run.completed")
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["actor"], cli);
    assert_eq!(completed[0]["data"]["invoicesCreated"], 1);
}
