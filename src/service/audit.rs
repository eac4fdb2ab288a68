//! The audit trail: listing who changed what, and verifying that nothing was edited since.

use crate::db::audit as sql;
use crate::db::{Db, DbError};
use crate::domain::audit::{AuditEntry, AuditFilter, GENESIS_HASH};
use crate::error::ServiceError;

/// Most entries one page holds.
pub const MAX_LIMIT: usize = 500;

/// Entries matching `filter`, oldest first, and whether more follow.
pub async fn list(
    db: &Db,
    filter: AuditFilter,
    limit: usize,
) -> Result<(Vec<AuditEntry>, bool), ServiceError> {
    db.read(move |conn| {
        let mut entries = sql::list(conn, &filter, limit + 1)?;
        let more = entries.len() > limit;
        entries.truncate(limit);
        Ok((entries, more))
    })
    .await
}

/// Entries matching `filter`, newest first, before sequence `before`.
pub async fn newest(
    db: &Db,
    filter: AuditFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<(Vec<AuditEntry>, bool), ServiceError> {
    db.read(move |conn| {
        let mut entries = sql::newest(conn, &filter, before, limit + 1)?;
        let more = entries.len() > limit;
        entries.truncate(limit);
        Ok((entries, more))
    })
    .await
}

/// What verifying the trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry matches its hash and chains to the one before.
    Intact { entries: u64 },
    /// The first entry (by sequence) that does not match, and why.
    Broken { sequence: i64, reason: String },
}

/// Walks the whole trail in order, on `db` (any connection; a read one is enough).
pub fn verify(db: &Db) -> Result<Verdict, ServiceError> {
    db.read_blocking(|conn| -> Result<Verdict, ServiceError> {
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1;
        let mut broken: Option<(i64, String)> = None;
        sql::walk(conn, |e: AuditEntry| -> Result<(), DbError> {
            if broken.is_some() {
                return Ok(());
            }
            if e.sequence != expected_seq {
                broken = Some((
                    expected_seq,
                    format!(
                        "entry {expected_seq} is missing (the next one is {})",
                        e.sequence
                    ),
                ));
            } else if e.prev_hash != expected_prev {
                broken = Some((
                    e.sequence,
                    "it does not chain to the entry before it (that one was changed or removed)"
                        .to_owned(),
                ));
            } else if !e.hash_matches() {
                broken = Some((
                    e.sequence,
                    "its content does not match its hash (it was changed after it was written)"
                        .to_owned(),
                ));
            }
            expected_prev = e.hash;
            expected_seq += 1;
            Ok(())
        })?;
        if let Some((sequence, reason)) = broken {
            return Ok(Verdict::Broken { sequence, reason });
        }
        let highest = sql::highest_given(conn)?;
        let count = expected_seq - 1;
        if highest > count {
            return Ok(Verdict::Broken {
                sequence: count + 1,
                reason: format!(
                    "entries {} to {highest} are missing (the trail was cut short)",
                    count + 1
                ),
            });
        }
        Ok(Verdict::Intact {
            entries: u64::try_from(count).unwrap_or_default(),
        })
    })
}
