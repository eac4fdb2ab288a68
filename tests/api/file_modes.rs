//! What the data folder holds (customer data, password hashes, sessions, keys) is readable by
//! the owner only, whatever the umask and however the folder was made.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::helpers::spawn_app_with;

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[tokio::test]
async fn the_database_and_its_wal_and_shm_files_are_private_in_a_folder_made_beforehand() {
    let app = spawn_app_with(|s| {
        fs::set_permissions(&s.data_dir, fs::Permissions::from_mode(0o755)).unwrap();
    })
    .await;
    app.create_individual("Ada", "Lovelace").await;
    let dir = app.data_dir.path();
    for name in ["edgebss.db", "edgebss.db-wal", "edgebss.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
}

#[test]
fn whatever_the_umask_a_new_database_is_private_and_loose_files_are_tightened_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    fs::create_dir(&keys).unwrap();
    fs::set_permissions(&keys, fs::Permissions::from_mode(0o755)).unwrap();
    let key = keys.join("left-by-hand.pem");
    fs::write(&key, "not a key").unwrap();
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();

    // `umask 000` would leave every new file readable and writable by everyone.
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" migrate --data-dir \"$1\"")
        .arg(env!("CARGO_BIN_EXE_edgebss"))
        .arg(dir.path())
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");

    assert_eq!(mode(&dir.path().join("edgebss.db")), 0o600);
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&keys), 0o700);
    assert!(
        log.contains("left-by-hand.pem") && log.contains("644") && log.contains("600"),
        "the change is logged: {log}"
    );

    // Everything edgebss made itself was private already: a second start changes nothing.
    let again = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" migrate --data-dir \"$1\"")
        .arg(env!("CARGO_BIN_EXE_edgebss"))
        .arg(dir.path())
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{log}");
    assert!(!log.contains("private to its owner"), "{log}");
}

#[tokio::test]
async fn a_server_start_leaves_nothing_another_user_can_read() {
    let app = spawn_app_with(|_| {}).await;
    let mut loose = Vec::new();
    let mut dirs = vec![app.data_dir.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if mode(&path) & 0o077 != 0 {
                loose.push(path.clone());
            }
            if path.is_dir() {
                dirs.push(path);
            }
        }
    }
    assert!(loose.is_empty(), "{loose:?}");
}
