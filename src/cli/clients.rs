//! `edgebss client ...`: managing API clients from the command line, against the data folder.
//! It may run while the server runs: the server notices a revoked client within about a second.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::config::Settings;
use crate::db::Db;
use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::scope::{Scope, ScopeSet};
use crate::error::ServiceError;
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

pub fn run_client(settings: &Settings, command: ClientCommand) -> anyhow::Result<ExitCode> {
    with_db(settings, |db, settings| async move {
        let clock = settings.clock()?;
        let origin = Origin::cli();
        match command {
            ClientCommand::Create { name, scopes, json } => {
                let scopes = parse_scopes(&scopes)?;
                let created = clients::create(&db, &clock, &origin, None, &name, scopes)
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
                let client = clients::revoke(&db, &clock, &origin, None, &client_id(&id)?)
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
                let rotated = clients::rotate_secret(&db, &clock, &origin, &client_id(&id)?)
                    .await
                    .map_err(user_error)?;
                print_credentials(&rotated, json, "has a new secret")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Opens the database (migrating it if needed), runs `f` on a small runtime, then closes the
/// database cleanly.
fn with_db<F, Fut>(settings: &Settings, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Db, Settings) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    let db = crate::startup::open_db(settings)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let result = runtime.block_on(f(db.clone(), settings.clone()));
    db.close();
    result
}

/// The client id given on the command line; one that cannot be an id is reported like an
/// unknown one.
fn client_id(text: &str) -> anyhow::Result<ClientId> {
    ClientId::parse(text).ok_or_else(|| user_error(ServiceError::not_found("API client", text)))
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
