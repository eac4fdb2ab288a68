//! SQL for `settings`: the values saved on the Settings page.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::domain::settings::Changed;

/// Every saved setting with who saved it and when.
pub fn all(
    conn: &Connection,
) -> rusqlite::Result<(BTreeMap<String, Value>, BTreeMap<String, Changed>)> {
    let mut values = BTreeMap::new();
    let mut changed = BTreeMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT key, value, updated_at, updated_by FROM settings ORDER BY key")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (key, text, at, by) = row?;
        // A row that is not JSON cannot be written through the CHECK; skip rather than fail.
        if let Ok(v) = serde_json::from_str(&text) {
            values.insert(key.clone(), v);
            changed.insert(key, Changed { at, by });
        }
    }
    Ok((values, changed))
}

pub fn put(
    conn: &Connection,
    key: &str,
    value: &Value,
    now: &str,
    by: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )?
    .execute(params![key, value.to_string(), now, by])?;
    Ok(())
}

/// Forgets a saved value: the file's value applies again.
pub fn remove(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM settings WHERE key = ?1")?
        .execute([key])?
        > 0)
}
