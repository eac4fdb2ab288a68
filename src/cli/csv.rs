//! `edgebss export` and `edgebss import`: CSV out of and into the data folder (the server may
//! run meanwhile).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;
use crate::db::exports::Range;
use crate::domain::date::parse_date;
use crate::domain::origin::Origin;
use crate::service::export::{ExportFilter, ExportKind, export};
use crate::service::import::ImportFile;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// customers (by the day created), subscriptions (by start date), invoices (by invoice
    /// date) or payments (by the day paid).
    #[arg(value_name = "WHAT")]
    pub what: String,
    /// First day, YYYY-MM-DD [default: the beginning].
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD [default: the end].
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The CSV file to write [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to import: customers.
    #[arg(value_name = "WHAT", value_parser = ["customers"])]
    pub what: String,
    /// The CSV file, with the columns of `edgebss export customers` (UTF-8, with or without BOM).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Their subscriptions: a CSV file with the columns of `edgebss export subscriptions`, each
    /// row naming its customer by the `customerId` of a row of FILE (or of a customer already
    /// in edgebss).
    #[arg(long, value_name = "FILE")]
    pub subscriptions: Option<PathBuf>,
    /// The last day the other system billed the subscriptions: the first bill run here charges
    /// from the day after [default: the last day of last month].
    #[arg(long, value_name = "DATE", requires = "subscriptions")]
    pub billed_through: Option<String>,
    /// Check every row and show what would be created, without creating anything.
    #[arg(long)]
    pub dry_run: bool,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}

pub fn run_export(settings: &Settings, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let kind = ExportKind::parse(&args.what).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let date = |flag: &str, v: &Option<String>| {
        v.as_deref()
            .map(|d| parse_date(flag, d))
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    let range = Range {
        from: date("--from", &args.from)?,
        to: date("--to", &args.to)?,
    };
    let db = crate::startup::open_db(settings)?;
    let result = runtime()?.block_on(export(&db, kind, range, ExportFilter::default()));
    db.close();
    let csv = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    match &args.output {
        Some(path) => write_file(path, &csv)?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&csv)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, data).with_context(|| format!("failed to write {}", path.display()))
}

pub fn run_import(settings: &Settings, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let read = |path: &Path| {
        std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))
    };
    let data = read(&args.file)?;
    let subscriptions = args.subscriptions.as_deref().map(read).transpose()?;
    let clock = settings.clock()?;
    let billed_through = match &args.billed_through {
        Some(d) => parse_date("--billed-through", d).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => crate::service::import::default_billed_through(clock.today()),
    };
    let subscriptions =
        subscriptions
            .as_deref()
            .map(|data| crate::service::import::SubscriptionsFile {
                data,
                billed_through,
            });
    let db = crate::startup::open_db(settings)?;
    let result = runtime()?.block_on(crate::service::import::customers(
        &db,
        &clock,
        &Origin::cli(),
        &data,
        subscriptions,
        args.dry_run,
    ));
    db.close();
    match result.map_err(|e| anyhow::anyhow!("{e}"))? {
        Ok(report) => {
            let verb = if report.dry_run {
                "Would create"
            } else {
                "Created"
            };
            for (line, name) in &report.customers {
                println!("line {line}: {name}");
            }
            println!("{verb} {} customers.", report.customers.len());
            if let Some(path) = &args.subscriptions {
                for (line, what) in &report.subscriptions {
                    println!("{} line {line}: {what}", path.display());
                }
                println!("{verb} {} subscriptions.", report.subscriptions.len());
                println!(
                    "Billed by the other system through {billed_through}: the first bill run here \
                     charges from the day after."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors {
                let file = match (e.file, &args.subscriptions) {
                    (ImportFile::Subscriptions, Some(path)) => path,
                    _ => &args.file,
                };
                eprintln!("{}: {e}", file.display());
            }
            eprintln!(
                "Nothing was imported: {} rows must be corrected first.",
                errors.len()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
