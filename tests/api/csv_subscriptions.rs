//! Customers move in with their subscriptions: the subscriptions export of one data folder,
//! imported with its customers into another whose catalog has the same products (under other
//! ids), gives each customer the same plans; a subscriptions file with bad rows is refused row
//! by row and nothing of either file is imported.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::{bill, catalog, d, id, invoices_of, subscribe, usd};
use crate::helpers::{TestApp, spawn_app};

fn edgebss(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs")
}

fn export(app: &TestApp, what: &str, to: &Path) {
    let done = edgebss(
        app.data_dir.path(),
        &["export", what, "--output", to.to_str().unwrap()],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// Each customer's e-mail with its subscriptions as (product, add-ons, start, monthly charge,
/// status), sorted.
async fn plans(app: &TestApp) -> Vec<(String, Vec<(String, Vec<String>, String, String, String)>)> {
    let customers: Value = app
        .get("/v1/customers?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let mut out = Vec::new();
    for c in customers["data"].as_array().unwrap() {
        let cid = c["customerId"].as_str().unwrap();
        let subs: Value = app
            .get(&format!("/v1/customers/{cid}/subscriptions"))
            .await
            .json()
            .await
            .unwrap();
        let mut plans: Vec<_> = subs
            .as_array()
            .or_else(|| subs["data"].as_array())
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["productName"].as_str().unwrap().to_owned(),
                    s["addons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|a| a["addonName"].as_str().unwrap().to_owned())
                        .collect(),
                    s["startDate"].as_str().unwrap().to_owned(),
                    s["monthlyCharge"].to_string(),
                    s["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        plans.sort();
        out.push((c["email"].as_str().unwrap().to_owned(), plans));
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_and_their_subscriptions_move_to_another_data_folder_with_the_same_plans() {
    let app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let grace = id(
        &app.create_individual("Grace", "Hopper").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[&cat.ip]).await;
    subscribe(&app, &ada, &cat.tv, "2026-11-26", &[]).await;
    subscribe(&app, &grace, &cat.mobile, "2026-11-26", &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let (customers, subscriptions) = (dir.path().join("c.csv"), dir.path().join("s.csv"));
    export(&app, "customers", &customers);
    export(&app, "subscriptions", &subscriptions);
    let header = std::fs::read_to_string(&subscriptions).unwrap();
    assert!(header.starts_with("subscriptionId,customerId,productId,productName,"));
    assert!(header.contains(",Static IP"), "add-ons by name: {header}");

    // The other data folder's catalog has the same products under ids of its own: the products
    // and the add-on are found by name.
    let other = spawn_app().await;
    catalog(&other);
    let (c, s) = (customers.to_str().unwrap(), subscriptions.to_str().unwrap());
    let args = ["import", "customers", c, "--subscriptions", s];
    let dry = edgebss(other.data_dir.path(), &[&args[..], &["--dry-run"]].concat());
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(said.contains("Would create 2 customers."), "{said}");
    assert!(said.contains("Would create 3 subscriptions."), "{said}");
    assert!(said.contains("Ada Lovelace: TV Essentials"), "{said}");
    assert!(plans(&other).await.is_empty(), "a dry run creates nothing");

    let done = edgebss(other.data_dir.path(), &args);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("Created 3 subscriptions."));
    let moved = plans(&other).await;
    assert_eq!(moved, plans(&app).await);
    assert_eq!(moved[0].1[0].1, ["Static IP"], "{moved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriptions_file_with_bad_rows_is_refused_row_by_row_and_nothing_is_imported() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let dir = tempfile::tempdir().unwrap();
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "customerId,customerType,firstName,lastName,email\n\
         old-1,Individual,Ada,Lovelace,ada@example.com\n\
         old-2,Individual,Grace,Hopper,grace@example.com\n",
    )
    .unwrap();
    let subscriptions = dir.path().join("subscriptions.csv");
    let fiber = &cat.fiber;
    std::fs::write(
        &subscriptions,
        format!(
            "customerId,productId,productName,startDate,endDate,monthlyCharge,addons\n\
             old-1,{fiber},,2025-03-01,,49.99,Static IP\n\
             old-9,{fiber},,2025-03-01,,,\n\
             old-2,,Fiber 500,2025-03-01,,39.99,\n\
             old-2,,TV Essentials,2025-03-01,2026-01-31,,\n\
             old-2,,Fiber 5000,2025-03-01,,,\n\
             old-1,,TV Essentials,2025-03-01,,,Fiber 500\n"
        ),
    )
    .unwrap();
    let (c, s) = (customers.to_str().unwrap(), subscriptions.to_str().unwrap());
    let refused = edgebss(
        app.data_dir.path(),
        &["import", "customers", c, "--subscriptions", s],
    );
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    for line in [
        "subscriptions.csv: line 3: customerId: `old-9` is neither the customerId of a row of the customers file nor a customer in edgebss",
        "subscriptions.csv: line 4: monthlyCharge: 39.99, but Fiber 500 costs 49.99 USD a month in the catalog",
        "subscriptions.csv: line 5: endDate: `2026-01-31`: an ended subscription is history and is not imported",
        "subscriptions.csv: line 6: productName: no product has the productId `` and no active product is named `Fiber 5000`",
        "subscriptions.csv: line 7: addons: product `",
        "Nothing was imported: 5 rows must be corrected first.",
    ] {
        assert!(said.contains(line), "{line}\nin\n{said}");
    }
    let listed: Value = app.get("/v1/customers").await.json().await.unwrap();
    assert_eq!(listed["data"], json!([]), "not even the customers");

    // Corrected, the same files go in whole: a start long past is kept (billed from the first
    // bill run here), the add-on found by its name.
    std::fs::write(
        &subscriptions,
        format!(
            "customerId,productId,productName,startDate,addons\n\
             old-1,{fiber},,2025-03-01,Static IP\n\
             old-2,,TV Essentials,2025-03-01,\n"
        ),
    )
    .unwrap();
    let done = edgebss(
        app.data_dir.path(),
        &[
            "import",
            "customers",
            c,
            "--subscriptions",
            s,
            "--billed-through",
            "2026-11-30",
        ],
    );
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(said.contains("Created 2 subscriptions."), "{said}");
    assert!(
        said.contains("Billed by the other system through 2026-11-30"),
        "{said}"
    );
    let moved = plans(&app).await;
    assert_eq!(
        moved,
        [
            (
                "ada@example.com".to_owned(),
                vec![(
                    "Fiber 500".to_owned(),
                    vec!["Static IP".to_owned()],
                    "2025-03-01".to_owned(),
                    "49.99".to_owned(),
                    "Active".to_owned()
                )]
            ),
            (
                "grace@example.com".to_owned(),
                vec![(
                    "TV Essentials".to_owned(),
                    vec![],
                    "2025-03-01".to_owned(),
                    "14.99".to_owned(),
                    "Active".to_owned()
                )]
            ),
        ]
    );
    // The other system billed through November: December's bill run charges December alone,
    // not the twenty months since the start.
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let listed: Value = app.get("/v1/customers").await.json().await.unwrap();
    let ada = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "ada@example.com")
        .map(|c| id(c, "customerId"))
        .unwrap();
    let invoices = invoices_of(&app, &ada).await;
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["netAmount"], usd(4999 + 500), "{}", invoices[0]);
    let res = app.get("/v1/events?limit=100").await;
    assert_eq!(res.status(), StatusCode::OK);
    let events: Value = res.json().await.unwrap();
    let created = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "subscription.created")
        .count();
    assert_eq!(
        created, 2,
        "each subscription announced like one made through the API"
    );
}
