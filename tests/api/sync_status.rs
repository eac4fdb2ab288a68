//! What a branch shows about its forwarding: the Prometheus figures and `edgebss sync status`.

use std::process::Command;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// The value of the unlabelled sample `name` on the `/metrics` page, if present.
async fn sample(app: &TestApp, name: &str) -> Option<f64> {
    let body = app.get("/metrics").await.text().await.unwrap();
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

fn sync_status(app: &TestApp, site: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
    cmd.args(["sync", "status", "--data-dir"])
        .arg(app.data_dir.path())
        .env_remove("EDGEBSS_CONFIG")
        .env("EDGEBSS_LOG__LEVEL", "warn");
    if let Some(site) = site {
        cmd.env("EDGEBSS_SYNC__SITE_ID", site);
    }
    let out = cmd.output().expect("edgebss sync status runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn a_branch_without_its_broker_shows_what_waits_in_its_metrics_and_sync_status() {
    let app = spawn_app_with(|s| {
        s.sync.site_id = Some(edgebss::domain::site::SiteId::parse("site", "PORTS").unwrap());
    })
    .await;
    app.create_individual("Ada", "Lovelace").await;
    app.create_individual("Alan", "Turing").await;

    let waiting = sample(&app, "edgebss_sync_events_waiting").await.unwrap();
    assert!(waiting >= 2.0, "two new customers wait: {waiting}");
    let last = sample(&app, "edgebss_sync_last_sequence").await.unwrap();
    assert_eq!(waiting, last, "nothing was forwarded (no sync.nats_url)");
    assert_eq!(
        sample(&app, "edgebss_sync_events_unapplied").await,
        Some(last)
    );
    assert!(
        sample(&app, "edgebss_sync_oldest_waiting_timestamp_seconds")
            .await
            .unwrap()
            > 0.0
    );
    assert_eq!(sample(&app, "edgebss_sync_resyncs_total").await, Some(0.0));

    let (ok, text) = sync_status(&app, Some("PORTS"));
    assert!(ok, "{text}");
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {k} line:\n{text}"))
    };
    assert_eq!(field("site "), "PORTS");
    assert_eq!(field("last event "), format!("{last}"));
    assert!(
        field("waiting ").starts_with(&format!("{waiting} (oldest from ")),
        "{text}"
    );
    assert!(field("acknowledged ").starts_with("0 "), "{text}");
    assert_eq!(field("broker "), "not set (sync.nats_url)");
}

#[tokio::test]
async fn an_edge_without_a_site_has_no_sync_figures() {
    let app = spawn_app().await;
    app.create_individual("Ada", "Lovelace").await;
    assert_eq!(sample(&app, "edgebss_sync_events_waiting").await, None);
    let (ok, text) = sync_status(&app, None);
    assert!(ok, "{text}");
    assert!(text.contains("not a branch"), "{text}");
}

/// The customers whose `customer.created` event is still in the outbox, by last name.
async fn created(app: &TestApp) -> Vec<String> {
    crate::events::all_events(app)
        .await
        .into_iter()
        .filter(|e| e["type"] == "customer.created")
        .map(|e| {
            e["data"]["lastName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_branch_keeps_events_past_their_retention_until_head_office_applied_them() {
    let mut app = spawn_app_with(|s| {
        s.sync.site_id = Some(edgebss::domain::site::SiteId::parse("site", "PORTS").unwrap());
        s.events.retention_days = 30;
    })
    .await;
    app.create_individual("Ada", "Old").await;
    app.move_clock(crate::billing::d("2027-02-01")).await;
    app.create_individual("Alan", "Recent").await;
    crate::billing::run_jobs(&app).await;
    assert_eq!(
        created(&app).await,
        ["Old", "Recent"],
        "head office has applied nothing yet"
    );

    // Head office reports it applied the first customer's event (as the forwarder records it).
    let old: i64 = app
        .sql()
        .query_row(
            "SELECT sequence FROM events WHERE type = 'customer.created' \
             ORDER BY sequence LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    app.sql()
        .execute("UPDATE sync_site SET applied_sequence = ?1", [old])
        .unwrap();
    crate::billing::run_jobs(&app).await;
    assert_eq!(created(&app).await, ["Recent"]);
}
