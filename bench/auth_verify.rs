//! What checking a bearer token costs the server, on this machine: the first use of a token (a
//! full check, Ed25519 signature included) and every later use of the same token (the verified-
//! token cache). Neither touches the database.
//!
//! `cargo run --release --example auth_verify`

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use edgebss::auth::state::AuthState;
use edgebss::config::Settings;
use edgebss::db::Db;
use edgebss::domain::scope::ScopeSet;
use edgebss::service::clients;

const FRESH: usize = 2_000;
const REPEATED: usize = 1_000_000;

fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("edgebss-auth-verify-{}", std::process::id()));
    let result = run(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run(dir: &std::path::Path) -> anyhow::Result<()> {
    let settings = Settings {
        data_dir: dir.to_path_buf(),
        ..Settings::default()
    };
    edgebss::ops::fs::create_data_dir(dir)?;
    let db = Db::open(&settings.db_options())?;
    let clock = settings.clock()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let auth = runtime.block_on(AuthState::load(&settings.auth, dir, &db, clock.clone()))?;
    let created = runtime.block_on(clients::create(
        &db,
        &clock,
        &edgebss::domain::origin::Origin::cli(),
        Some(&auth),
        "bench",
        ScopeSet::all(),
    ))?;
    let id = created.client.client_id;
    let tokens: Vec<String> = (0..FRESH)
        .map(|_| auth.issue(&id, ScopeSet::all()).map(|t| t.access_token))
        .collect::<anyhow::Result<_>>()?;

    let started = Instant::now();
    for t in &tokens {
        auth.verify(t)
            .map_err(|e| anyhow::anyhow!("a fresh token was refused: {e}"))?;
    }
    let full = started.elapsed().as_secs_f64() / FRESH as f64;

    let token = &tokens[0];
    let started = Instant::now();
    for _ in 0..REPEATED {
        std::hint::black_box(auth.verify(std::hint::black_box(token)).is_ok());
    }
    let repeated = started.elapsed().as_secs_f64() / REPEATED as f64;

    println!(
        "token check, first use (Ed25519 signature, claims): {:8.2} us",
        full * 1e6
    );
    println!(
        "token check, token seen before:                     {:8.2} us",
        repeated * 1e6
    );
    db.close();
    Ok(())
}
