#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use edgebss::cli::{Cli, Command};
use edgebss::config::{FlagOverrides, Settings};
use edgebss::{db, ops, startup, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgebss: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
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
        | Command::BillRun(_) => {}
    }
    let settings = Settings::load(cli.config.as_deref(), &flags)?;
    // Started by the Windows service manager, `serve` runs as a service (logging to files);
    // from a console it goes on below.
    #[cfg(windows)]
    let settings = match &cli.command {
        Command::Serve(_) => match edgebss::service_windows::run_if_started_as_service(settings)? {
            edgebss::service_windows::Outcome::RanAsService => return Ok(ExitCode::SUCCESS),
            edgebss::service_windows::Outcome::NotAService(settings) => settings,
        },
        _ => settings,
    };
    telemetry::init(&settings.log);
    match cli.command {
        Command::Serve(_) => serve(settings),
        Command::Migrate => {
            startup::create_data_dir(&settings.data_dir)?;
            let db = db::Db::open(&settings.db_options())?;
            db.close();
            println!(
                "database {} is at schema version {}",
                settings.db_path().display(),
                db::migrate::latest_known_version()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { to } => {
            let dest = to.unwrap_or_else(|| {
                ops::backup::backups_dir(&settings.data_dir).join(ops::backup::file_name(
                    ops::backup::Kind::Manual,
                    ops::backup::wall_clock_now(),
                ))
            });
            let bytes = ops::backup::copy_database(&settings.db_path(), &dest)?;
            println!(
                "backed up the database to {} ({bytes} bytes)",
                dest.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let report = ops::restore::restore(&settings.data_dir, &settings.db_path(), &file)?;
            println!(
                "restored {} (schema version {}) as {}",
                file.display(),
                report.schema_version,
                settings.db_path().display()
            );
            if let Some(aside) = report.replaced {
                println!("the replaced database is kept at {}", aside.display());
            }
            println!("start the server again to use it");
            Ok(ExitCode::SUCCESS)
        }
        Command::Healthcheck { .. } => healthcheck(&settings),
        Command::Admin(cmd) => edgebss::auth::users_cli::run(&settings, cmd),
        Command::BillRun(args) => edgebss::billing::cli::bill_run(&settings, &args),
        Command::Client(cmd) => edgebss::auth::commands::run_client(&settings, cmd),
        Command::Keys(cmd) => edgebss::auth::commands::run_keys(&settings, cmd),
    }
}

fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    actix_web::rt::System::new().block_on(async move {
        let app = startup::Application::build(settings).await?;
        let state = app.state();
        tracing::info!(
            address = %state.settings.bind,
            port = app.port(),
            data_dir = %state.settings.data_dir.display(),
            "edgebss {} listening on {}://{}",
            env!("CARGO_PKG_VERSION"),
            if state.settings.tls_enabled() { "https" } else { "http" },
            std::net::SocketAddr::new(state.settings.bind.ip(), app.port()),
        );
        if let Some(demo) = app.demo_client() {
            let mut addr = std::net::SocketAddr::new(state.settings.bind.ip(), app.port());
            if addr.ip().is_unspecified() {
                addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            // Informational: a closed stdout (`serve --demo | head`) must not stop the server.
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                demo.banner(&format!(
                    "{}://{addr}",
                    if state.settings.tls_enabled() {
                        "https"
                    } else {
                        "http"
                    }
                ))
            );
        }
        actix_web::rt::spawn(ops::lifecycle::stop_on_signal(app.handle()));
        ops::lifecycle::notify_ready();
        app.run_until_stopped().await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn healthcheck(settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut addr = settings.bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let scheme = if settings.tls_enabled() {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{addr}/readyz");
    // The probe asks this machine's own server for a status and sends nothing secret, so it
    // does not verify the certificate: a certificate names the public host, never 127.0.0.1.
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(edgebss::tls::provider())
        .disable_verification(true)
        .build();
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(5)))
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .new_agent();
    let status = agent
        .get(&url)
        .call()
        .with_context(|| format!("no answer from {url}"))?
        .status();
    if status.is_success() {
        println!("ready: {url}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("not ready: {url} answered {status}");
        Ok(ExitCode::FAILURE)
    }
}
