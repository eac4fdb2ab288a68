//! The first admin: on a database without users, start-up has the users service create `admin`
//! with a random password, then writes that password to a file only the service's user can read
//! and logs it once, so whoever installed edgebss can sign in.

use std::path::Path;

use crate::db::Db;
use crate::domain::clock::Clock;
use crate::service::users::{self, INITIAL_PASSWORD_FILE};

/// Creates the first admin if there is no user; returns its password when it did.
pub async fn ensure(db: &Db, clock: &Clock, data_dir: &Path) -> anyhow::Result<Option<String>> {
    let Some(created) = users::ensure_initial_admin(db, clock)
        .await
        .map_err(|e| anyhow::anyhow!("failed to create the first admin user: {e}"))?
    else {
        return Ok(None);
    };
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    crate::ops::fs::write_private_file(&path, format!("{}\n", created.password).as_bytes())?;
    tracing::warn!(
        username = "admin",
        password = %created.password,
        file = %path.display(),
        "created the first admin user; sign in at /admin/login and choose a new password"
    );
    Ok(Some(created.password))
}
