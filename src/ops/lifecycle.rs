//! Start and stop as a service manager expects.
//!
//! systemd (`Type=notify`) is told `READY=1` once the port is bound and the database migrated,
//! and `STOPPING=1` when a stop begins. SIGTERM and Ctrl-C (SIGINT) both stop gracefully: no new
//! connections, requests in flight answered, then the writer drains its queue and checkpoints the
//! write-ahead log. actix's own signal handling is turned off in start-up because it treats
//! Ctrl-C as an immediate, non-graceful stop.

use actix_web::dev::ServerHandle;

/// Tells systemd the server is ready to serve (nothing happens outside systemd).
pub fn notify_ready() {
    #[cfg(unix)]
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(error = %e, "could not tell systemd the server is ready");
    }
}

/// Tells systemd a stop has begun.
pub fn notify_stopping() {
    #[cfg(unix)]
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Stopping]) {
        tracing::warn!(error = %e, "could not tell systemd the server is stopping");
    }
}

/// Waits for SIGTERM or Ctrl-C, then stops the server behind `handle` gracefully.
pub async fn stop_on_signal(handle: ServerHandle) {
    let signal = wait_for_signal().await;
    tracing::info!(
        signal,
        "stopping: finishing requests in flight, then closing the database"
    );
    notify_stopping();
    handle.stop(true).await;
}

#[cfg(unix)]
pub async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
pub async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}
