//! Running as a Windows service.
//!
//! The .msi registers `edgebss.exe … serve` with the service manager. A console program cannot be
//! a service (the service manager would kill it after 30 seconds), so `serve` first offers itself
//! to the service manager's dispatcher: started by the service manager, it then reports
//! `StartPending` → `Running`, serves, and on `Stop`/`Shutdown` reports `StopPending` and stops
//! exactly like SIGTERM does on Linux (requests in flight answered, writer drained, WAL
//! checkpointed) before reporting `Stopped`. Started from a console, the dispatcher refuses at
//! once (error 1063) and `serve` runs as a console program. The service logs to files in
//! `<data_dir>\logs`, having no console.

use std::ffi::OsString;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use windows_service::service::{
    ServiceControl, ServiceControlAccept, ServiceExitCode, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::{define_windows_service, service_dispatcher};

use crate::config::Settings;
use crate::startup::Application;

/// The service name the .msi installs (`packaging/windows/edgebss.wxs`).
pub const SERVICE_NAME: &str = "edgebss";

/// `ERROR_FAILED_SERVICE_CONTROLLER_CONNECT`: not started by the service manager.
const NOT_A_SERVICE: i32 = 1063;

/// The service manager calls back into [`service_main`] with no way to pass our settings along,
/// so they wait here, set once before the dispatcher starts.
static SETTINGS: OnceLock<Settings> = OnceLock::new();

pub enum Outcome {
    /// The service ran and has stopped.
    RanAsService,
    /// Started from a console: serve as a console program with these settings.
    NotAService(Settings),
}

define_windows_service!(ffi_service_main, service_main);

pub fn run_if_started_as_service(settings: Settings) -> anyhow::Result<Outcome> {
    let _ = SETTINGS.set(settings.clone());
    match service_dispatcher::start(SERVICE_NAME, ffi_service_main) {
        Ok(()) => Ok(Outcome::RanAsService),
        Err(windows_service::Error::Winapi(e)) if e.raw_os_error() == Some(NOT_A_SERVICE) => {
            Ok(Outcome::NotAService(settings))
        }
        Err(e) => Err(e).context("the Windows service manager refused to start edgebss"),
    }
}

fn service_main(_arguments: Vec<OsString>) {
    if let Err(e) = run_service() {
        tracing::error!(error = format!("{e:#}"), "the edgebss service failed");
    }
}

/// Restricts the data folder (every customer, the signing keys, backups) to SYSTEM and
/// Administrators, as 0700 does on Linux: under `%ProgramData%` every local user could read it
/// otherwise. Done at each start (cheap, and repairs a loosened folder) with Windows' own
/// `icacls`, by well-known SIDs so the names' language does not matter. The service does not
/// start with a folder it could not protect.
fn protect_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    let output = std::process::Command::new("icacls")
        .arg(dir)
        .args([
            "/inheritance:r",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
            "*S-1-5-32-544:(OI)(CI)F",
            "/Q",
        ])
        .output()
        .context("failed to run icacls to protect the data folder")?;
    anyhow::ensure!(
        output.status.success(),
        "icacls could not restrict the data folder {} to SYSTEM and Administrators: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout)
    );
    Ok(())
}

fn status(state: ServiceState, exit_code: u32, wait_hint: Duration) -> ServiceStatus {
    ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state: state,
        controls_accepted: if state == ServiceState::Running {
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
        } else {
            ServiceControlAccept::empty()
        },
        exit_code: ServiceExitCode::Win32(exit_code),
        checkpoint: 0,
        wait_hint,
        process_id: None,
    }
}

fn run_service() -> anyhow::Result<()> {
    let settings = SETTINGS
        .get()
        .cloned()
        .context("the service started without settings")?;
    crate::ops::fs::create_data_dir(&settings.data_dir)?;
    // A service has no console: log to `<data_dir>\logs\edgebss.log.YYYY-MM-DD` (or
    // `log.directory`), a file a day, the last `log.keep_days` kept. The guard writes out what
    // is queued when the service ends.
    let logs = settings
        .log
        .directory
        .clone()
        .unwrap_or_else(|| settings.data_dir.join("logs"));
    let _log = crate::telemetry::init_files(&settings.log, &logs)?;
    protect_data_dir(&settings.data_dir)?;
    let (stop_tx, mut stop_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let status_handle =
        service_control_handler::register(SERVICE_NAME, move |control| match control {
            ServiceControl::Stop | ServiceControl::Shutdown => {
                let _ = stop_tx.send(());
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
            _ => ServiceControlHandlerResult::NotImplemented,
        })
        .context("failed to register with the Windows service manager")?;
    // Migrations (and the backup before them) may take a while on a large database.
    status_handle.set_service_status(status(
        ServiceState::StartPending,
        0,
        Duration::from_secs(120),
    ))?;

    let served = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        status_handle.set_service_status(status(ServiceState::Running, 0, Duration::ZERO))?;
        tracing::info!(port = app.port(), "edgebss service running");
        let handle = app.handle();
        actix_web::rt::spawn(async move {
            if stop_rx.recv().await.is_some() {
                tracing::info!("stop requested by the service manager");
                let _ = status_handle.set_service_status(status(
                    ServiceState::StopPending,
                    0,
                    Duration::from_secs(45),
                ));
                handle.stop(true).await;
            }
        });
        app.run_until_stopped().await
    });
    let exit_code = u32::from(served.is_err());
    status_handle.set_service_status(status(ServiceState::Stopped, exit_code, Duration::ZERO))?;
    served
}
