//! Usage records through the API: each record taken or refused with its reason, resends counted
//! once, malformed batches refused whole, the month's usage per metric.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::billing::{d, id, post, subscribe};
use crate::helpers::{Auth, TestApp, assert_error, spawn_app};

/// A customer subscribed from `start` to a plan metering `data_gb` (10 GB included).
async fn metered(app: &TestApp, start: &str) -> (String, String) {
    let res = app
        .post_json(
            "/v1/products",
            &json!({"productName": "Mobile", "productType": "Mobile",
            "monthlyPrice": 20, "currency": "USD",
            "usage": {"metric": "data_gb", "unit": "GB", "includedQuantity": 10, "unitPrice": 1}}),
        )
        .await;
    let product = id(&res.json().await.unwrap(), "productId");
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let sub = id(
        &subscribe(app, &c, &product, start, &[]).await,
        "subscriptionId",
    );
    (c, sub)
}

fn rec(id: &str, sub: &str, metric: &str, quantity: Value, at: &str) -> Value {
    json!({"recordId": id, "subscriptionId": sub, "metric": metric, "quantity": quantity, "occurredAt": at})
}

#[tokio::test]
async fn each_record_is_taken_or_refused_with_its_reason() {
    let mut app = spawn_app().await;
    let (_, sub) = metered(&app, "2026-11-26").await;
    app.move_clock(d("2026-11-28")).await;
    let cancelled = {
        let (_, other) = metered(&app, "2026-11-28").await;
        post(
            &app,
            &format!("/v1/subscriptions/{other}/cancel"),
            json!({"when": "now"}),
        )
        .await;
        other
    };
    app.move_clock(d("2026-11-30")).await;
    let body = json!({"records": [
        rec("r1", &sub, "data_gb", json!(1.5), "2026-11-27T10:00:00Z"),
        rec("r2", "sub_01JD000000000000000000000Z", "data_gb", json!(1), "2026-11-27T10:00:00Z"),
        rec("r3", &sub, "voice_min", json!(1), "2026-11-27T10:00:00Z"),
        rec("r4", &sub, "data_gb", json!(-2), "2026-11-27T10:00:00Z"),
        rec("r5", &sub, "data_gb", json!(1), "2026-11-25T10:00:00Z"),
        rec("r6", &cancelled, "data_gb", json!(1), "2026-11-29T10:00:00Z"),
        rec("r7", &sub, "data_gb", json!(1), "2026-12-02T10:00:00Z"),
        rec("r8", &sub, "data_gb", json!(0.0000001), "2026-11-27T10:00:00Z"),
        rec("r1", &sub, "data_gb", json!(1.5), "2026-11-27T10:00:00Z"),
    ]});
    let res = app.post_json("/v1/usage-records", &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["accepted"], 1);
    assert_eq!(r["duplicates"], 1);
    let codes: Vec<(u64, &str)> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["index"].as_u64().unwrap(), x["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            (1, "unknown_subscription"),
            (2, "unknown_metric"),
            (3, "negative_quantity"),
            (4, "before_start"),
            (5, "after_end"),
            (6, "in_future"),
            (7, "invalid_quantity"),
        ]
    );
    assert!(
        r["rejected"][1]["message"]
            .as_str()
            .unwrap()
            .contains("it meters data_gb")
    );
    // Sending the batch again changes nothing: the taken record is a duplicate now.
    let again: Value = app
        .post_json("/v1/usage-records", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["accepted"].clone(), again["duplicates"].clone()),
        (json!(0), json!(2))
    );
    let month: Value = app
        .get(&format!("/v1/subscriptions/{sub}/usage?period=2026-11"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        month["metrics"],
        json!([{"metric": "data_gb", "name": "data_gb", "unit": "GB", "quantity": 1.5, "records": 1,
                "includedQuantity": 10, "billedQuantity": 0, "amount": 0.00}])
    );
    let events: Value = app
        .get("/v1/events?type=usage.recorded")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        events["data"].as_array().unwrap().len(),
        1,
        "one event per batch that took records"
    );
    let data = &events["data"][0]["data"];
    assert_eq!(
        (data["accepted"].clone(), data["subscriptions"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(data["periods"], json!(["2026-11"]));
}

#[tokio::test]
async fn a_malformed_batch_is_refused_whole_and_sending_needs_the_usage_scope() {
    let app = spawn_app().await;
    let (_, sub) = metered(&app, "2026-11-26").await;
    let one = rec("x", &sub, "data_gb", json!(1), "2026-11-26T10:00:00Z");
    for (body, mentions) in [
        (json!({"records": []}), "records"),
        (json!({"records": vec![one.clone(); 1001]}), "records"),
        (
            json!({"records": [rec("x", &sub, "data_gb", json!("1"), "2026-11-26T10:00:00Z")]}),
            "records[0].quantity",
        ),
        (
            json!({"records": [rec("x", &sub, "data_gb", json!(1), "yesterday")]}),
            "records[0].occurredAt",
        ),
        (
            json!({"records": [rec("", &sub, "data_gb", json!(1), "2026-11-26T10:00:00Z")]}),
            "records[0].recordId",
        ),
    ] {
        let res = app.post_json("/v1/usage-records", &body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", mentions).await;
    }
    let token = app.token_for("write:billing").await;
    let res = app
        .request_as(Method::POST, "/v1/usage-records", Auth::Bearer(&token))
        .json(&json!({"records": [one]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_csv_file_is_imported_from_the_command_line_and_a_second_import_counts_nothing_twice() {
    let app = spawn_app().await;
    let (_, sub) = metered(&app, "2026-11-26").await;
    let file = app.data_dir.path().join("radius.csv");
    std::fs::write(
        &file,
        format!(
            "recordId,subscriptionId,metric,quantity,occurredAt\n\
             acct-1,{sub},data_gb,2.5,2026-11-26T10:00:00Z\n\
             acct-2,{sub},data_gb,0.75,2026-11-27T10:00:00Z\n\
             acct-3,{sub},voice_min,3,2026-11-27T10:00:00Z\n\
             acct-4,{sub},data_gb,1,not-a-time\n"
        ),
    )
    .unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_edgebss"))
            .args([
                "--data-dir",
                app.data_dir.path().to_str().unwrap(),
                "usage",
                "import",
            ])
            .arg(&file)
            .env_remove("EDGEBSS_CONFIG")
            .env("EDGEBSS_NOW", "2026-11-30")
            .env("EDGEBSS_LOG__LEVEL", "warn")
            .output()
            .unwrap()
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert_eq!(
        first.status.code(),
        Some(1),
        "a refused line fails the import: {out}"
    );
    assert!(
        out.contains("2 records taken, 0 sent before (counted once), 2 refused"),
        "{out}"
    );
    assert!(out.contains("line 4: unknown_metric"), "{out}");
    assert!(
        out.contains("line 5: malformed: occurredAt `not-a-time`"),
        "{out}"
    );
    let again = String::from_utf8_lossy(&run().stdout).to_string();
    assert!(again.contains("0 records taken, 2 sent before"), "{again}");
    let month: Value = app
        .get(&format!("/v1/subscriptions/{sub}/usage?period=2026-11"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(month["metrics"][0]["quantity"], json!(3.25));
}
