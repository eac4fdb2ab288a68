//! Readiness: whether the database serves reads and commits writes.

use crate::db::{Db, DbError};

/// What a readiness probe found.
#[derive(Debug, Clone, Copy)]
pub struct Readiness {
    pub read_ok: bool,
    pub write_ok: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.read_ok && self.write_ok
    }
}

/// A read connection answers a query and the writer commits a (no-op) job.
pub async fn check(db: &Db) -> Readiness {
    let read = db
        .read(|conn| {
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map_err(DbError::from)
        })
        .await;
    let write = db
        .write(|conn| {
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map_err(DbError::from)
        })
        .await;
    Readiness {
        read_ok: read.is_ok(),
        write_ok: write.is_ok(),
    }
}
