//! The event feed: every change in `sequence` order, for consumers that catch up by polling.

use serde::Serialize;

use crate::db::{Db, events as sql};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::event::{Event, EventType};
use crate::domain::ids::EventId;
use crate::error::ServiceError;

/// Most events one page of the feed holds.
pub const MAX_LIMIT: usize = 500;

/// A page of the feed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedPage {
    pub data: Vec<Event>,
    /// Whether more events follow the last one here (ask again with `after` = its id).
    pub has_more: bool,
}

/// Up to `limit` events after the event `after` (from the oldest kept without it), of one type
/// if given.
pub async fn feed(
    db: &Db,
    after: Option<EventId>,
    event_type: Option<EventType>,
    limit: usize,
) -> Result<FeedPage, ServiceError> {
    db.read(move |conn| {
        let from = match &after {
            Some(id) => sql::sequence_of(conn, id)?.ok_or_else(|| {
                FieldError::new(
                    "after",
                    format!(
                        "event `{id}` is not kept (events are kept for events.retention_days) \
                         or never existed; read the feed from its start, without `after`"
                    ),
                )
            })?,
            None => 0,
        };
        let mut data = sql::list(conn, from, event_type, limit + 1)?;
        let has_more = data.len() > limit;
        data.truncate(limit);
        Ok(FeedPage { data, has_more })
    })
    .await
}

/// Deletes events older than `retention_days`; returns how many.
pub async fn prune(db: &Db, clock: &Clock, retention_days: u32) -> Result<usize, ServiceError> {
    let before = crate::domain::date::format_timestamp(
        clock.now() - chrono::Duration::days(i64::from(retention_days)),
    );
    db.write(move |conn| {
        let events = sql::prune(conn, &before, 10_000)?;
        crate::db::webhooks::prune(conn, &before, 10_000)?;
        Ok(events)
    })
    .await
}
