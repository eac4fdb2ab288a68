//! Per-site numbering: a branch with a site id numbers its invoices in its own series, gapless
//! within the site and the year, and a data folder keeps the site it was given.

use std::process::{Command, Output};

use crate::billing::{bill, catalog, d, id, invoices_of, subscribe};
use crate::helpers::{spawn_app, spawn_app_with};

fn site(s: &str) -> Option<edgebss::domain::site::SiteId> {
    Some(edgebss::domain::site::SiteId::parse("site", s).unwrap())
}

/// Runs the binary on `data_dir` with `EDGEBSS_*` settings.
fn edgebss(data_dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
    cmd.args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("EDGEBSS_CONFIG")
        .env("EDGEBSS_LOG__LEVEL", "warn");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("edgebss runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_site_numbers_its_invoices_in_its_own_series() {
    let mut app = spawn_app_with(|s| s.sync.site_id = site("PORTS")).await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    let alan = id(&app.create_individual("Alan", "Turing").await, "customerId");
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    subscribe(&app, &alan, &cat.tv, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;

    bill(&app, "2026-12").await;

    let mut numbers: Vec<String> = Vec::new();
    for c in [&ada, &alan] {
        for inv in invoices_of(&app, c).await {
            numbers.push(inv["invoiceNumber"].as_str().unwrap().to_owned());
        }
    }
    numbers.sort();
    assert_eq!(numbers, ["PORTS-2026-000001", "PORTS-2026-000002"]);
}

#[tokio::test]
async fn an_edge_that_becomes_a_site_starts_the_sites_series_at_one() {
    let mut app = spawn_app().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    bill(&app, "2026-12").await;
    let alan = id(&app.create_individual("Alan", "Turing").await, "customerId");
    subscribe(&app, &alan, &cat.tv, "2026-12-01", &[]).await;

    // The same period billed again from the command line, now as site PORTS: only Alan's
    // invoice is missing, and it opens the site's series.
    let o = edgebss(
        app.data_dir.path(),
        &["bill-run", "--period", "2026-12"],
        &[
            ("EDGEBSS_SYNC__SITE_ID", "PORTS"),
            ("EDGEBSS_NOW", "2026-12-01"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    assert_eq!(
        invoices_of(&app, &ada).await[0]["invoiceNumber"],
        "INV-2026-000001"
    );
    assert_eq!(
        invoices_of(&app, &alan).await[0]["invoiceNumber"],
        "PORTS-2026-000001"
    );
}

#[test]
fn a_data_folder_keeps_the_site_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let run = |site: Option<&str>| {
        let envs: Vec<(&str, &str)> = site
            .map(|s| vec![("EDGEBSS_SYNC__SITE_ID", s)])
            .unwrap_or_default();
        edgebss(
            dir.path(),
            &["bill-run", "--period", "2026-12", "--dry-run"],
            &envs,
        )
    };
    let first = run(Some("PORTS"));
    assert!(first.status.success(), "{}", text(&first));
    assert!(run(Some("PORTS")).status.success());

    let other = run(Some("DOCKS"));
    assert!(!other.status.success());
    assert!(
        text(&other).contains("belongs to site PORTS, but sync.site_id is DOCKS"),
        "{}",
        text(&other)
    );
    let none = run(None);
    assert!(!none.status.success());
    assert!(
        text(&none).contains("Set sync.site_id = \"PORTS\""),
        "{}",
        text(&none)
    );
}

#[test]
fn a_site_id_that_cannot_name_a_subject_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let o = edgebss(
        dir.path(),
        &["migrate"],
        &[("EDGEBSS_SYNC__SITE_ID", "ports.east")],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("is not a site id"), "{}", text(&o));
    let o = edgebss(
        dir.path(),
        &["migrate"],
        &[("EDGEBSS_SYNC__NATS_URL", "nats://127.0.0.1:4222")],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("sync.nats_url is set but sync.site_id is not"),
        "{}",
        text(&o)
    );
}
