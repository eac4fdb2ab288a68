//! The event outbox: appended in the same write job as each change, read by the feed and by the
//! deliveries, pruned after `events.retention_days`.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::value::RawValue;

use crate::domain::event::{Event, EventType};
use crate::domain::ids::EventId;
use crate::domain::origin::Actor;

/// An event about to be stored.
pub struct NewEvent<'a> {
    pub event_type: EventType,
    pub occurred_at: &'a str,
    pub actor: &'a Actor,
    /// The resource as the API returns it, as JSON.
    pub data: &'a str,
}

/// Stores an event; returns its sequence number.
pub fn append(conn: &Connection, e: &NewEvent<'_>) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (id, type, occurred_at, actor_kind, actor_id, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        EventId::generate(),
        e.event_type,
        e.occurred_at,
        e.actor.kind,
        e.actor.id,
        e.data
    ])?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str = "sequence, id, type, occurred_at, actor_kind, actor_id, data";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    let data: String = r.get(6)?;
    Ok(Event {
        sequence: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        occurred_at: r.get(3)?,
        actor: Actor {
            kind: r.get(4)?,
            id: r.get(5)?,
        },
        data: RawValue::from_string(data).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// Up to `limit` events after `after` (a sequence number; 0 for the oldest kept), of one type if
/// given, in sequence order.
pub fn list(
    conn: &Connection,
    after: i64,
    event_type: Option<EventType>,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    // No LIMIT: a bound one makes SQLite plan the statement again on each use; rows past
    // `limit` are never produced, as only `limit` are stepped through.
    match event_type {
        Some(t) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE type = ?1 AND sequence > ?2 ORDER BY sequence"
            ))?
            .query_map(params![t, after], from_row)?
            .take(limit)
            .collect(),
        None => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE sequence > ?1 ORDER BY sequence"
            ))?
            .query_map(params![after], from_row)?
            .take(limit)
            .collect(),
    }
}

/// The sequence number of the event `id`, if it is still kept.
pub fn sequence_of(conn: &Connection, id: &EventId) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT sequence FROM events WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

pub fn get(conn: &Connection, sequence: i64) -> rusqlite::Result<Option<Event>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE sequence = ?1"))?
        .query_row([sequence], from_row)
        .optional()
}

/// The newest event's sequence number (0 with none).
pub fn last_sequence(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(sequence), 0) FROM events")?
        .query_row([], |r| r.get(0))
}

/// Deletes events that occurred before `before` (an RFC 3339 timestamp); at most `limit` at a
/// time, so one call never holds the writer long. At a site (`sync_site`), an event head office
/// has not yet reported applied is kept, however old.
pub fn prune(conn: &Connection, before: &str, limit: usize) -> rusqlite::Result<usize> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "DELETE FROM events WHERE sequence IN \
         (SELECT sequence FROM events WHERE occurred_at < ?1 AND sequence <= \
          COALESCE((SELECT applied_sequence FROM sync_site), 9223372036854775807) \
          ORDER BY sequence LIMIT ?2)",
    )?
    .execute(params![before, limit])
}
