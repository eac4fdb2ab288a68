//! `edgebss audit verify`: checks the whole audit trail's hash chain.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Settings;
use crate::service::audit::{self, Verdict};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed or removed since it was written: exits 0 when the
    /// chain is intact, 1 naming the first entry that does not match.
    Verify,
}

pub fn run(settings: &Settings, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => {
            let db = crate::startup::open_db(settings)?;
            let verdict = audit::verify(&db).map_err(|e| anyhow::anyhow!("{e}"));
            db.close();
            match verdict? {
                Verdict::Intact { entries } => {
                    println!("audit trail intact: {entries} entries, every hash matches");
                    Ok(ExitCode::SUCCESS)
                }
                Verdict::Broken { sequence, reason } => {
                    eprintln!("audit trail broken at entry {sequence}: {reason}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
