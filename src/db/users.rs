//! SQL for admin UI `users`, `user_sessions` and `sign_in_failures`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::user::{Role, User};

const COLUMNS: &str =
    "id, username, password_hash, role, must_change_password, disabled, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        role: r.get(3)?,
        must_change_password: r.get(4)?,
        disabled: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COUNT(*) FROM users")?
        .query_row([], |r| r.get(0))
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM users ORDER BY username COLLATE NOCASE"
    ))?
    .query_map([], from_row)?
    .collect()
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

pub fn find_by_name(conn: &Connection, username: &str) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE username = ?1"))?
        .query_row([username], from_row)
        .optional()
}

/// Adds a user; `None` when the name is taken (names are compared without case).
pub fn insert(
    conn: &Connection,
    username: &str,
    password_hash: &str,
    role: Role,
    must_change_password: bool,
    now: &str,
) -> rusqlite::Result<Option<i64>> {
    let n = conn
        .prepare_cached(
            "INSERT INTO users (username, password_hash, role, must_change_password, created_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (username) DO NOTHING",
        )?
        .execute(params![
            username,
            password_hash,
            role,
            must_change_password,
            now
        ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

pub fn set_password(
    conn: &Connection,
    id: i64,
    password_hash: &str,
    must_change_password: bool,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3, updated_at = ?4 \
             WHERE id = ?1",
        )?
        .execute(params![id, password_hash, must_change_password, now])?;
    Ok(n == 1)
}

pub fn set_role(conn: &Connection, id: i64, role: Role, now: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, role, now])?;
    Ok(n == 1)
}

pub fn set_disabled(
    conn: &Connection,
    id: i64,
    disabled: bool,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, disabled, now])?;
    Ok(n == 1)
}

/// How many enabled admins there are besides `except`.
pub fn other_enabled_admins(conn: &Connection, except: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?1",
    )?
    .query_row([except], |r| r.get(0))
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub fn insert_session(
    conn: &Connection,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO user_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )?
    .execute(params![token_hash, user_id, csrf_token, now, expires_at])?;
    Ok(())
}

pub fn get_session(conn: &Connection, token_hash: &str) -> rusqlite::Result<Option<SessionRow>> {
    conn.prepare_cached(
        "SELECT u.id, u.username, u.password_hash, u.role, u.must_change_password, u.disabled, \
         u.created_at, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at \
         FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
    )?
    .query_row([token_hash], |r| {
        Ok(SessionRow {
            user: from_row(r)?,
            csrf_token: r.get(7)?,
            created_at: r.get(8)?,
            last_seen_at: r.get(9)?,
            expires_at: r.get(10)?,
        })
    })
    .optional()
}

pub fn touch_session(conn: &Connection, token_hash: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE user_sessions SET last_seen_at = ?2 WHERE token_hash = ?1")?
        .execute(params![token_hash, now])?;
    Ok(())
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM user_sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Ends every session of a user (password reset, disabling, role change).
pub fn delete_sessions_of(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM user_sessions WHERE user_id = ?1")?
        .execute([user_id])?;
    Ok(())
}

/// Removes sessions that can no longer be used.
pub fn delete_expired_sessions(
    conn: &Connection,
    now: i64,
    idle_secs: i64,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM user_sessions WHERE expires_at <= ?1 OR last_seen_at <= ?1 - ?2",
    )?
    .execute(params![now, idle_secs])
}

#[derive(Debug, Clone, Copy)]
pub struct Failures {
    pub failures: i64,
    pub window_start: i64,
    pub locked_until: Option<i64>,
}

pub fn get_failures(conn: &Connection, key: &str) -> rusqlite::Result<Option<Failures>> {
    conn.prepare_cached(
        "SELECT failures, window_start, locked_until FROM sign_in_failures WHERE key = ?1",
    )?
    .query_row([key], |r| {
        Ok(Failures {
            failures: r.get(0)?,
            window_start: r.get(1)?,
            locked_until: r.get(2)?,
        })
    })
    .optional()
}

pub fn put_failures(conn: &Connection, key: &str, f: Failures) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sign_in_failures (key, failures, window_start, locked_until) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO UPDATE SET failures = ?2, \
         window_start = ?3, locked_until = ?4",
    )?
    .execute(params![key, f.failures, f.window_start, f.locked_until])?;
    Ok(())
}

pub fn clear_failures(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM sign_in_failures WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}
