//! The command line, run as the real binary.

use std::process::{Command, Output};

fn edgebss(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgebss"));
    cmd.args(args).env_remove("EDGEBSS_CONFIG");
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

#[test]
fn version_and_help_answer() {
    let v = edgebss(&["--version"], &[]);
    assert!(v.status.success());
    assert!(text(&v).contains(env!("CARGO_PKG_VERSION")));
    let h = edgebss(&["--help"], &[]);
    assert!(h.status.success());
    for sub in ["serve", "migrate", "healthcheck"] {
        assert!(text(&h).contains(sub), "{sub}");
    }
}

#[test]
fn migrate_creates_the_database_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = edgebss(&["migrate", "--data-dir", data.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let conn = rusqlite::Connection::open(data.join("edgebss.db")).unwrap();
    let version: i64 = conn
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, edgebss::db::migrate::latest_known_version());
}

#[test]
fn an_unknown_config_key_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edgebss.toml");
    std::fs::write(&file, "[storage]\ngroup_comit = false\n").unwrap();
    let o = edgebss(
        &[
            "--config",
            file.to_str().unwrap(),
            "migrate",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("group_comit"), "{}", text(&o));
}

#[test]
fn a_bad_environment_value_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = edgebss(
        &["migrate", "--data-dir", dir.path().to_str().unwrap()],
        &[("EDGEBSS_STORAGE__SYNCHRONOUS", "sometimes")],
    );
    assert!(!o.status.success());
    let out = text(&o).to_lowercase();
    assert!(
        out.contains("synchronous") && out.contains("sometimes"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_exits_0_against_a_ready_server_and_1_without_one() {
    let app = crate::helpers::spawn_app().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let up = edgebss(&["healthcheck", "--bind", &addr], &[]);
    assert!(up.status.success(), "{}", text(&up));
    let free = format!("127.0.0.1:{}", crate::helpers::free_port());
    let down = edgebss(&["healthcheck", "--bind", &free], &[]);
    assert!(!down.status.success());
    assert!(text(&down).contains("no answer"), "{}", text(&down));
}
