//! CSV out and in: an export imported into a fresh data folder gives the same customers; a file
//! with one bad row is refused, naming its line and field, and imports nothing.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

fn edgebss(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs")
}

/// The rows of a customers CSV without the columns a new data folder gives anew.
fn comparable(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let keep: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !["customerId", "accountNumber", "createdAt", "updatedAt"].contains(h))
        .map(|(i, _)| i)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            keep.iter().map(|i| r[*i].to_owned()).collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_customers_imported_into_a_fresh_data_folder_are_the_same() {
    let app = spawn_app().await;
    for body in [
        json!({"customerType": "Individual", "firstName": "Zoë", "lastName": "Łukasiewicz", "email": "zoe@example.pl", "phone": "+48 22 123 45 67",
               "address": {"street": "ul. Świętokrzyska 12", "city": "Łódź", "postalCode": "90-001", "country": "PL"}}),
        json!({"customerType": "Business", "companyName": "Νίκος & Υιοί, \"Τηλεπικοινωνίες\"", "email": "info@example.gr",
               "billingAddress": {"street": "Λεωφόρος 1", "city": "Αθήνα"}}),
        json!({"customerType": "Government", "companyName": "Thành phố Hồ Chí Minh", "email": "it@example.vn", "taxExempt": true}),
    ] {
        let res = app.post_json("/v1/customers", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    }
    let out = tempfile::tempdir().unwrap();
    let first = out.path().join("customers.csv");
    let done = edgebss(
        app.data_dir.path(),
        &["export", "customers", "--output", first.to_str().unwrap()],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );

    let fresh = tempfile::tempdir().unwrap();
    let dry = edgebss(
        fresh.path(),
        &["import", "customers", first.to_str().unwrap(), "--dry-run"],
    );
    assert!(dry.status.success());
    assert!(String::from_utf8_lossy(&dry.stdout).contains("Would create 3 customers."));
    let done = edgebss(
        fresh.path(),
        &["import", "customers", first.to_str().unwrap()],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("Created 3 customers."));

    let second = out.path().join("again.csv");
    let done = edgebss(
        fresh.path(),
        &["export", "customers", "--output", second.to_str().unwrap()],
    );
    assert!(done.status.success());
    let before = comparable(&first);
    assert_eq!(before.len(), 3);
    assert_eq!(comparable(&second), before);
}

#[test]
fn a_file_with_one_bad_row_is_refused_naming_the_line_and_field_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    // With a byte-order mark, as spreadsheet programs save it.
    std::fs::write(
        &file,
        "\u{feff}customerType,firstName,lastName,companyName,email\n\
         Individual,Ada,Lovelace,,ada@example.com\n\
         Business,,,Acme,not-an-address\n\
         Individual,Alan,Turing,,alan@example.com\n",
    )
    .unwrap();
    let done = edgebss(dir.path(), &["import", "customers", file.to_str().unwrap()]);
    assert!(!done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(err.contains("line 3: email:"), "{err}");
    assert!(err.contains("Nothing was imported"), "{err}");
    let export = dir.path().join("out.csv");
    let done = edgebss(
        dir.path(),
        &["export", "customers", "--output", export.to_str().unwrap()],
    );
    assert!(done.status.success());
    assert_eq!(comparable(&export).len(), 0, "no customer was imported");
}
