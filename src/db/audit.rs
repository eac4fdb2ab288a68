//! The audit trail's rows: appended (hash-chained) in the same write job as each change, listed
//! with filters, read in order for verification. Triggers in the schema refuse updates and
//! deletes.

use rusqlite::{Connection, Row, params};
use serde_json::value::RawValue;

use crate::domain::audit::{AuditEntry, AuditFilter, GENESIS_HASH, canonical, chain_hash};
use crate::domain::origin::Actor;

/// An entry about to be stored.
pub struct NewAudit<'a> {
    pub at: &'a str,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// The changed fields as compact JSON.
    pub changes: &'a str,
    pub request_id: Option<&'a str>,
    pub source: Option<&'a str>,
}

/// Stores an entry chained to the last one. Runs on the writer, so entries are chained one after
/// another; the sequence continues from the highest ever given (AUTOINCREMENT's record), so a
/// removed last entry leaves a gap that verification reports.
pub fn append(conn: &Connection, e: &NewAudit<'_>) -> rusqlite::Result<i64> {
    let (last, prev): (i64, Option<String>) = conn
        .prepare_cached(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0), \
                    (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let prev = prev.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let seq = last + 1;
    let content = canonical(
        seq,
        e.at,
        e.actor.kind,
        &e.actor.id,
        e.action,
        (e.object_type, e.object_id),
        e.changes,
        e.request_id,
        e.source,
    );
    let hash = chain_hash(&prev, &content);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor_kind, actor_id, action, object_type, object_id, \
         changes, request_id, source, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        seq,
        e.at,
        e.actor.kind,
        e.actor.id,
        e.action,
        e.object_type,
        e.object_id,
        e.changes,
        e.request_id,
        e.source,
        prev,
        hash
    ])?;
    Ok(seq)
}

const COLUMNS: &str = "seq, at, actor_kind, actor_id, action, object_type, object_id, changes, \
                       request_id, source, prev_hash, hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let changes: String = r.get(7)?;
    Ok(AuditEntry {
        sequence: r.get(0)?,
        at: r.get(1)?,
        actor: Actor {
            kind: r.get(2)?,
            id: r.get(3)?,
        },
        action: r.get(4)?,
        object_type: r.get(5)?,
        object_id: r.get(6)?,
        changes: RawValue::from_string(changes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?,
        request_id: r.get(8)?,
        source: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// Up to `limit` entries matching `filter`, in sequence order.
pub fn list(conn: &Connection, f: &AuditFilter, limit: usize) -> rusqlite::Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 \
         AND (?2 IS NULL OR object_id = ?2) AND (?3 IS NULL OR actor_id = ?3) \
         AND (?4 IS NULL OR object_type = ?4) AND (?5 IS NULL OR at >= ?5) \
         AND (?6 IS NULL OR at < ?6) ORDER BY seq LIMIT ?7"
    ))?
    .query_map(
        params![
            f.after,
            f.object_id,
            f.actor,
            f.object_type,
            f.from,
            f.to,
            limit
        ],
        from_row,
    )?
    .collect()
}

/// The newest entries first, for the admin UI's Activity page: up to `limit` before `before`
/// (a sequence number; `None` for the newest).
pub fn newest(
    conn: &Connection,
    f: &AuditFilter,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // An object's or an actor's entries are read through their index, newest first: written as
    // `?n IS NULL OR ...` the condition would hide the index, and a page about one customer
    // would read the whole trail backwards to find its few entries.
    let (index, object, actor) = match (&f.object_id, &f.actor) {
        (Some(_), _) => (
            "INDEXED BY audit_by_object",
            "object_id = ?2",
            "(?3 IS NULL OR actor_id = ?3)",
        ),
        (None, Some(_)) => ("INDEXED BY audit_by_actor", "?2 IS NULL", "actor_id = ?3"),
        (None, None) => ("", "?2 IS NULL", "?3 IS NULL"),
    };
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log {index} WHERE (?1 IS NULL OR seq < ?1) \
         AND {object} AND {actor} \
         AND (?4 IS NULL OR object_type = ?4) AND (?5 IS NULL OR at >= ?5) \
         AND (?6 IS NULL OR at < ?6) ORDER BY seq DESC LIMIT ?7"
    ))?
    .query_map(
        params![
            before,
            f.object_id,
            f.actor,
            f.object_type,
            f.from,
            f.to,
            limit
        ],
        from_row,
    )?
    .collect()
}

/// Walks the whole trail in order, calling `visit` with each entry; stops at the first `Err`.
pub fn walk<E: From<rusqlite::Error>>(
    conn: &Connection,
    mut visit: impl FnMut(AuditEntry) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(from_row(row)?)?;
    }
    Ok(())
}

/// The highest sequence number ever given (it stays when the last entries are removed).
pub fn highest_given(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)",
        [],
        |r| r.get(0),
    )
}
