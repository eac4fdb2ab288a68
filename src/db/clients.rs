//! SQL for `api_clients`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::ids::ClientId;
use crate::domain::scope::ScopeSet;

const COLUMNS: &str =
    "id, name, secret_hash, scopes, enabled, created_at, last_used_at, revoked_at";

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: ClientId,
    pub name: String,
    pub secret_hash: String,
    pub scopes: ScopeSet,
    pub enabled: bool,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok(ClientRow {
        id: row.get(0)?,
        name: row.get(1)?,
        secret_hash: row.get(2)?,
        scopes: row.get(3)?,
        enabled: row.get(4)?,
        created_at: row.get(5)?,
        last_used_at: row.get(6)?,
        revoked_at: row.get(7)?,
    })
}

pub fn insert(
    conn: &Connection,
    id: &ClientId,
    name: &str,
    secret_hash: &str,
    scopes: &ScopeSet,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO api_clients (id, name, secret_hash, scopes, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, name, secret_hash, scopes, now])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &ClientId) -> rusqlite::Result<Option<ClientRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_clients WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// Every client, oldest first (ids are time-ordered).
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ClientRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_clients ORDER BY id"))?
        .query_map([], from_row)?
        .collect()
}

/// The ids whose tokens are honoured.
pub fn enabled_ids(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT id FROM api_clients WHERE enabled = 1")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Revokes an enabled client; 0 rows when it does not exist or is already revoked.
pub fn revoke(conn: &Connection, id: &ClientId, now: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE api_clients SET enabled = 0, revoked_at = ?2 WHERE id = ?1 AND enabled = 1",
    )?
    .execute(params![id, now])
}

pub fn set_secret_hash(conn: &Connection, id: &ClientId, hash: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE api_clients SET secret_hash = ?2 WHERE id = ?1")?
        .execute(params![id, hash])
}

pub fn set_last_used(conn: &Connection, id: &ClientId, now: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE api_clients SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])
}
