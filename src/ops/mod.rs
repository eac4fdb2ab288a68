//! Running edgebss unattended: backups (on demand, scheduled, before migrations), restore, the
//! data-folder lock that tells a running server from a stopped one, and the process lifecycle
//! (readiness and stop signals).

pub mod backup;
pub mod fs;
pub mod lifecycle;
pub mod lock;
pub mod restore;
pub mod schedule;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// `[backup]`: the daily backup the server takes by itself into `<data_dir>/backups/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSettings {
    /// Take a backup every day.
    pub enabled: bool,
    /// Time of day (`HH:MM`, in `billing.timezone`) from which the day's backup is due. A server
    /// that was down at that time takes it as soon as it runs again that day.
    pub time: String,
    /// How many daily backups to keep; older ones are deleted. Backups taken by hand, before a
    /// migration or before a restore are never deleted.
    pub keep: u32,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            time: "03:00".to_owned(),
            keep: 7,
        }
    }
}

impl BackupSettings {
    pub fn check(&self) -> anyhow::Result<()> {
        self.time_of_day()?;
        anyhow::ensure!(
            self.keep >= 1,
            "invalid configuration: backup.keep must be at least 1 (set backup.enabled = false \
             to turn daily backups off)"
        );
        Ok(())
    }

    pub fn time_of_day(&self) -> anyhow::Result<NaiveTime> {
        NaiveTime::parse_from_str(&self.time, "%H:%M").map_err(|_| {
            anyhow::anyhow!(
                "invalid configuration: backup.time `{}` is not a time of day such as 03:00",
                self.time
            )
        })
    }
}
