//! `edgebss serve` and `edgebss healthcheck`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;

pub fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    actix_web::rt::System::new().block_on(async move {
        let app = crate::startup::Application::build(settings).await?;
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
        actix_web::rt::spawn(crate::ops::lifecycle::stop_on_signal(app.handle()));
        crate::ops::lifecycle::notify_ready();
        app.run_until_stopped().await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn healthcheck(settings: &Settings) -> anyhow::Result<ExitCode> {
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
    let status = actix_web::rt::System::new().block_on(async {
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .context("failed to set up the HTTP client")?;
        let res = client.get(&url).send().await;
        res.map(|r| r.status())
            .with_context(|| format!("no answer from {url}"))
    })?;
    if status.is_success() {
        println!("ready: {url}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("not ready: {url} answered {status}");
        Ok(ExitCode::FAILURE)
    }
}
