//! Consistent copies of the live database with SQLite's online backup API.
//!
//! The copy is made from a connection of its own, in a single backup step: that step holds one
//! read transaction for the whole copy, so it sees one snapshot of the database, and with
//! write-ahead logging the server's writer goes on committing meanwhile. (Copying a few pages per
//! step would let each commit restart the copy, possibly forever under a steady write load.)
//! The copy is written beside its final name, checked with `PRAGMA integrity_check`, flushed to
//! disk and only then renamed, so a file with a backup's name is always a complete backup.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::fs::{create_private_dir, create_private_file, sync_parent_dir};

/// Name of the folder, inside the data folder, that holds backups.
pub const BACKUPS_DIR: &str = "backups";

/// Why a backup was taken; it names the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `edgebss backup` without `--to`.
    Manual,
    /// The daily backup for this (local) date.
    Scheduled(NaiveDate),
    /// Taken at start-up before migrating a database from this schema version.
    PreMigration(i64),
    /// The database a restore replaced.
    Replaced,
}

/// Prefix shared by every daily backup; pruning only ever touches files that carry it.
pub const SCHEDULED_PREFIX: &str = "edgebss-scheduled-";

/// The file name for a backup of `kind` taken at `now`.
pub fn file_name(kind: Kind, now: DateTime<Utc>) -> String {
    let stamp = now.format("%Y%m%dT%H%M%S%.3fZ");
    match kind {
        Kind::Manual => format!("edgebss-manual-{stamp}.db"),
        Kind::Scheduled(date) => format!("{SCHEDULED_PREFIX}{date}.db"),
        Kind::PreMigration(version) => format!("edgebss-pre-migration-v{version}-{stamp}.db"),
        Kind::Replaced => format!("edgebss-replaced-{stamp}.db"),
    }
}

pub fn backups_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUPS_DIR)
}

/// The wall-clock instant used to name backups taken outside the server (CLI, start-up): a
/// backup's name should say when it really happened, whatever a demo clock says.
pub fn wall_clock_now() -> DateTime<Utc> {
    crate::domain::clock::Clock::system(chrono_tz::UTC).now()
}

/// Copies the database at `src` into the new file `dest` (which must not exist) and returns its
/// size in bytes. Safe while a server uses `src`.
pub fn copy_database(src: &Path, dest: &Path) -> anyhow::Result<u64> {
    anyhow::ensure!(
        src.is_file(),
        "there is no database at {} (check --data-dir or --config)",
        src.display()
    );
    anyhow::ensure!(
        !dest.exists(),
        "{} already exists; give another file name",
        dest.display()
    );
    let file_name = dest
        .file_name()
        .with_context(|| format!("{} is not a file name", dest.display()))?;
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let mut partial_name = file_name.to_owned();
    partial_name.push(".partial");
    let partial = dest.with_file_name(partial_name);
    if partial.exists() {
        // Left over by an interrupted backup: never a valid backup, safe to replace.
        std::fs::remove_file(&partial)
            .with_context(|| format!("failed to remove {}", partial.display()))?;
    }
    let result = write_copy(src, &partial).and_then(|size| {
        std::fs::rename(&partial, dest).with_context(|| {
            format!(
                "failed to rename {} to {}",
                partial.display(),
                dest.display()
            )
        })?;
        sync_parent_dir(dest);
        Ok(size)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.with_context(|| format!("backup of {} failed", src.display()))
}

fn write_copy(src: &Path, partial: &Path) -> anyhow::Result<u64> {
    create_private_file(partial)?;
    let source = Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("failed to open {}", src.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    let mut target = Connection::open(partial)
        .with_context(|| format!("failed to create {}", partial.display()))?;
    {
        let backup = Backup::new(&source, &mut target)?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // `Busy` and `Locked` (and any future "not now") mean: try again shortly.
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ => {
                    anyhow::ensure!(
                        Instant::now() < deadline,
                        "the database stayed locked for a minute"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
    drop(source);
    // A backup is one self-contained file: no write-ahead log beside it.
    let mode: String = target.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("delete"),
        "the copy stayed in journal mode {mode}"
    );
    let check = integrity_check(&target)?;
    anyhow::ensure!(
        check == "ok",
        "the copy failed its integrity check: {check}"
    );
    target
        .close()
        .map_err(|(_, e)| e)
        .context("failed to close the copy")?;
    let file = std::fs::File::open(partial)?;
    file.sync_all()
        .with_context(|| format!("failed to flush {} to disk", partial.display()))?;
    Ok(file.metadata()?.len())
}

/// `PRAGMA integrity_check`'s answer: `ok`, or the problems found, one per line.
pub fn integrity_check(conn: &Connection) -> anyhow::Result<String> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()
        .context("the integrity check could not run")?;
    Ok(lines.join("\n"))
}

/// Takes the backup start-up needs before migrating the database at `db_path` from schema
/// `from_version`: if a migration goes wrong, this file is the way back.
pub fn before_migration(db_path: &Path, from_version: i64) -> anyhow::Result<PathBuf> {
    let data_dir = db_path.parent().unwrap_or(Path::new("."));
    let dest = backups_dir(data_dir).join(file_name(
        Kind::PreMigration(from_version),
        wall_clock_now(),
    ));
    let size = copy_database(db_path, &dest)
        .context("could not back up the database before migrating it; nothing was changed")?;
    tracing::info!(
        file = %dest.display(),
        bytes = size,
        from_version,
        "backed up the database before migrating it"
    );
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_sort_by_time_and_tell_the_kind() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T03:00:01.5Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            file_name(Kind::Manual, t),
            "edgebss-manual-20261126T030001.500Z.db"
        );
        assert_eq!(
            file_name(Kind::PreMigration(3), t),
            "edgebss-pre-migration-v3-20261126T030001.500Z.db"
        );
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(
            file_name(Kind::Scheduled(d), t),
            "edgebss-scheduled-2026-11-26.db"
        );
    }

    #[test]
    fn a_copy_refuses_to_overwrite_and_needs_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.db");
        let err = copy_database(&src, &dir.path().join("b.db")).unwrap_err();
        assert!(err.to_string().contains("no database"), "{err:#}");
        Connection::open(&src)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        std::fs::write(dir.path().join("b.db"), b"x").unwrap();
        let err = copy_database(&src, &dir.path().join("b.db")).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err:#}");
        copy_database(&src, &dir.path().join("sub/c.db")).unwrap();
        let n: i64 = Connection::open(dir.path().join("sub/c.db"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
