//! Logging: human-readable lines, or one JSON object per line when configured, to standard error
//! or to daily files. Lines are handed to a writer thread, so a slow terminal, journal or disk
//! never holds up a request.

use std::path::Path;

use anyhow::Context;
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Lines waiting for the writer thread at most. The queue's slots are allocated up front: the
/// library's default of 128,000 would keep 5 MB resident for a log that, at the default level,
/// writes a few lines a minute.
const QUEUED_LINES: usize = 8192;

/// Keeps the writer thread; dropping it writes out what is still queued. Hold it until exit.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _writer: WorkerGuard,
}

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `log.level`. Calling it twice
/// (tests start many apps in one process) keeps the first.
pub fn init(settings: &LogSettings) -> anyhow::Result<LogGuard> {
    match &settings.directory {
        Some(dir) => init_files(settings, dir),
        None => {
            // Colours only on a terminal: under systemd, stderr goes to the journal, which
            // would store the escape codes.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let (writer, guard) = writer(std::io::stderr());
            install(settings, writer, ansi);
            Ok(LogGuard { _writer: guard })
        }
    }
}

/// [`init`] writing `edgebss.log.YYYY-MM-DD` files in `dir`, a file a day, the last
/// `log.keep_days` kept (the Windows service, which has no console, always logs this way).
pub fn init_files(settings: &LogSettings, dir: &Path) -> anyhow::Result<LogGuard> {
    let files = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("edgebss.log")
        .max_log_files(settings.keep_days.max(1))
        .build(dir)
        .with_context(|| format!("failed to open the log folder {}", dir.display()))?;
    let (writer, guard) = writer(files);
    install(settings, writer, false);
    Ok(LogGuard { _writer: guard })
}

/// A writer thread in front of `out`. It keeps every line: only when [`QUEUED_LINES`] lines wait
/// to be written would a request wait for it.
fn writer<W: std::io::Write + Send + 'static>(out: W) -> (NonBlocking, WorkerGuard) {
    tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("edgebss-log")
        .finish(out)
}

fn install(settings: &LogSettings, writer: NonBlocking, ansi: bool) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    let _ = match settings.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            // The list includes the request's span, whose `request_id` every line of a request
            // then carries, however deep the span it was logged in.
            .with_span_list(true)
            .try_init(),
    };
}
