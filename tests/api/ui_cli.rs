//! `edgebss admin create-user` and `reset-password`, run as the real binary; the passwords they
//! print sign in.

use std::process::{Command, Output};

use crate::helpers::spawn_app_with;
use crate::ui_helpers::{UiClient, location};

fn edgebss(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EDGEBSS_CONFIG")
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs")
}

fn printed_password(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout);
    out.lines()
        .find_map(|l| l.rsplit_once(": ").map(|(_, p)| p.trim().to_owned()))
        .filter(|p| p.len() == 20)
        .unwrap_or_else(|| panic!("no password printed: {out}"))
}

#[tokio::test]
async fn users_made_and_reset_on_the_command_line_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = edgebss(
        &data,
        &[
            "admin",
            "create-user",
            "--username",
            "olga",
            "--role",
            "operator",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    let first = printed_password(&o);

    let taken = edgebss(
        &data,
        &[
            "admin",
            "create-user",
            "--username",
            "Olga",
            "--role",
            "viewer",
        ],
    );
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already taken"));
    let missing = edgebss(&data, &["admin", "reset-password", "--username", "nobody"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("`nobody` was not found"));

    let o = edgebss(&data, &["admin", "reset-password", "--username", "olga"]);
    assert!(o.status.success(), "{o:?}");
    let second = printed_password(&o);
    assert_ne!(first, second);

    let data_dir = data.clone();
    let app = spawn_app_with(move |s| s.data_dir = data_dir).await;
    let ui = UiClient::new(&app);
    assert_eq!(
        ui.sign_in("olga", &first).await.status(),
        401,
        "the old password is gone"
    );
    let res = ui.sign_in("olga", &second).await;
    assert_eq!(
        location(&res),
        "/admin/password",
        "must choose their own password"
    );
}
