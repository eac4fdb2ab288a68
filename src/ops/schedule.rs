//! The daily backup, taken by the server itself.
//!
//! Every backup is named after its local date (`edgebss-scheduled-2026-11-26.db`), so "has
//! today's backup been taken?" is answered by the backups folder itself: no state to lose, a
//! restart never takes a second one, and a server that was down at `backup.time` takes the day's
//! backup as soon as it runs again that day. The check runs on the application clock, so a demo
//! or test clock moved forward takes the backups of the days it reaches.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};

use super::BackupSettings;
use super::backup::{self, Kind, SCHEDULED_PREFIX};
use crate::domain::clock::Clock;

/// How often the server looks whether the day's backup is due.
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// What the daily backups did since start, for `/metrics` (which reads the time of the newest
/// backup from the backups folder itself).
#[derive(Debug, Default)]
pub struct BackupStatus {
    /// Daily backups that failed since start.
    pub failures: AtomicU64,
}

/// Starts the daily backup task; abort the handle to stop it.
pub fn spawn(
    settings: BackupSettings,
    db_path: PathBuf,
    clock: Clock,
    status: Arc<BackupStatus>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let at = settings.time_of_day()?;
    let keep = settings.keep as usize;
    let dir = backup::backups_dir(db_path.parent().unwrap_or(Path::new(".")));
    Ok(tokio::spawn(async move {
        loop {
            let local = clock.now().with_timezone(&clock.timezone()).naive_local();
            if let Some(date) = due(local.date(), local.time(), at) {
                let (db, dir) = (db_path.clone(), dir.clone());
                let taken =
                    tokio::task::spawn_blocking(move || take_if_missing(&db, &dir, date, keep))
                        .await;
                match taken {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        status.failures.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(error = format!("{e:#}"), "the daily backup failed");
                    }
                    Err(e) => {
                        status.failures.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(error = %e, "the daily backup task stopped");
                    }
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    }))
}

/// The date whose backup is due at local `date` + `time`, if any.
fn due(date: NaiveDate, time: NaiveTime, at: NaiveTime) -> Option<NaiveDate> {
    (time >= at).then_some(date)
}

/// Takes the backup for `date` unless it exists, then keeps only the newest `keep`. Returns the
/// new backup's size when one was taken.
fn take_if_missing(
    db: &Path,
    dir: &Path,
    date: NaiveDate,
    keep: usize,
) -> anyhow::Result<Option<u64>> {
    let dest = dir.join(backup::file_name(
        Kind::Scheduled(date),
        backup::wall_clock_now(),
    ));
    if dest.exists() {
        return Ok(None);
    }
    let size = backup::copy_database(db, &dest)?;
    tracing::info!(file = %dest.display(), bytes = size, "took the daily backup");
    prune(dir, keep)?;
    Ok(Some(size))
}

/// Deletes all but the newest `keep` daily backups. Other files are never touched.
pub fn prune(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut daily: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("failed to list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(SCHEDULED_PREFIX) && n.ends_with(".db"))
        })
        .collect();
    // Names carry ISO dates, so name order is age order.
    daily.sort();
    let excess = daily.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = daily.into_iter().take(excess).collect();
    for path in &removed {
        std::fs::remove_file(path)
            .with_context(|| format!("failed to delete the old backup {}", path.display()))?;
        tracing::info!(file = %path.display(), "deleted an old daily backup");
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_s_backup_is_due_from_its_time_on() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let at = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        assert_eq!(
            due(d, NaiveTime::from_hms_opt(2, 59, 59).unwrap(), at),
            None
        );
        assert_eq!(due(d, at, at), Some(d));
        assert_eq!(
            due(d, NaiveTime::from_hms_opt(23, 0, 0).unwrap(), at),
            Some(d)
        );
    }

    #[test]
    fn pruning_keeps_the_newest_daily_backups_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "edgebss-scheduled-2026-11-23.db",
            "edgebss-scheduled-2026-11-25.db",
            "edgebss-scheduled-2026-11-24.db",
            "edgebss-manual-20261101T000000.000Z.db",
            "edgebss-pre-migration-v1-20261101T000000.000Z.db",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let removed = prune(dir.path(), 2).unwrap();
        assert_eq!(
            removed,
            vec![dir.path().join("edgebss-scheduled-2026-11-23.db")]
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    }
}
