//! `edgebss central`: head office's consumer of every branch's events (see `crate::central`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use crate::central::CentralOptions;
use crate::config::{CentralSettings, Settings};
use crate::domain::secret::Secret;

#[derive(Debug, clap::Args)]
pub struct CentralArgs {
    /// The hub's NATS server [default: central.nats_url].
    #[arg(long, value_name = "URL")]
    pub nats_url: Option<String>,
    /// The consolidated PostgreSQL database [default: central.postgres_url], e.g.
    /// postgresql://edgebss@localhost/bss.
    #[arg(
        long,
        value_name = "URL",
        env = "EDGEBSS_CENTRAL_POSTGRES_URL",
        hide_env_values = true
    )]
    pub postgres_url: Option<String>,
    /// Where /metrics is served [default: central.metrics_bind].
    #[arg(long, value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,
}

/// The options `[central]` and the flags describe.
pub fn options(settings: &CentralSettings, args: &CentralArgs) -> anyhow::Result<CentralOptions> {
    let mut central = settings.clone();
    if let Some(url) = &args.nats_url {
        central.nats_url = url.clone();
    }
    if let Some(url) = &args.postgres_url {
        central.postgres_url = Some(Secret::new(url.clone()));
    }
    if let Some(bind) = args.metrics_bind {
        central.metrics_bind = Some(bind);
    }
    central.check()?;
    let postgres_url = central.postgres_url.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no PostgreSQL database: give --postgres-url postgresql://USER@HOST/DB, or set \
             central.postgres_url"
        )
    })?;
    Ok(CentralOptions {
        link: central.link(),
        postgres_url,
        stream: central.stream.clone(),
        applied_bucket: central.applied_bucket.clone(),
        consumer: central.consumer.clone(),
        duplicate_window: Duration::from_secs(central.duplicate_window_seconds),
        max_age: Duration::from_secs(u64::from(central.stream_max_age_days) * 86_400),
        batch: central.batch,
        ack_wait: central.ack_wait(),
        metrics_bind: central.metrics_bind,
    })
}

pub fn central(settings: &Settings, args: &CentralArgs) -> anyhow::Result<ExitCode> {
    let opts = options(&settings.central, args)?;
    tracing::info!(
        nats = %opts.link.url,
        stream = %opts.stream,
        consumer = %opts.consumer,
        "edgebss {} central starting",
        env!("CARGO_PKG_VERSION")
    );
    actix_web::rt::System::new().block_on(async move {
        let stop = async {
            let signal = crate::ops::lifecycle::wait_for_signal().await;
            tracing::info!(signal, "central: stopping after the batch in hand");
            crate::ops::lifecycle::notify_stopping();
        };
        crate::ops::lifecycle::notify_ready();
        crate::central::run(opts, stop).await
    })?;
    Ok(ExitCode::SUCCESS)
}
