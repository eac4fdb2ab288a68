//! `edgebss keys ...`: the keys that sign API access tokens, in the data folder. May run while
//! the server runs: it signs with a new key within about a second.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Subcommand;

use crate::auth::keys::{KeyStore, Keyring};
use crate::auth::tokens::TokenRules;
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new token signing key. Tokens signed by the previous key stay valid until they
    /// expire; keys retired since the last rotation are deleted.
    Rotate,
    /// List the signing keys and their state.
    List,
}

pub fn run_keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<ExitCode> {
    crate::ops::fs::create_data_dir(&settings.data_dir)?;
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
