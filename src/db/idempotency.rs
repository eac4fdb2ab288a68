//! Idempotency keys: the answer to the first request with a key, stored with its effect.

use rusqlite::{Connection, OptionalExtension, params};

/// How long a key's answer is kept and replayed.
pub const KEEP_HOURS: i64 = 24;

/// The oldest stored answer that still counts, for a store or lookup at `now` (RFC 3339).
pub fn cutoff(now: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| {
            crate::domain::date::format_timestamp(t.to_utc() - chrono::Duration::hours(KEEP_HOURS))
        })
        .unwrap_or_default()
}

/// A stored answer.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    pub fingerprint: String,
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// The answer stored for the key since `since` (RFC 3339); older ones no longer count.
pub fn get(
    conn: &Connection,
    client_id: &str,
    key: &str,
    since: &str,
) -> rusqlite::Result<Option<StoredAnswer>> {
    conn.prepare_cached(
        "SELECT fingerprint, status, location, body FROM idempotency_keys \
         WHERE client_id = ?1 AND key = ?2 AND created_at >= ?3",
    )?
    .query_row(params![client_id, key, since], |r| {
        Ok(StoredAnswer {
            fingerprint: r.get(0)?,
            status: r.get(1)?,
            location: r.get(2)?,
            body: r.get(3)?,
        })
    })
    .optional()
}

/// Stores the answer for `(client_id, key)`. While an earlier answer stored since `since`
/// stands, it is kept (the first answer is the one replayed); an expired one is replaced.
pub fn store(
    conn: &Connection,
    client_id: &str,
    key: &str,
    answer: &StoredAnswer,
    now: &str,
    since: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO idempotency_keys (client_id, key, fingerprint, status, location, body, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (client_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, \
           status = excluded.status, location = excluded.location, body = excluded.body, \
           created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < ?8",
    )?
    .execute(params![
        client_id,
        key,
        answer.fingerprint,
        answer.status,
        answer.location,
        answer.body,
        now,
        since
    ])?;
    Ok(())
}

/// Forgets keys stored before `before` (RFC 3339), at most `limit` at a time.
pub fn prune(conn: &Connection, before: &str, limit: usize) -> rusqlite::Result<usize> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "DELETE FROM idempotency_keys WHERE (client_id, key) IN \
         (SELECT client_id, key FROM idempotency_keys WHERE created_at < ?1 LIMIT ?2)",
    )?
    .execute(params![before, limit])
}
