//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "edgebss",
    version,
    about = "Billing and customer management for small telecom operators, in one binary",
    long_about = None
)]
pub struct Cli {
    /// TOML configuration file (see the README's configuration reference).
    #[arg(long, global = true, env = "EDGEBSS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Folder for the database, keys and backups [default: ./edgebss-data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: REST API, admin UI and background jobs.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage the admin UI's users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Bill a period: create every invoice still missing for it (or, with --dry-run, show what
    /// would be created), then print a summary.
    BillRun(BillRunArgs),
    /// Copy the database to a backup file; safe while the server runs and writes.
    Backup {
        /// Where to write the backup [default: <data-dir>/backups/edgebss-manual-<time>.db].
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
    /// Replace the database with a backup (stop the server first). The replaced database is
    /// kept in <data-dir>/backups/.
    Restore {
        /// A backup made by `edgebss backup` or by the daily backup.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Manage API clients (OAuth2 client credentials for integrators).
    #[command(subcommand)]
    Client(crate::auth::commands::ClientCommand),
    /// Manage the keys that sign API access tokens.
    #[command(subcommand)]
    Keys(crate::auth::commands::KeysCommand),
    /// Exit 0 when the server at the configured address answers /readyz.
    Healthcheck {
        /// Address of the server [default: the configured bind address].
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Load the demo catalog and customers (once).
    #[arg(long)]
    pub demo: bool,
    /// Start the clock at this date (YYYY-MM-DD) or RFC 3339 instant, for demos and tests.
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user with a generated password (printed once; to be changed at first sign-in).
    CreateUser {
        #[arg(long)]
        username: String,
        /// admin (everything), operator (day-to-day work) or viewer (read only).
        #[arg(long, value_parser = ["admin", "operator", "viewer"])]
        role: String,
    },
    /// Give a user a new generated password (printed once) and end their sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct BillRunArgs {
    /// The month to bill, YYYY-MM (e.g. 2026-12).
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    /// Compute the invoices without storing anything.
    #[arg(long)]
    pub dry_run: bool,
}
