//! Who did something: the actor of the newest audit entry of an action on an object, read
//! through `audit_by_object` (one short index range per object).

use rusqlite::{Connection, OptionalExtension};

use crate::domain::origin::Actor;

/// An API client is shown by its name (its id is in the audit trail itself).
fn named(conn: &Connection, mut a: Actor) -> rusqlite::Result<Actor> {
    if a.kind == crate::domain::origin::ActorKind::ApiClient
        && let Some(name) = conn
            .prepare_cached("SELECT name FROM api_clients WHERE id = ?1")?
            .query_row([&a.id], |r| r.get::<_, String>(0))
            .optional()?
    {
        a.id = name;
    }
    Ok(a)
}

/// Who did `action` (e.g. `payment.recorded`) to `object_id` most recently, and when; an API
/// client by its name.
pub fn actor_of(
    conn: &Connection,
    object_id: &str,
    action: &str,
) -> rusqlite::Result<Option<(Actor, String)>> {
    conn.prepare_cached(
        "SELECT actor_kind, actor_id, at FROM audit_log WHERE object_id = ?1 AND action = ?2 \
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([object_id, action], |r| {
        Ok((
            Actor {
                kind: r.get(0)?,
                id: r.get(1)?,
            },
            r.get(2)?,
        ))
    })
    .optional()?
    .map(|(a, at)| Ok((named(conn, a)?, at)))
    .transpose()
}

/// Who did `action` to `object_id` at `at` exactly: for records several of which hang off one
/// object (the refunds of a payment), told apart by the time their audit entry shares with them.
pub fn actor_at(
    conn: &Connection,
    object_id: &str,
    action: &str,
    at: &str,
) -> rusqlite::Result<Option<Actor>> {
    conn.prepare_cached(
        "SELECT actor_kind, actor_id FROM audit_log \
          WHERE object_id = ?1 AND action = ?2 AND at = ?3 ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([object_id, action, at], |r| {
        Ok(Actor {
            kind: r.get(0)?,
            id: r.get(1)?,
        })
    })
    .optional()?
    .map(|a| named(conn, a))
    .transpose()
}

/// [`actor_of`] for each of `object_ids`, in the same order (`None` where nothing is recorded).
pub fn actors_of(
    conn: &Connection,
    object_ids: &[String],
    action: &str,
) -> rusqlite::Result<Vec<Option<Actor>>> {
    object_ids
        .iter()
        .map(|id| Ok(actor_of(conn, id, action)?.map(|(a, _)| a)))
        .collect()
}

/// The actor of the newest audit entry about `object_id`, whatever the action, and when (an API
/// client by its name).
pub fn newest_actor(
    conn: &Connection,
    object_id: &str,
) -> rusqlite::Result<Option<(Actor, String)>> {
    conn.prepare_cached(
        "SELECT actor_kind, actor_id, at FROM audit_log WHERE object_id = ?1 \
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([object_id], |r| {
        Ok((
            Actor {
                kind: r.get(0)?,
                id: r.get(1)?,
            },
            r.get(2)?,
        ))
    })
    .optional()?
    .map(|(a, at)| Ok((named(conn, a)?, at)))
    .transpose()
}
