//! The admin UI's day-one behaviour that needs no browser: the API's optional customer fields,
//! the dashboard's kept figures following every change, lists refusing a bad sort or date
//! beside the field, and the kind of customer being the admins' to change.

use edgebss::domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, id, subscribe};
use crate::helpers::spawn_app;
use crate::ui_helpers::{admin, user_with_role};

#[tokio::test]
async fn the_api_takes_and_returns_the_optional_customer_fields() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/customers",
            &json!({
                "customerType": "Business", "companyName": "Fjord Fisheries AS",
                "email": "post@fjord.example", "contactPerson": "Ingrid Berg",
                "taxId": "NO 912 345 678 MVA", "notes": "Boat shed.\nCall first.",
                "billingAddress": {"street": "Postboks 120", "city": "Oslo", "country": "NO"}
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["contactPerson"], "Ingrid Berg");
    assert_eq!(c["taxId"], "NO 912 345 678 MVA");
    assert_eq!(c["notes"], "Boat shed.\nCall first.");
    let cid = id(&c, "customerId");
    let res = app
        .patch_json(
            &format!("/v1/customers/{cid}"),
            &json!({"taxId": "NO 999 999 999 MVA"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["taxId"], "NO 999 999 999 MVA");
    assert_eq!(c["contactPerson"], "Ingrid Berg", "left as it was");
    // A customer without them is written as before: the fields are left out.
    let plain = app.create_individual("Ada", "Lovelace").await;
    assert!(plain.get("taxId").is_none() && plain.get("notes").is_none());
    // Bad values are refused naming the field.
    for (field, value) in [
        ("taxId", json!("   ")),
        ("notes", json!("bell \u{7}")),
        ("contactPerson", json!(null)),
    ] {
        let res = app
            .patch_json(&format!("/v1/customers/{cid}"), &json!({ field: value }))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{field}");
        let body: Value = res.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "{field}: {body}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_follows_every_change() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    bill(&app, "2026-11").await;
    let ui = admin(&app).await;
    let open = |html: &str| {
        let start = html.find("id=\"stat-open\">").unwrap() + "id=\"stat-open\">".len();
        html[start..start + html[start..].find('<').unwrap()].to_owned()
    };
    let before = open(&ui.get_html("/admin/").await);
    assert_ne!(before, "USD 0.00");
    assert_eq!(open(&ui.get_html("/admin/").await), before, "kept");
    let inv: String = app
        .sql()
        .query_row("SELECT id FROM invoices", [], |r| r.get(0))
        .unwrap();
    let due: f64 = app
        .sql()
        .query_row("SELECT total_amount / 100.0 FROM invoices", [], |r| {
            r.get(0)
        })
        .unwrap();
    let res = app
        .post_json(
            &format!("/v1/invoices/{inv}/payments"),
            &json!({"amount": due, "method": "Cash"}),
        )
        .await;
    assert!(res.status().is_success());
    assert_eq!(
        open(&ui.get_html("/admin/").await),
        "USD 0.00",
        "summed again"
    );
}

#[tokio::test]
async fn a_bad_sort_or_filter_is_said_on_the_list_itself() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    for (path, says) in [
        (
            "/admin/customers?sort=email",
            "is not a sort order; use account, name",
        ),
        ("/admin/customers?from=2026-02-30", "id=\"e-from\""),
        (
            "/admin/customers?from=2026-12-01&to=2026-11-01",
            "is after the end of the range",
        ),
        (
            "/admin/invoices?sort=amount",
            "is not a sort order; use date, number, due",
        ),
        ("/admin/invoices?q=ab", "id=\"e-q\""),
        ("/admin/invoices?run=nonsense", "is not a bill run"),
        ("/admin/invoices?q=abc%00", "control characters"),
        ("/admin/bill-runs?from=2026-13", "id=\"e-from\""),
    ] {
        let res = ui.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(says), "{path} should say {says}: {html}");
        assert!(
            html.contains("aria-label=\"Main\""),
            "{path}: the page, with its navigation"
        );
    }
}

#[tokio::test]
async fn only_admins_change_the_kind_of_customer() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = id(&c, "customerId");
    let page = format!("/admin/customers/{cid}/edit");
    let op = user_with_role(&app, "otto", Role::Operator).await;
    let form = op.get_html(&page).await;
    assert!(!form.contains("name=\"customerType\""));
    let res = op
        .post(
            &page,
            &page,
            &[
                ("customerType", "Business"),
                ("firstName", "Ada"),
                ("lastName", "Lovelace"),
                ("companyName", "Analytical Engines Ltd"),
                ("email", "ada.lovelace@example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let kind: String = app
        .sql()
        .query_row("SELECT customer_type FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "Individual", "an operator's form cannot change it");
    let ad = admin(&app).await;
    let res = ad
        .post(
            &page,
            &page,
            &[
                ("customerType", "Business"),
                ("firstName", "Ada"),
                ("lastName", "Lovelace"),
                ("companyName", "Analytical Engines Ltd"),
                ("email", "ada.lovelace@example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let api: Value = app
        .get(&format!("/v1/customers/{cid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["customerType"], "Business");
    assert_eq!(api["companyName"], "Analytical Engines Ltd");
    let counts: i64 = app
        .sql()
        .query_row(
            "SELECT SUM(n) FROM customer_list_counts WHERE key = 't:Business'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counts, 1, "the list's counts follow the change of kind");
}
