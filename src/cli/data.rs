//! `edgebss migrate`, `backup` and `restore`: the database file itself.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Settings;
use crate::db;
use crate::ops;

pub fn migrate(settings: &Settings) -> anyhow::Result<ExitCode> {
    let db = crate::startup::open_db(settings)?;
    db.close();
    println!(
        "database {} is at schema version {}",
        settings.db_path().display(),
        db::migrate::latest_known_version()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn backup(settings: &Settings, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let dest = to.unwrap_or_else(|| {
        ops::backup::backups_dir(&settings.data_dir).join(ops::backup::file_name(
            ops::backup::Kind::Manual,
            ops::backup::wall_clock_now(),
        ))
    });
    let bytes = ops::backup::copy_database(&settings.db_path(), &dest)?;
    println!(
        "backed up the database to {} ({bytes} bytes)",
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<ExitCode> {
    let report = ops::restore::restore(&settings.data_dir, &settings.db_path(), file)?;
    println!(
        "restored {} (schema version {}) as {}",
        file.display(),
        report.schema_version,
        settings.db_path().display()
    );
    if let Some(aside) = report.replaced {
        println!("the replaced database is kept at {}", aside.display());
    }
    println!("start the server again to use it");
    Ok(ExitCode::SUCCESS)
}
