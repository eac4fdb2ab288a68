//! `edgebss sync status`: where this branch stands with head office, read from its own database
//! (safe while the server runs), so an operator can tell a link that is down from one that is
//! slow without a monitoring system.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Settings;
use crate::db::DbError;
use crate::db::sync::Progress;

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Print the site, the newest event, what the NATS server acknowledged, what head office
    /// applied, what waits and since when, re-synchronisations and the last error.
    Status,
}

pub fn run(settings: &Settings, cmd: SyncCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SyncCommand::Status => {
            let db = crate::startup::open_db(settings)?;
            let progress =
                db.read_blocking(|conn| crate::db::sync::progress(conn).map_err(DbError::from));
            db.close();
            match progress.map_err(|e| anyhow::anyhow!("{e}"))? {
                Some(p) => {
                    print!("{}", report(&p, settings.sync.nats_url.as_deref()));
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    println!(
                        "this edgebss is not a branch: set sync.site_id (and sync.nats_url) to \
                         forward its events to head office"
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
    }
}

fn report(p: &Progress, nats_url: Option<&str>) -> String {
    let s = &p.state;
    let or_never = |t: &Option<String>| t.clone().unwrap_or_else(|| "never".to_owned());
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<22}{v}\n"));
    line("site", s.site_id.as_str().to_owned());
    line(
        "broker",
        nats_url.map_or_else(|| "not set (sync.nats_url)".to_owned(), str::to_owned),
    );
    line(
        "site since",
        format!("{} (from event {})", s.adopted_at, s.first_sequence),
    );
    line("last event", p.last_sequence.to_string());
    line(
        "acknowledged",
        format!(
            "{} (last sent {})",
            s.sent_sequence,
            or_never(&s.last_sent_at)
        ),
    );
    line(
        "waiting",
        match &p.oldest_waiting_at {
            Some(at) => format!("{} (oldest from {at})", p.waiting()),
            None => p.waiting().to_string(),
        },
    );
    line(
        "applied at head office",
        format!(
            "{} (reported {})",
            s.applied_sequence,
            or_never(&s.applied_seen_at)
        ),
    );
    line(
        "re-synchronisations",
        match &s.last_resync_at {
            Some(at) => format!("{} (last {at})", s.resyncs),
            None => s.resyncs.to_string(),
        },
    );
    if let Some(error) = &s.last_error {
        line(
            "last error",
            format!("{error} ({})", or_never(&s.last_error_at)),
        );
    }
    out
}
