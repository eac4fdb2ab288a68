//! Stored answers of idempotent API requests (the HTTP layer's `Idempotency-Key` handling).

pub use crate::db::idempotency::StoredAnswer;
use crate::db::{Db, idempotency as sql};
use crate::domain::clock::Clock;
use crate::error::ServiceError;

pub use crate::db::idempotency::KEEP_HOURS;

/// The answer stored for `client`'s `key`, if any (and not older than [`KEEP_HOURS`]).
pub async fn stored(
    db: &Db,
    clock: &Clock,
    client: &str,
    key: &str,
) -> Result<Option<StoredAnswer>, ServiceError> {
    let (client, key) = (client.to_owned(), key.to_owned());
    let since = sql::cutoff(&clock.timestamp());
    db.read_now(move |conn| Ok(sql::get(conn, &client, &key, &since)?))
        .await
}

/// Stores an answer that had no write of its own to go with.
pub async fn store(
    db: &Db,
    clock: &Clock,
    client: &str,
    key: &str,
    answer: StoredAnswer,
) -> Result<(), ServiceError> {
    let (client, key, now) = (client.to_owned(), key.to_owned(), clock.timestamp());
    let since = sql::cutoff(&now);
    db.write(move |conn| Ok(sql::store(conn, &client, &key, &answer, &now, &since)?))
        .await
}

/// Forgets answers older than [`KEEP_HOURS`]; returns how many.
pub async fn prune(db: &Db, clock: &Clock) -> Result<usize, ServiceError> {
    let before =
        crate::domain::date::format_timestamp(clock.now() - chrono::Duration::hours(KEEP_HOURS));
    db.write(move |conn| Ok(sql::prune(conn, &before, 10_000)?))
        .await
}
