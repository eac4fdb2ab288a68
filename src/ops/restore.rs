//! `edgebss restore FILE`: replace the database with a backup, with the server stopped.
//!
//! Order matters, so that a failure at any step leaves a working data folder: the backup is
//! first copied next to the database and checked there (integrity, an edgebss schema no newer
//! than this binary's); only then is the current database moved aside into `backups/` and the
//! checked copy renamed into its place.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

use super::backup::{self, Kind};
use super::lock::DataDirLock;
use crate::db::migrate;

#[derive(Debug)]
pub struct RestoreReport {
    /// Schema version of the restored database; start-up migrates it if it is older.
    pub schema_version: i64,
    /// Where the database that was replaced now lives (none if there was none).
    pub replaced: Option<PathBuf>,
}

/// Restores `file` as the database `db_path` of the data folder `data_dir`.
pub fn restore(data_dir: &Path, db_path: &Path, file: &Path) -> anyhow::Result<RestoreReport> {
    anyhow::ensure!(file.is_file(), "there is no backup file {}", file.display());
    super::fs::create_data_dir(data_dir)?;
    let _lock = DataDirLock::acquire(data_dir, "restore")?;

    let staged = db_path.with_file_name("edgebss.db.restoring");
    if staged.exists() {
        std::fs::remove_file(&staged)
            .with_context(|| format!("failed to remove {}", staged.display()))?;
    }
    backup::copy_database(file, &staged).with_context(|| {
        format!(
            "{} cannot be restored: it is not a readable, intact SQLite database",
            file.display()
        )
    })?;
    let schema_version = match check_schema(&staged, file) {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };

    let replaced = if db_path.exists() {
        Some(move_aside(db_path, &backup::backups_dir(data_dir))?)
    } else {
        None
    };
    std::fs::rename(&staged, db_path).with_context(|| {
        format!(
            "failed to move the restored database into place; it is at {}",
            staged.display()
        )
    })?;
    super::fs::sync_parent_dir(db_path);
    Ok(RestoreReport {
        schema_version,
        replaced,
    })
}

/// The copy must be an edgebss database this binary can run.
fn check_schema(staged: &Path, file: &Path) -> anyhow::Result<i64> {
    let conn = Connection::open_with_flags(staged, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version = migrate::applied_version(&conn)?;
    anyhow::ensure!(
        version > 0,
        "{} is not an edgebss database (it has no schema history); nothing was changed",
        file.display()
    );
    let known = migrate::latest_known_version();
    anyhow::ensure!(
        version <= known,
        "{} has schema version {version}, newer than this edgebss {} understands (up to \
         {known}); install the edgebss that made it. Nothing was changed.",
        file.display(),
        env!("CARGO_PKG_VERSION"),
    );
    Ok(version)
}

/// Moves the database and its write-ahead log files into `backups/`, keeping them together (a
/// log left by a crash still holds committed data and is replayed when the file is opened).
fn move_aside(db_path: &Path, backups: &Path) -> anyhow::Result<PathBuf> {
    super::fs::create_private_dir(backups)?;
    let aside = backups.join(backup::file_name(Kind::Replaced, backup::wall_clock_now()));
    std::fs::rename(db_path, &aside).with_context(|| {
        format!(
            "failed to move {} aside to {}",
            db_path.display(),
            aside.display()
        )
    })?;
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(db_path, suffix);
        if from.exists() {
            // Were this log left in place, SQLite would replay it into the restored database.
            std::fs::rename(&from, with_suffix(&aside, suffix)).with_context(|| {
                format!(
                    "failed to move {} aside; remove it by hand, then rename {} to {}",
                    from.display(),
                    db_path.with_file_name("edgebss.db.restoring").display(),
                    db_path.display()
                )
            })?;
        }
    }
    Ok(aside)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
