//! The audit trail: who changed what (fields before and after, request id, address) whatever
//! made the change, hash-chained so `edgebss audit verify` finds an entry edited afterwards.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::billing::id;
use crate::helpers::{TestApp, assert_error, spawn_app};
use crate::ui_helpers::admin;

async fn trail(app: &TestApp, query: &str) -> Vec<Value> {
    let res = app.get(&format!("/v1/audit-events?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    page["data"].as_array().unwrap().clone()
}

fn verify(app: &TestApp) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(["audit", "verify", "--data-dir"])
        .arg(app.data_dir.path())
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss audit verify runs")
}

#[tokio::test]
async fn each_change_records_who_what_the_fields_before_and_after_and_where_from() {
    let app = spawn_app().await;
    let c = app.create_individual("Ada", "Lovelace").await;
    let cid = id(&c, "customerId");
    let res = app
        .request(reqwest::Method::PATCH, &format!("/v1/customers/{cid}"))
        .header("x-request-id", "ignored-by-us")
        .json(&json!({"email": "ada@analytical.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();

    let entries = trail(&app, &format!("objectId={cid}")).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["action"], "customer.created");
    assert_eq!(entries[0]["changes"]["email"]["before"], Value::Null);
    assert_eq!(
        entries[0]["changes"]["email"]["after"],
        "ada.lovelace@example.com"
    );
    let update = &entries[1];
    assert_eq!(update["action"], "customer.updated");
    assert_eq!(update["objectType"], "customer");
    assert_eq!(
        update["actor"],
        json!({"kind": "apiClient", "id": app.client_id})
    );
    assert_eq!(
        update["changes"]["email"],
        json!({"before": "ada.lovelace@example.com", "after": "ada@analytical.example"})
    );
    assert!(
        update["changes"].get("lastName").is_none(),
        "only changed fields"
    );
    assert_eq!(update["requestId"], request_id.as_str());
    assert_eq!(update["source"], "127.0.0.1");
    assert_eq!(update["prevHash"], entries[0]["hash"]);

    // The admin UI names the user; the command line names itself.
    let ui = admin(&app).await;
    let res = ui
        .post(
            &format!("/admin/customers/{cid}"),
            &format!("/admin/customers/{cid}/status"),
            &[("action", "suspend")],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let out = Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args([
            "client",
            "create",
            "--name",
            "crm",
            "--scopes",
            "read:customers",
            "--data-dir",
        ])
        .arg(app.data_dir.path())
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    assert!(out.status.success());
    let by_user = trail(&app, "actor=admin").await;
    assert!(
        by_user
            .iter()
            .any(|e| e["action"] == "customer.suspended" && e["objectId"] == cid.as_str())
    );
    let by_cli: Vec<Value> = trail(&app, "actor=cli&objectType=api_client")
        .await
        .into_iter()
        .filter(|e| e["changes"]["name"]["after"] == "crm")
        .collect();
    assert_eq!(by_cli.len(), 1);
    assert_eq!(by_cli[0]["action"], "api_client.created");
    assert_eq!(by_cli[0]["actor"]["kind"], "system");
    assert!(by_cli[0]["changes"].get("secret").is_none());

    // Paging: entries after a sequence number.
    let all = trail(&app, "").await;
    let after = all[1]["sequence"].as_i64().unwrap();
    assert_eq!(
        trail(&app, &format!("after={after}")).await,
        all[2..].to_vec()
    );
    assert_error(
        app.get("/v1/audit-events?from=yesterday").await,
        StatusCode::BAD_REQUEST,
        "validation_failed",
        "from",
    )
    .await;
}

#[tokio::test]
async fn audit_entries_cannot_be_changed_or_deleted_through_sql() {
    let app = spawn_app().await;
    app.create_individual("Ben", "Bell").await;
    let conn = app.sql();
    let update = conn.execute("UPDATE audit_log SET actor_id = 'someone else'", []);
    assert!(
        update
            .unwrap_err()
            .to_string()
            .contains("cannot be changed")
    );
    let delete = conn.execute("DELETE FROM audit_log", []);
    assert!(
        delete
            .unwrap_err()
            .to_string()
            .contains("cannot be deleted")
    );
}

#[tokio::test]
async fn verify_passes_on_an_untouched_trail_and_names_the_first_entry_edited_behind_its_back() {
    let app = spawn_app().await;
    let mut customers = Vec::new();
    for i in 0..4 {
        customers.push(id(
            &app.create_individual("Val", &format!("Verify{i}")).await,
            "customerId",
        ));
    }
    let all = trail(&app, "limit=500").await;
    let out = verify(&app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains(&format!("intact: {} entries", all.len())),
        "{said}"
    );

    // Someone with the sqlite3 tool goes around the triggers and edits one entry.
    let target = trail(&app, &format!("objectId={}", customers[2])).await[0]["sequence"]
        .as_i64()
        .unwrap();
    let db = app.data_dir.path().join("edgebss.db");
    let edit = Command::new("sqlite3")
        .args(["-bail", "-cmd", ".timeout 5000"])
        .arg(&db)
        .arg(
            "DROP TRIGGER audit_log_no_update;\n\
             UPDATE audit_log SET changes = replace(changes, 'Verify2', 'Forged') WHERE seq = {target};"
                .replace("{target}", &target.to_string()),
        )
        .output()
        .expect("the sqlite3 command-line tool runs (Debian package sqlite3)");
    assert!(
        edit.status.success(),
        "{}",
        String::from_utf8_lossy(&edit.stderr)
    );
    let out = verify(&app);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("broken at entry {target}:")),
        "{said}"
    );

    // Rewriting its hash as well hides nothing: the next entry no longer chains to it.
    let edit = Command::new("sqlite3")
        .args(["-bail", "-cmd", ".timeout 5000"])
        .arg(&db)
        .arg(format!(
            "UPDATE audit_log SET hash = 'f00' WHERE seq = {target};"
        ))
        .output()
        .unwrap();
    assert!(edit.status.success());
    let said = String::from_utf8_lossy(&verify(&app).stderr).into_owned();
    assert!(
        said.contains(&format!("broken at entry {target}:")),
        "{said}"
    );
}

#[tokio::test]
async fn removing_the_last_entries_is_found_too() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.create_individual("Cut", &format!("Short{i}")).await;
    }
    let db = app.data_dir.path().join("edgebss.db");
    let edit = Command::new("sqlite3")
        .args(["-bail", "-cmd", ".timeout 5000"])
        .arg(&db)
        .arg(
            "DROP TRIGGER audit_log_no_delete;\n\
             DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);",
        )
        .output()
        .unwrap();
    assert!(
        edit.status.success(),
        "{}",
        String::from_utf8_lossy(&edit.stderr)
    );
    let out = verify(&app);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("missing (the trail was cut short)"), "{said}");
}

#[tokio::test]
async fn the_trail_needs_the_read_audit_scope() {
    let app = spawn_app().await;
    let token = app.token_for("read:customers").await;
    let res = app
        .request_as(
            reqwest::Method::GET,
            "/v1/audit-events",
            crate::helpers::Auth::Bearer(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
