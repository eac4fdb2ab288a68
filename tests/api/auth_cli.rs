//! Managing API clients with the real binary (`edgebss client ...`) while a server runs, and the
//! demo client of `serve --demo`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

fn edgebss(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs")
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

async fn token_status(app: &TestApp, id: &str, secret: &str) -> StatusCode {
    app.token_request(&[GRANT], Some((id, secret)))
        .await
        .status()
}

#[tokio::test]
async fn a_client_created_by_the_cli_gets_tokens_from_the_running_server() {
    let app = spawn_app().await;
    let dir = app.data_dir.path();
    let created = json_of(&edgebss(
        dir,
        &[
            "client",
            "create",
            "--name",
            "CRM",
            "--scopes",
            "read:customers,write:customers",
            "--json",
        ],
    ));
    let id = created["clientId"].as_str().unwrap();
    let secret = created["clientSecret"].as_str().unwrap();
    assert_eq!(
        created["scopes"],
        serde_json::json!(["read:customers", "write:customers"])
    );
    assert_eq!(secret.len(), 40);
    assert_eq!(token_status(&app, id, secret).await, StatusCode::OK);

    let listed = json_of(&edgebss(dir, &["client", "list", "--json"]));
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clientId"] == id)
        .expect("listed");
    assert_eq!(entry["name"], "CRM");
    assert_eq!(entry["enabled"], true);
    assert!(entry["lastUsedAt"].is_string(), "{entry}");
    let text = String::from_utf8(edgebss(dir, &["client", "list"]).stdout).unwrap();
    assert!(text.contains(id) && !text.contains(secret), "{text}");
}

#[tokio::test]
async fn rotating_a_secret_retires_the_old_one_at_once() {
    let app = spawn_app().await;
    let dir = app.data_dir.path();
    let rotated = json_of(&edgebss(
        dir,
        &["client", "rotate-secret", &app.client_id, "--json"],
    ));
    let new_secret = rotated["clientSecret"].as_str().unwrap();
    assert_ne!(new_secret, app.client_secret);
    assert_eq!(
        token_status(&app, &app.client_id, &app.client_secret).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        token_status(&app, &app.client_id, new_secret).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_cli_input_is_refused_with_a_message_naming_it() {
    let app = spawn_app().await;
    let dir = app.data_dir.path();
    let out = edgebss(
        dir,
        &[
            "client",
            "create",
            "--name",
            "X",
            "--scopes",
            "read:everything",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("read:everything") && err.contains("read:customers"),
        "{err}"
    );

    let out = edgebss(dir, &["client", "revoke", "cli_nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cli_nope"));
}

struct Demo {
    child: std::process::Child,
    base: String,
    id: String,
    secret: String,
    curl: String,
}

/// Starts `serve --demo` on the folder and reads the demo client's id and secret as printed.
fn demo_start(data_dir: &std::path::Path) -> Demo {
    let port = crate::helpers::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("edgebss starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut id, mut secret, mut curl) = (String::new(), String::new(), String::new());
    let deadline = Instant::now() + Duration::from_secs(60);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(v) = line.trim().strip_prefix("client_id:") {
            id = v.trim().to_owned();
        } else if let Some(v) = line.trim().strip_prefix("client_secret:") {
            secret = v.trim().to_owned();
        } else if line.trim().starts_with("curl ") {
            curl = line.trim().to_owned();
            break;
        }
        assert!(Instant::now() < deadline, "demo banner not printed");
    }
    // Keep reading, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    Demo {
        child,
        base: format!("http://127.0.0.1:{port}"),
        id,
        secret,
        curl,
    }
}

impl Demo {
    /// Asks the running demo server for a token with the printed credentials.
    async fn token_status(&self) -> StatusCode {
        reqwest::Client::new()
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&self.id, Some(&self.secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap()
            .status()
    }

    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

#[tokio::test]
async fn demo_mode_prints_a_demo_client_and_keeps_it_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_start(dir.path());
    assert_eq!(demo.token_status().await, StatusCode::OK);
    let (id, secret, curl) = (demo.id.clone(), demo.secret.clone(), demo.curl.clone());
    demo.stop();
    assert!(id.starts_with("cli_"), "{id}");
    assert_eq!(secret.len(), 40);
    assert!(
        curl.contains(&format!("-u '{id}:{secret}'"))
            && curl.contains("grant_type=client_credentials")
            && curl.contains("/oauth/token"),
        "{curl}"
    );
    let file = dir.path().join("demo-client.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&id) && text.contains(&secret));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A later demo start shows the same client again.
    let again = demo_start(dir.path());
    assert_eq!(
        (again.id.as_str(), again.secret.as_str()),
        (id.as_str(), secret.as_str())
    );
    assert_eq!(again.token_status().await, StatusCode::OK);
    again.stop();
}
