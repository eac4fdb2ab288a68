use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn creating_a_customer_returns_201_with_location_and_a_checked_account_number() {
    let app = spawn_app().await;

    let res = app
        .post_json(
            "/v1/customers",
            &json!({
                "customerType": "Business",
                "companyName": "Harbourside Bakery",
                "email": "orders@harbourside.example",
                "phone": "+1 555 0100",
                "address": {"street": "1 Quay", "city": "Salem", "postalCode": "01970", "country": "US"}
            }),
        )
        .await;

    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let id = body["customerId"].as_str().unwrap();
    assert_eq!(location, format!("/v1/customers/{id}"));
    assert_eq!(body["status"], "Active");
    assert_eq!(body["companyName"], "Harbourside Bakery");
    assert_eq!(body["address"]["city"], "Salem");
    assert!(edgebss::domain::account_number::is_valid(
        body["accountNumber"].as_str().unwrap()
    ));
    assert_eq!(body["createdAt"], body["updatedAt"]);
    assert!(
        body.get("firstName").is_none(),
        "absent fields are left out, not null"
    );

    let fetched: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(fetched, body);
}

#[tokio::test]
async fn account_numbers_are_unique_across_customers() {
    let app = spawn_app().await;
    let mut seen = std::collections::HashSet::new();
    for i in 0..20 {
        let c = app.create_individual("Ada", &format!("Lovelace{i}")).await;
        assert!(seen.insert(c["accountNumber"].as_str().unwrap().to_owned()));
    }
}

#[tokio::test]
async fn each_customer_type_needs_its_names() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"customerType": "Individual", "lastName": "L", "email": "a@example.com"}),
            "firstName",
        ),
        (
            json!({"customerType": "Individual", "firstName": "F", "email": "a@example.com"}),
            "lastName",
        ),
        (
            json!({"customerType": "Business", "firstName": "F", "lastName": "L", "email": "a@example.com"}),
            "companyName",
        ),
        (
            json!({"customerType": "Government", "email": "a@example.com"}),
            "companyName",
        ),
    ];
    for (body, field) in cases {
        let res = app.post_json("/v1/customers", &body).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
}

#[tokio::test]
async fn required_fields_and_a_valid_email_are_enforced() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/customers",
            &json!({"customerType": "Individual", "firstName": "A", "lastName": "B"}),
        )
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "email").await;
    let res = app
        .post_json("/v1/customers", &json!({"email": "a@example.com"}))
        .await;
    assert_error(
        res,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "customerType",
    )
    .await;
    for bad in ["not-an-email", "a@b", "a b@example.com", ""] {
        let res = app
            .post_json(
                "/v1/customers",
                &json!({"customerType": "Government", "companyName": "X", "email": bad}),
            )
            .await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "email").await;
    }
}

#[tokio::test]
async fn getting_an_unknown_customer_is_a_404_error_body() {
    let app = spawn_app().await;
    for id in [
        "cus_01JAAAAAAAAAAAAAAAAAAAAAAA",
        "nonsense",
        "prd_01JAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let res = app.get(&format!("/v1/customers/{id}")).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found", id).await;
    }
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent_and_moves_updated_at() {
    let app = spawn_app().await;
    let c = app.create_individual("Grace", "Hopper").await;
    let id = c["customerId"].as_str().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let res = app
        .patch_json(
            &format!("/v1/customers/{id}"),
            &json!({"phone": "+1 555 0199", "address": {"city": "Arlington"}}),
        )
        .await;

    assert_eq!(res.status(), StatusCode::OK);
    let u: Value = res.json().await.unwrap();
    assert_eq!(u["phone"], "+1 555 0199");
    assert_eq!(u["address"], json!({"city": "Arlington"}));
    assert_eq!(u["email"], c["email"]);
    assert_eq!(u["firstName"], "Grace");
    assert_eq!(u["accountNumber"], c["accountNumber"]);
    assert_eq!(u["createdAt"], c["createdAt"]);
    assert!(u["updatedAt"].as_str().unwrap() > c["updatedAt"].as_str().unwrap());

    // A second address replaces the first one whole.
    let u: Value = app
        .patch_json(
            &format!("/v1/customers/{id}"),
            &json!({"address": {"street": "1 Main St"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(u["address"], json!({"street": "1 Main St"}));
}

#[tokio::test]
async fn patch_status_accepts_active_inactive_suspended_only() {
    let app = spawn_app().await;
    let c = app.create_individual("Alan", "Turing").await;
    let path = format!("/v1/customers/{}", c["customerId"].as_str().unwrap());
    for s in ["Suspended", "Inactive", "Active"] {
        let u: Value = app
            .patch_json(&path, &json!({"status": s}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(u["status"], s);
    }
    let res = app
        .patch_json(&path, &json!({"status": "Terminated"}))
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "status").await;
    let res = app.patch_json(&path, &json!({"status": "Closed"})).await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "status").await;
    let res = app.patch_json(&path, &json!({"email": null})).await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "email").await;
    let res = app.patch_json(&path, &json!({"email": "broken"})).await;
    assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", "email").await;
}

#[tokio::test]
async fn patching_an_unknown_customer_is_a_404() {
    let app = spawn_app().await;
    let res = app
        .patch_json(
            "/v1/customers/cus_01JAAAAAAAAAAAAAAAAAAAAAAA",
            &json!({"phone": "+1 555 0100"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found", "customer").await;
}

#[tokio::test]
async fn a_terminated_customer_cannot_be_changed() {
    let app = spawn_app().await;
    let c = app.create_individual("Ida", "Rhodes").await;
    let id = c["customerId"].as_str().unwrap();
    app.sql()
        .execute(
            "UPDATE customers SET status = 'Terminated' WHERE id = ?1",
            [id],
        )
        .unwrap();
    let res = app
        .patch_json(&format!("/v1/customers/{id}"), &json!({"status": "Active"}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "conflict", "terminated").await;
}

async fn seed_mixed(app: &crate::helpers::TestApp) {
    // 12 customers: types cycle Individual/Business/Government; every 4th is suspended.
    for i in 0..12 {
        let body = match i % 3 {
            0 => {
                json!({"customerType": "Individual", "firstName": "F", "lastName": format!("L{i}"), "email": format!("p{i}@example.com")})
            }
            1 => {
                json!({"customerType": "Business", "companyName": format!("B{i}"), "email": format!("b{i}@example.com")})
            }
            _ => {
                json!({"customerType": "Government", "companyName": format!("G{i}"), "email": format!("g{i}@example.com")})
            }
        };
        let c: Value = app
            .post_json("/v1/customers", &body)
            .await
            .json()
            .await
            .unwrap();
        if i % 4 == 0 {
            let path = format!("/v1/customers/{}", c["customerId"].as_str().unwrap());
            assert_eq!(
                app.patch_json(&path, &json!({"status": "Suspended"}))
                    .await
                    .status(),
                200
            );
        }
    }
}

async fn list(app: &crate::helpers::TestApp, query: &str) -> Value {
    let res = app.get(&format!("/v1/customers?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn lists_filter_by_status_and_type_with_right_totals() {
    let app = spawn_app().await;
    seed_mixed(&app).await;

    let all = list(&app, "").await;
    assert_eq!(
        all["pagination"],
        json!({"page": 1, "pageSize": 25, "totalPages": 1, "totalItems": 12})
    );
    let suspended = list(&app, "status=Suspended").await;
    assert_eq!(suspended["pagination"]["totalItems"], 3);
    assert!(
        suspended["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "Suspended")
    );
    let business = list(&app, "customerType=Business").await;
    assert_eq!(business["pagination"]["totalItems"], 4);
    let both = list(&app, "status=Active&customerType=Individual").await;
    // Individuals are i = 0, 3, 6, 9; suspended are 0, 4, 8: active individuals 3, 6, 9.
    assert_eq!(both["pagination"]["totalItems"], 3);
    assert!(
        both["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "Active" && c["customerType"] == "Individual")
    );
    let none = list(&app, "status=Terminated").await;
    assert_eq!(
        none["pagination"],
        json!({"page": 1, "pageSize": 25, "totalPages": 0, "totalItems": 0})
    );
    assert_eq!(none["data"], json!([]));
}

#[tokio::test]
async fn pagination_walks_the_list_in_a_stable_order_to_an_empty_page_past_the_end() {
    let app = spawn_app().await;
    seed_mixed(&app).await;

    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = list(&app, &format!("pageSize=5&page={page}")).await;
        assert_eq!(p["pagination"]["totalPages"], 3);
        assert_eq!(p["pagination"]["totalItems"], 12);
        for c in p["data"].as_array().unwrap() {
            seen.push(c["customerId"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len(), 12, "last page holds the remaining 2");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "creation order");
    let past = list(&app, "pageSize=5&page=4").await;
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["pagination"]["page"], 4);
    assert_eq!(
        list(&app, "pageSize=5&page=3").await["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let filtered_last = list(&app, "status=Active&pageSize=4&page=3").await;
    assert_eq!(filtered_last["data"].as_array().unwrap().len(), 1);
    assert_eq!(filtered_last["pagination"]["totalItems"], 9);
}

#[tokio::test]
async fn list_parameters_are_validated_by_name() {
    let app = spawn_app().await;
    for (q, field) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("pageSize=0", "pageSize"),
        ("pageSize=101", "pageSize"),
        ("status=Gone", "status"),
        ("customerType=Alien", "customerType"),
    ] {
        let res = app.get(&format!("/v1/customers?{q}")).await;
        assert_error(res, StatusCode::BAD_REQUEST, "validation_failed", field).await;
    }
    assert_eq!(app.get("/v1/customers?pageSize=100").await.status(), 200);
}

#[tokio::test]
async fn list_totals_stay_right_as_statuses_change() {
    let app = spawn_app().await;
    let c = app.create_individual("Kay", "Mauchly").await;
    let path = format!("/v1/customers/{}", c["customerId"].as_str().unwrap());
    app.patch_json(&path, &json!({"status": "Inactive"})).await;
    assert_eq!(
        list(&app, "status=Active").await["pagination"]["totalItems"],
        0
    );
    assert_eq!(
        list(&app, "status=Inactive").await["pagination"]["totalItems"],
        1
    );
    assert_eq!(
        list(&app, "status=Inactive&customerType=Individual").await["pagination"]["totalItems"],
        1
    );
    assert_eq!(list(&app, "").await["pagination"]["totalItems"], 1);
}
