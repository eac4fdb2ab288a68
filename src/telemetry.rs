//! Logging: human-readable lines on the console, or one JSON object per line when configured.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `log.level`. Calling it twice
/// (tests start many apps in one process) keeps the first.
pub fn init(settings: &LogSettings) {
    // Colours only on a terminal: under systemd, stderr goes to the journal, which would store
    // the escape codes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    init_to(settings, std::io::stderr, ansi);
}

/// [`init`] writing to `writer` (the Windows service, which has no console, logs to files).
pub fn init_to<W>(settings: &LogSettings, writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
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
            // The list includes the request's root span, whose `request_id` every line of a
            // request then carries, however deep the span it was logged in.
            .with_span_list(true)
            .try_init(),
    };
}
