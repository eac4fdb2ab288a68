//! This edge's site and the forwarder's progress (`sync_site`, one row at most).

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::site::{Series, SiteId};

/// The site row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub site_id: SiteId,
    pub first_sequence: i64,
    pub adopted_at: String,
    pub sent_sequence: i64,
    pub subject_sequence: u64,
    pub last_sent_at: Option<String>,
    pub applied_sequence: i64,
    pub applied_seen_at: Option<String>,
    pub resyncs: u64,
    pub last_resync_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SyncState> {
    let site: String = r.get(0)?;
    let site_id = SiteId::parse("site_id", &site).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.message.into())
    })?;
    Ok(SyncState {
        site_id,
        first_sequence: r.get(1)?,
        adopted_at: r.get(2)?,
        sent_sequence: r.get(3)?,
        subject_sequence: r.get::<_, i64>(4)?.try_into().unwrap_or(0),
        last_sent_at: r.get(5)?,
        applied_sequence: r.get(6)?,
        applied_seen_at: r.get(7)?,
        resyncs: r.get::<_, i64>(8)?.try_into().unwrap_or(0),
        last_resync_at: r.get(9)?,
        last_error: r.get(10)?,
        last_error_at: r.get(11)?,
    })
}

pub fn state(conn: &Connection) -> rusqlite::Result<Option<SyncState>> {
    conn.prepare_cached(
        "SELECT site_id, first_sequence, adopted_at, sent_sequence, subject_sequence, \
         last_sent_at, applied_sequence, applied_seen_at, resyncs, last_resync_at, last_error, \
         last_error_at FROM sync_site",
    )?
    .query_row([], from_row)
    .optional()
}

/// The document series of this database: its site's, or the plain one.
pub fn series(conn: &Connection) -> rusqlite::Result<Series> {
    let site: Option<String> = conn
        .prepare_cached("SELECT site_id FROM sync_site")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(Series::of(
        site.and_then(|s| SiteId::parse("site_id", &s).ok()),
    ))
}

/// Makes this database site `site`'s: events from the oldest kept on are forwarded under it, and
/// invoice numbering starts the site's own series (at 1 in every year). Returns the first event
/// forwarded.
pub fn adopt(conn: &Connection, site: &SiteId, now: &str) -> rusqlite::Result<i64> {
    let first: i64 = conn.query_row(
        "SELECT COALESCE((SELECT MIN(sequence) FROM events), \
                         (SELECT seq FROM sqlite_sequence WHERE name = 'events') + 1, 1)",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO sync_site (only, site_id, first_sequence, adopted_at, sent_sequence, \
         applied_sequence) VALUES (1, ?1, ?2, ?3, ?4, ?4)",
        params![site.as_str(), first, now, first - 1],
    )?;
    // The plain series is closed: the site's numbers cannot collide with it (they carry the
    // site id), and each year of the site's series starts at 1.
    conn.execute("DELETE FROM invoice_number_counters", [])?;
    Ok(first)
}

/// Records that the broker acknowledged every event up to `sent`, the last as stream message
/// `subject_sequence`.
pub fn mark_sent(
    conn: &Connection,
    sent: i64,
    subject_sequence: u64,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sync_site SET sent_sequence = ?1, subject_sequence = ?2, last_sent_at = ?3, \
         last_error = NULL, last_error_at = NULL",
    )?
    .execute(params![
        sent,
        i64::try_from(subject_sequence).unwrap_or(i64::MAX),
        now
    ])?;
    Ok(())
}

/// Goes on from the broker's view after a re-synchronisation that found it differing from ours.
pub fn resynced(
    conn: &Connection,
    sent: i64,
    subject_sequence: u64,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sync_site SET sent_sequence = ?1, subject_sequence = ?2, resyncs = resyncs + 1, \
         last_resync_at = ?3",
    )?
    .execute(params![
        sent,
        i64::try_from(subject_sequence).unwrap_or(i64::MAX),
        now
    ])?;
    Ok(())
}

/// Records head office's watermark; it never moves back.
pub fn set_applied(conn: &Connection, applied: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sync_site SET applied_sequence = MAX(applied_sequence, ?1), applied_seen_at = ?2",
    )?
    .execute(params![applied, now])?;
    Ok(())
}

/// Records why forwarding is not progressing (cleared by the next acknowledged event).
pub fn set_error(conn: &Connection, error: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE sync_site SET last_error = ?1, last_error_at = ?2")?
        .execute(params![error, now])?;
    Ok(())
}

/// The time the oldest event not yet acknowledged by the broker occurred, if any waits.
pub fn oldest_waiting(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT occurred_at FROM events WHERE sequence > (SELECT sent_sequence FROM sync_site) \
         ORDER BY sequence LIMIT 1",
    )?
    .query_row([], |r| r.get(0))
    .optional()
}

/// Where forwarding stands, for the metrics and `edgebss sync status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub state: SyncState,
    /// The newest event this edge recorded (0: none yet).
    pub last_sequence: i64,
    /// When the oldest event the broker has not acknowledged occurred.
    pub oldest_waiting_at: Option<String>,
}

impl Progress {
    /// Events the broker has not acknowledged yet.
    pub fn waiting(&self) -> i64 {
        (self.last_sequence - self.state.sent_sequence).max(0)
    }

    /// Events head office has not applied yet (kept here until it has).
    pub fn unapplied(&self) -> i64 {
        (self.last_sequence - self.state.applied_sequence).max(0)
    }
}

/// `None` on an edge without a site.
pub fn progress(conn: &Connection) -> rusqlite::Result<Option<Progress>> {
    let Some(state) = state(conn)? else {
        return Ok(None);
    };
    // The outbox is pruned, so its newest row may be gone: AUTOINCREMENT's counter is not.
    let last_sequence: i64 = conn
        .prepare_cached(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(Some(Progress {
        state,
        last_sequence,
        oldest_waiting_at: oldest_waiting(conn)?,
    }))
}
