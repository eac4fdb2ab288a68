//! `edgebss client ...` and `edgebss keys ...`: managing API clients and signing keys from the
//! command line, against the data folder. They may run while the server runs: it notices a
//! revoked client or a new key within about a second.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::keys::{KeyStore, Keyring};
use super::scope::{Scope, ScopeSet};
use super::tokens::TokenRules;
use crate::config::Settings;
use crate::db::Db;
use crate::service::ServiceError;
use crate::service::clients::{self, ApiClient, ClientCredentials};

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create an API client; prints its id and secret (the secret is shown only this once).
    Create {
        /// A name saying who uses it, e.g. "CRM".
        #[arg(long)]
        name: String,
        /// Allowed scopes, separated by commas (or `all`): read:customers, write:customers,
        /// write:subscriptions, read:billing, write:billing.
        #[arg(long)]
        scopes: String,
        /// Print JSON (`clientId`, `clientSecret`, ...) for scripts.
        #[arg(long)]
        json: bool,
    },
    /// List API clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a client: no new tokens, and its live tokens stop working within about a second.
    Revoke { id: String },
    /// Give a client a new secret (printed once); the old secret stops working.
    RotateSecret {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new token signing key. Tokens signed by the previous key stay valid until they
    /// expire; keys retired since the last rotation are deleted.
    Rotate,
    /// List the signing keys and their state.
    List,
}

pub fn run_client(settings: &Settings, command: ClientCommand) -> anyhow::Result<ExitCode> {
    with_db(settings, |db, settings| async move {
        let clock = settings.clock()?;
        match command {
            ClientCommand::Create { name, scopes, json } => {
                let scopes = parse_scopes(&scopes)?;
                let created = clients::create(&db, &clock, None, &name, scopes)
                    .await
                    .map_err(user_error)?;
                print_credentials(&created, json, "created")?;
            }
            ClientCommand::List { json } => {
                let all = clients::list(&db).await.map_err(user_error)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&all)?);
                } else {
                    print_table(&all);
                }
            }
            ClientCommand::Revoke { id } => {
                let client = clients::revoke(&db, &clock, None, &id)
                    .await
                    .map_err(user_error)?;
                println!(
                    "revoked API client {} ({}) at {}; its tokens stop working within a second",
                    client.client_id,
                    client.name,
                    client.revoked_at.as_deref().unwrap_or("?")
                );
            }
            ClientCommand::RotateSecret { id, json } => {
                let rotated = clients::rotate_secret(&db, &id).await.map_err(user_error)?;
                print_credentials(&rotated, json, "has a new secret")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn run_keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<ExitCode> {
    crate::startup::create_data_dir(&settings.data_dir)?;
    let store = KeyStore::new(&settings.data_dir);
    let rules = TokenRules::new(&settings.auth);
    let now = settings.clock()?.now();
    match command {
        KeysCommand::Rotate => {
            let kid = store.rotate(now, rules.key_overlap())?;
            println!(
                "new signing key {kid} in {}; a running server signs with it within a second",
                store.dir().display()
            );
        }
        KeysCommand::List => {
            let loaded = store.load(&HashMap::new())?;
            for problem in &loaded.problems {
                eprintln!("unusable key file: {problem}");
            }
            let in_force = Keyring::in_force(loaded.keys.clone(), now, rules.key_overlap());
            let newest = in_force.signing_key().map(|k| k.kid.clone());
            let mut keys = loaded.keys;
            keys.sort_by(|a, b| a.kid.cmp(&b.kid));
            println!("{:<28} {:<26} state", "kid", "created");
            for k in keys {
                let state = if Some(&k.kid) == newest.as_ref() {
                    "signing"
                } else if in_force.get(&k.kid).is_some() {
                    "verifying (tokens it signed are still live)"
                } else {
                    "retired"
                };
                println!(
                    "{:<28} {:<26} {state}",
                    k.kid,
                    crate::domain::date::format_timestamp(k.created)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the database (migrating it if needed), runs `f` on a small runtime, then closes the
/// database cleanly.
fn with_db<F, Fut>(settings: &Settings, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Db, Settings) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    crate::startup::create_data_dir(&settings.data_dir)?;
    let db = Db::open(&settings.db_options())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let result = runtime.block_on(f(db.clone(), settings.clone()));
    db.close();
    result
}

fn parse_scopes(text: &str) -> anyhow::Result<ScopeSet> {
    if text.trim() == "all" {
        return Ok(ScopeSet::all());
    }
    ScopeSet::parse("--scopes", text).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Service errors the person at the terminal can act on, said plainly.
fn user_error(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Unexpected(e) => e,
        other => anyhow::anyhow!("{other}"),
    }
}

fn print_credentials(c: &ClientCredentials, json: bool, what: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(c)?);
        return Ok(());
    }
    println!(
        "API client {} ({}) {what}",
        c.client.client_id, c.client.name
    );
    println!("  client_id:     {}", c.client.client_id);
    println!("  client_secret: {}", c.client_secret);
    println!("  scopes:        {}", c.client.scopes);
    println!("The secret is shown only now; edgebss keeps just a hash of it.");
    Ok(())
}

fn print_table(all: &[ApiClient]) {
    println!(
        "{:<30} {:<20} {:<8} {:<24} {:<24} scopes",
        "client_id", "name", "state", "created", "last used"
    );
    for c in all {
        println!(
            "{:<30} {:<20} {:<8} {:<24} {:<24} {}",
            c.client_id,
            c.name,
            if c.enabled { "enabled" } else { "revoked" },
            c.created_at,
            c.last_used_at.as_deref().unwrap_or("never"),
            c.scopes
        );
    }
    if all.is_empty() {
        println!(
            "(no API clients; create one with: edgebss client create --name NAME --scopes {})",
            Scope::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
    }
}
