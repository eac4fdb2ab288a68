//! Schema migrations, embedded in the binary from `migrations/`.

use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The newest schema version this binary knows.
pub fn latest_known_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The schema version recorded in `conn`'s database, 0 for a fresh one.
pub fn applied_version(conn: &Connection) -> anyhow::Result<i64> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?)
}

/// Refuses, without writing a byte, a database made by a newer edgebss: running old code on a
/// newer schema could silently lose what the newer version stores.
pub fn refuse_newer_schema(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("failed to open the database {}", path.display()))?;
    let applied = applied_version(&conn)
        .with_context(|| format!("{} is not an edgebss database", path.display()))?;
    let known = latest_known_version();
    anyhow::ensure!(
        applied <= known,
        "the database {} has schema version {applied}, newer than this edgebss {} understands \
         (up to {known}). Install the newer edgebss again, or restore a backup made by this \
         version. The database was not changed.",
        path.display(),
        env!("CARGO_PKG_VERSION"),
    );
    Ok(())
}

/// Whether `conn` has migrations this binary would apply.
pub fn has_pending(conn: &Connection) -> anyhow::Result<bool> {
    Ok(applied_version(conn)? < latest_known_version())
}

/// Applies the pending migrations up to and including `version` only: how a database of an older
/// edgebss is made (upgrade tests, reproducing a user's database).
pub fn run_up_to(conn: &mut Connection, version: i32) -> anyhow::Result<()> {
    embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_target(refinery::Target::Version(version))
        .run(conn)
        .context("failed to apply database migrations")?;
    Ok(())
}

/// Applies every pending migration, all in one transaction: an upgrade interrupted half-way
/// leaves the database as it was, and a fresh data folder costs one commit (one fsync) instead
/// of one per migration, which is most of the time to the first start's readiness on a slow
/// disk.
pub fn run(conn: &mut Connection) -> anyhow::Result<()> {
    let report = embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_grouped(true)
        .run(conn)
        .context("failed to apply database migrations")?;
    for m in report.applied_migrations() {
        tracing::info!(version = m.version(), name = m.name(), "applied migration");
    }
    Ok(())
}
