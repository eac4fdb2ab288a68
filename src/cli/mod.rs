//! The command line: its definition (clap) and every subcommand, each in its own file. They
//! work on the data folder directly and may run while the server runs (except `restore`).

mod admin;
mod audit;
mod bill_run;
mod central;
mod clients;
mod csv;
mod data;
mod keys;
mod serve;
mod sync;
mod usage;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use audit::AuditCommand;
pub use clients::ClientCommand;
pub use keys::KeysCommand;

use crate::config::{FlagOverrides, Settings};

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
    Client(ClientCommand),
    /// Manage the keys that sign API access tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Usage records (RADIUS accounting, CDR exports).
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Write customers, subscriptions, invoices or payments as CSV (the API's field names).
    Export(csv::ExportArgs),
    /// Import customers from CSV: every row is checked first; any bad row and nothing is
    /// imported.
    Import(csv::ImportArgs),
    /// Exit 0 when the server at the configured address answers /readyz.
    Healthcheck {
        /// Address of the server [default: the configured bind address].
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Head office: apply every branch's events from NATS JetStream to PostgreSQL (README,
    /// "Branches and head office").
    Central(central::CentralArgs),
    /// A branch's forwarding to head office.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
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

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Send the usage records of a CSV file (columns recordId, subscriptionId, metric, quantity,
    /// occurredAt); records sent before count once. Exits 1 when a line was refused, naming it.
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
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

/// Loads the settings the command line points at and runs its command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut flags = FlagOverrides {
        data_dir: cli.data_dir.clone(),
        ..Default::default()
    };
    match &cli.command {
        Command::Serve(args) => {
            flags.bind = args.bind.clone();
            flags.demo = args.demo.then_some(true);
            flags.now = args.now.clone();
        }
        Command::Healthcheck { bind } => flags.bind = bind.clone(),
        Command::Migrate
        | Command::Admin(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Client(_)
        | Command::Keys(_)
        | Command::BillRun(_)
        | Command::Audit(_)
        | Command::Usage(_)
        | Command::Central(_)
        | Command::Sync(_)
        | Command::Export(_)
        | Command::Import(_) => {}
    }
    let settings = Settings::load(cli.config.as_deref(), &flags)?;
    // Started by the Windows service manager, `serve` runs as a service (logging to files);
    // from a console it goes on below.
    #[cfg(windows)]
    let settings = match &cli.command {
        Command::Serve(_) => match crate::service_windows::run_if_started_as_service(settings)? {
            crate::service_windows::Outcome::RanAsService => return Ok(ExitCode::SUCCESS),
            crate::service_windows::Outcome::NotAService(settings) => settings,
        },
        _ => settings,
    };
    let _log = crate::telemetry::init(&settings.log)?;
    match cli.command {
        Command::Serve(_) => serve::serve(settings),
        Command::Healthcheck { .. } => serve::healthcheck(&settings),
        Command::Migrate => data::migrate(&settings),
        Command::Backup { to } => data::backup(&settings, to),
        Command::Restore { file } => data::restore(&settings, &file),
        Command::Admin(cmd) => admin::run(&settings, cmd),
        Command::BillRun(args) => bill_run::bill_run(&settings, &args),
        Command::Client(cmd) => clients::run_client(&settings, cmd),
        Command::Keys(cmd) => keys::run_keys(&settings, cmd),
        Command::Audit(cmd) => audit::run(&settings, cmd),
        Command::Usage(UsageCommand::Import { file }) => usage::import(&settings, &file),
        Command::Central(args) => central::central(&settings, &args),
        Command::Sync(cmd) => sync::run(&settings, cmd),
        Command::Export(args) => csv::run_export(&settings, &args),
        Command::Import(args) => csv::run_import(&settings, &args),
    }
}
