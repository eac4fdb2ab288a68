//! What a write job records besides its change, in the same transaction: the events
//! integrators read, the audit entry of who changed what, and (for an API request with an
//! `Idempotency-Key`) the answer a retry gets. Every use case that changes something goes
//! through here, so the API, the admin UI, the command line and the jobs leave the same trail.

use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use super::{audit, events, idempotency};
use crate::domain::audit::diff;
use crate::domain::event::EventType;
use crate::domain::origin::Origin;

/// The records of one write job.
pub struct Recorder<'a> {
    conn: &'a Connection,
    origin: &'a Origin,
    now: &'a str,
}

fn json_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

impl<'a> Recorder<'a> {
    pub fn new(conn: &'a Connection, origin: &'a Origin, now: &'a str) -> Self {
        Self { conn, origin, now }
    }

    pub fn origin(&self) -> &Origin {
        self.origin
    }

    /// Emits `event_type` with `resource` as the API returns it.
    pub fn event<T: Serialize>(&self, event_type: EventType, resource: &T) -> rusqlite::Result<()> {
        let data = serde_json::to_string(resource).map_err(json_error)?;
        events::append(
            self.conn,
            &events::NewEvent {
                event_type,
                occurred_at: self.now,
                actor: &self.origin.actor,
                data: &data,
            },
        )?;
        Ok(())
    }

    /// Records `action` on `object` (its type and id): the fields that differ between `before`
    /// (absent for a creation) and `after` (absent for a removal).
    pub fn audit<B: Serialize, A: Serialize>(
        &self,
        action: &str,
        object: (&str, &str),
        before: Option<&B>,
        after: Option<&A>,
    ) -> rusqlite::Result<()> {
        let before = before
            .map(serde_json::to_value)
            .transpose()
            .map_err(json_error)?;
        let after = after
            .map(serde_json::to_value)
            .transpose()
            .map_err(json_error)?;
        self.audit_values(action, object, diff(before.as_ref(), after.as_ref()))
    }

    /// Records `action` on `object` with the given changes (`{field: {before, after}}`).
    pub fn audit_values(
        &self,
        action: &str,
        object: (&str, &str),
        changes: Value,
    ) -> rusqlite::Result<()> {
        audit::append(
            self.conn,
            &audit::NewAudit {
                at: self.now,
                actor: &self.origin.actor,
                action,
                object_type: object.0,
                object_id: object.1,
                changes: &changes.to_string(),
                request_id: self.origin.request_id.as_deref(),
                source: self.origin.source.as_deref(),
            },
        )?;
        Ok(())
    }

    /// The usual record of a change: its event (when it has one) and its audit entry, the action
    /// named like the event.
    pub fn change<B: Serialize, A: Serialize>(
        &self,
        event_type: EventType,
        object: (&str, &str),
        before: Option<&B>,
        after: &A,
    ) -> rusqlite::Result<()> {
        self.event(event_type, after)?;
        self.audit(event_type.as_str(), object, before, Some(after))
    }

    /// Stores `result` as the answer to the request's idempotency key, if it has one: the answer
    /// is written with the effect, so a retry after a crash finds it.
    pub fn answer<T: Serialize>(&self, result: &T) -> rusqlite::Result<()> {
        let Some(claim) = &self.origin.claim else {
            return Ok(());
        };
        let body = serde_json::to_vec(result).map_err(json_error)?;
        let location = match claim.location {
            Some(location_of) => {
                let value: Value = serde_json::from_slice(&body).map_err(json_error)?;
                location_of(&value)
            }
            None => None,
        };
        idempotency::store(
            self.conn,
            &claim.client_id,
            &claim.key,
            &idempotency::StoredAnswer {
                fingerprint: claim.fingerprint.clone(),
                status: claim.status,
                location,
                body,
            },
            self.now,
            &idempotency::cutoff(self.now),
        )?;
        claim.mark_stored();
        Ok(())
    }
}
