//! Webhook endpoints, their queued deliveries and each delivery's attempts.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::event::{EventType, EventTypes};
use crate::domain::ids::WebhookEndpointId;
use crate::domain::webhook::{
    DeliveryAttempt, DeliveryStatus, EndpointChanges, NewEndpoint, WebhookEndpoint,
};

const COLUMNS: &str = "seq, id, url, event_types, description, enabled, created_at, updated_at";

fn types_json(types: &EventTypes) -> Option<String> {
    types.listed().map(|list| {
        serde_json::Value::Array(
            list.iter()
                .map(|t| serde_json::Value::String(t.as_str().to_owned()))
                .collect(),
        )
        .to_string()
    })
}

/// An endpoint as stored: its row number (deliveries refer to it) and what the API shows.
#[derive(Debug, Clone)]
pub struct StoredEndpoint {
    pub seq: i64,
    pub endpoint: WebhookEndpoint,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredEndpoint> {
    let types: Option<String> = r.get(3)?;
    let event_types = match types {
        Some(text) => {
            let names: Vec<String> = serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            Some(
                names
                    .iter()
                    .filter_map(|n| EventType::parse("eventTypes", n).ok())
                    .collect(),
            )
        }
        None => None,
    };
    Ok(StoredEndpoint {
        seq: r.get(0)?,
        endpoint: WebhookEndpoint {
            webhook_endpoint_id: r.get(1)?,
            url: r.get(2)?,
            event_types,
            description: r.get(4)?,
            enabled: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
        },
    })
}

pub fn insert(
    conn: &Connection,
    new: &NewEndpoint,
    secret: &str,
    now: &str,
) -> rusqlite::Result<WebhookEndpointId> {
    let id = WebhookEndpointId::generate();
    // New endpoints receive the events from now on, not the whole kept history.
    let cursor = super::events::last_sequence(conn)?;
    conn.prepare_cached(
        "INSERT INTO webhook_endpoints (id, url, event_types, description, secret, cursor, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        new.url.as_str(),
        types_json(&new.event_types),
        new.description,
        secret,
        cursor,
        now
    ])?;
    Ok(id)
}

pub fn get(conn: &Connection, id: &WebhookEndpointId) -> rusqlite::Result<Option<StoredEndpoint>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()
}

/// Every endpoint not deleted, oldest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<StoredEndpoint>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY seq"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// Changes an endpoint. One enabled again receives the events from then on: what happened while
/// it was disabled is in the feed, not delivered.
pub fn update(
    conn: &Connection,
    id: &WebhookEndpointId,
    c: &EndpointChanges,
    now: &str,
) -> rusqlite::Result<bool> {
    let types = c.event_types.as_ref().map(types_json);
    let n = conn
        .prepare_cached(
            "UPDATE webhook_endpoints SET \
               url = COALESCE(?2, url), \
               event_types = CASE WHEN ?3 THEN ?4 ELSE event_types END, \
               cursor = CASE WHEN enabled = 0 AND ?5 = 1 \
                        THEN (SELECT COALESCE(MAX(sequence), 0) FROM events) ELSE cursor END, \
               enabled = COALESCE(?5, enabled), \
               description = CASE WHEN ?6 THEN ?7 ELSE description END, \
               updated_at = ?8 \
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![
            id,
            c.url.as_ref().map(|u| u.as_str()),
            types.is_some(),
            types.flatten(),
            c.enabled,
            c.description.is_some(),
            c.description.clone().flatten(),
            now
        ])?;
    Ok(n > 0)
}

/// Deletes an endpoint: it gets nothing more, and its pending deliveries are dropped. The row
/// stays (deliveries refer to it) without its secret being usable.
pub fn delete(conn: &Connection, id: &WebhookEndpointId, now: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE webhook_endpoints SET deleted_at = ?2, enabled = 0, updated_at = ?2 \
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
    conn.prepare_cached(
        "UPDATE webhook_deliveries SET status = 'Failed', next_attempt_at = NULL \
         WHERE status = 'Pending' AND endpoint_seq = (SELECT seq FROM webhook_endpoints WHERE id = ?1)",
    )?
    .execute([id])?;
    Ok(n > 0)
}

pub fn set_secret(
    conn: &Connection,
    id: &WebhookEndpointId,
    secret: &str,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE webhook_endpoints SET secret = ?2, updated_at = ?3 \
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, secret, now])?;
    Ok(n > 0)
}

/// What the delivery engine needs of an enabled endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub seq: i64,
    pub url: String,
    pub secret: String,
    pub event_types: Option<String>,
    pub cursor: i64,
}

/// The enabled endpoints, with their secrets, for delivering.
pub fn targets(conn: &Connection) -> rusqlite::Result<Vec<Target>> {
    conn.prepare_cached(
        "SELECT seq, url, secret, event_types, cursor FROM webhook_endpoints \
         WHERE enabled = 1 AND deleted_at IS NULL ORDER BY seq",
    )?
    .query_map([], |r| {
        Ok(Target {
            seq: r.get(0)?,
            url: r.get(1)?,
            secret: r.get(2)?,
            event_types: r.get(3)?,
            cursor: r.get(4)?,
        })
    })?
    .collect()
}

/// The URL and secret endpoint `seq` has now, or `None` once it is disabled or deleted.
pub fn current_target(conn: &Connection, seq: i64) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached(
        "SELECT url, secret FROM webhook_endpoints \
         WHERE seq = ?1 AND enabled = 1 AND deleted_at IS NULL",
    )?
    .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

/// Queues a delivery of event `sequence` to endpoint `endpoint`, due now.
pub fn queue(
    conn: &Connection,
    endpoint: i64,
    sequence: i64,
    event_id: &str,
    event_type: EventType,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO webhook_deliveries (endpoint_seq, event_sequence, event_id, event_type, \
         status, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'Pending', ?5, ?5) \
         ON CONFLICT (endpoint_seq, event_sequence) DO NOTHING",
    )?
    .execute(params![endpoint, sequence, event_id, event_type, now])?;
    Ok(())
}

pub fn set_cursor(conn: &Connection, endpoint: i64, cursor: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE webhook_endpoints SET cursor = ?2 WHERE seq = ?1 AND cursor < ?2")?
        .execute(params![endpoint, cursor])?;
    Ok(())
}

/// A delivery due for an attempt.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery: i64,
    pub event_sequence: i64,
    pub attempts: u32,
}

/// Up to `limit` of `endpoint`'s pending deliveries due at `now`, the longest due first.
pub fn due(
    conn: &Connection,
    endpoint: i64,
    now: &str,
    limit: usize,
) -> rusqlite::Result<Vec<Due>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT seq, event_sequence, attempts FROM webhook_deliveries \
         WHERE endpoint_seq = ?1 AND status = 'Pending' AND next_attempt_at <= ?2 \
         ORDER BY next_attempt_at LIMIT ?3",
    )?
    .query_map(params![endpoint, now, limit], |r| {
        Ok(Due {
            delivery: r.get(0)?,
            event_sequence: r.get(1)?,
            attempts: r.get(2)?,
        })
    })?
    .collect()
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery: i64,
    pub attempt: u32,
    pub at: String,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub status: DeliveryStatus,
    /// When the next attempt is due, for one still pending.
    pub next_attempt_at: Option<String>,
}

/// Records an attempt and where its delivery now stands. An attempt for a delivery that is no
/// longer pending (its endpoint was deleted meanwhile) is still recorded, and changes nothing.
pub fn record(conn: &Connection, o: &Outcome) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO webhook_attempts (delivery_seq, attempt, at, http_status, error, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        o.delivery,
        o.attempt,
        o.at,
        o.http_status,
        o.error,
        i64::try_from(o.duration_ms).unwrap_or(i64::MAX)
    ])?;
    conn.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4 \
         WHERE seq = ?1 AND status = 'Pending'",
    )?
    .execute(params![o.delivery, o.status, o.attempt, o.next_attempt_at])?;
    Ok(())
}

/// Queues a delivery again (after it failed, or to send it once more); whether there was one.
pub fn resend(
    conn: &Connection,
    endpoint: &WebhookEndpointId,
    delivery: i64,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE webhook_deliveries SET status = 'Pending', next_attempt_at = ?3 \
             WHERE seq = ?2 AND endpoint_seq = \
               (SELECT seq FROM webhook_endpoints WHERE id = ?1 AND deleted_at IS NULL)",
        )?
        .execute(params![endpoint, delivery, now])?;
    Ok(n > 0)
}

/// An endpoint's latest attempts (and queued deliveries not yet attempted), newest first.
pub fn attempts(
    conn: &Connection,
    endpoint: &WebhookEndpointId,
    limit: usize,
) -> rusqlite::Result<Vec<DeliveryAttempt>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT d.seq, d.event_id, d.event_type, COALESCE(a.attempt, 0), \
                COALESCE(a.at, d.created_at), a.http_status, a.error, COALESCE(a.duration_ms, 0), \
                d.status, CASE WHEN a.attempt IS NULL OR a.attempt = d.attempts \
                          THEN d.next_attempt_at END \
         FROM webhook_deliveries d \
         LEFT JOIN webhook_attempts a ON a.delivery_seq = d.seq \
         WHERE d.endpoint_seq = (SELECT seq FROM webhook_endpoints WHERE id = ?1) \
         ORDER BY d.seq DESC, a.attempt DESC LIMIT ?2",
    )?
    .query_map(params![endpoint, limit], |r| {
        Ok(DeliveryAttempt {
            delivery: r.get(0)?,
            event_id: r.get(1)?,
            event_type: r.get(2)?,
            attempt: r.get(3)?,
            at: r.get(4)?,
            http_status: r.get(5)?,
            error: r.get(6)?,
            duration_ms: r.get::<_, i64>(7)?.try_into().unwrap_or(0),
            status: r.get(8)?,
            next_attempt_at: r.get(9)?,
        })
    })?
    .collect()
}

/// Deletes attempts and finished deliveries of events no longer kept (older than `before`).
pub fn prune(conn: &Connection, before: &str, limit: usize) -> rusqlite::Result<usize> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let old: Vec<i64> = conn
        .prepare_cached(
            "SELECT seq FROM webhook_deliveries WHERE status <> 'Pending' AND created_at < ?1 \
             LIMIT ?2",
        )?
        .query_map(params![before, limit], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for seq in &old {
        conn.prepare_cached("DELETE FROM webhook_attempts WHERE delivery_seq = ?1")?
            .execute([seq])?;
        conn.prepare_cached("DELETE FROM webhook_deliveries WHERE seq = ?1")?
            .execute([seq])?;
    }
    Ok(old.len())
}
