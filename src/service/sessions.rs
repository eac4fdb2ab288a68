//! Signing in to the admin UI (with throttling per user name and per address, shared with the
//! current-password check of a password change) and the server-side sessions it opens.

use std::sync::LazyLock;

use crate::auth::password;
use crate::auth::session::{Session, SessionPolicy, hash_token, new_token};
use crate::auth::verifier::{Busy, Verifier};
use crate::db::Db;
use crate::db::users::{self as sql, Failures};
use crate::domain::clock::Clock;
use crate::domain::user::User;

use crate::error::ServiceError;

/// A session older than this since its last use is marked used again (one write per minute per
/// user at most, not one per page).
const TOUCH_EVERY_SECS: i64 = 60;

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {minutes} minute(s)")]
    Throttled { minutes: i64 },
    /// Too many password checks are running; nothing was counted.
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::db::DbError> for SignInError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Service(e.into())
    }
}

/// A hash to verify against when the user does not exist, so that a wrong name takes as long as
/// a wrong password and sign-in does not tell which names exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash_blocking("no such user").unwrap_or_default());

/// What stands between a guesser and the password checks: the server's check slots and the
/// sign-in limits.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    pub verifier: &'a Verifier,
    pub policy: &'a SessionPolicy,
}

/// A sign-in as submitted.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The client's address: failures count per user name and per address.
    pub address: &'a str,
    /// The session cookie the browser still had, ended by the new session.
    pub old_token: Option<&'a str>,
}

/// Checks a sign-in and opens a new session, ending the old token's session (a fresh token at
/// every sign-in defeats session fixation). The attempt is counted before the password is
/// checked ([`begin_attempt`]), so the limit holds however many arrive at once.
pub async fn sign_in(
    db: &Db,
    clock: &Clock,
    guard: Guard<'_>,
    request: SignIn<'_>,
) -> Result<(String, User), SignInError> {
    let now = clock.now().timestamp();
    let keys = attempt_keys(request.username, request.address);
    // The slot first: a busy server refuses before anything is counted.
    let slot = guard.verifier.slot().await?;
    if let Some(minutes) = begin_attempt(db, now, guard.policy, &keys).await? {
        return Err(SignInError::Throttled { minutes });
    }
    let name = request.username.trim().to_owned();
    let user = db
        .read(move |conn| Ok::<_, ServiceError>(sql::find_by_name(conn, &name)?))
        .await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => tokio::task::spawn_blocking(|| DUMMY_HASH.clone())
            .await
            .map_err(|e| ServiceError::Unexpected(e.into()))?,
    };
    let ok = slot.verify(request.password.to_owned(), hash).await;
    // A failure was counted when the attempt began.
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => return Err(SignInError::BadCredentials),
    };
    let token = new_token();
    let token_hash = hash_token(&token);
    let old_hash = request.old_token.map(hash_token);
    let csrf = new_token();
    let expires = now + guard.policy.absolute_secs;
    let user_id = user.id;
    let idle = guard.policy.idle_secs;
    db.write(move |conn| {
        for key in &keys {
            sql::clear_failures(conn, key)?;
        }
        if let Some(old) = &old_hash {
            sql::delete_session(conn, old)?;
        }
        sql::delete_expired_sessions(conn, now, idle)?;
        sql::insert_session(conn, &token_hash, user_id, &csrf, now, expires)?;
        Ok::<_, ServiceError>(())
    })
    .await?;
    tracing::info!(username = %user.username, "signed in to the admin UI");
    Ok((token, user))
}

/// The keys a password attempt counts against: the user name and the client's address.
pub fn attempt_keys(username: &str, address: &str) -> [String; 2] {
    [
        format!("u:{}", username.trim().to_lowercase()),
        format!("a:{address}"),
    ]
}

/// Counts a password attempt against each key before the password is checked, in one writer
/// job: attempts arriving at once are counted one after the other, so no more than the limit are
/// ever checked. The count is cleared when the password is right ([`clear_attempts`]); the
/// attempt that reaches the limit locks the keys. A locked key refuses the attempt, uncounted:
/// `Some(minutes)` until the lock ends.
pub async fn begin_attempt(
    db: &Db,
    now: i64,
    policy: &SessionPolicy,
    keys: &[String; 2],
) -> Result<Option<i64>, ServiceError> {
    let (keys, policy) = (keys.clone(), *policy);
    let locked = db
        .write(move |conn| {
            let mut locked_until = None;
            for key in &keys {
                if let Some(f) = sql::get_failures(conn, key)?
                    && let Some(until) = f.locked_until
                    && until > now
                {
                    locked_until = locked_until.max(Some(until));
                }
            }
            if locked_until.is_none() {
                for key in &keys {
                    record_failure(conn, key, now, &policy)?;
                }
            }
            Ok::<_, ServiceError>(locked_until)
        })
        .await?;
    Ok(locked.map(|until| (until - now + 59) / 60))
}

/// Clears the counts of `keys` after a right password.
pub async fn clear_attempts(db: &Db, keys: &[String; 2]) -> Result<(), ServiceError> {
    let keys = keys.clone();
    db.write(move |conn| {
        for key in &keys {
            sql::clear_failures(conn, key)?;
        }
        Ok(())
    })
    .await
}

fn record_failure(
    conn: &rusqlite::Connection,
    key: &str,
    now: i64,
    policy: &SessionPolicy,
) -> rusqlite::Result<()> {
    let mut f = sql::get_failures(conn, key)?.unwrap_or(Failures {
        failures: 0,
        window_start: now,
        locked_until: None,
    });
    if now - f.window_start >= policy.lockout_secs {
        f = Failures {
            failures: 0,
            window_start: now,
            locked_until: None,
        };
    }
    f.failures += 1;
    if f.failures >= policy.max_failures {
        f.locked_until = Some(now + policy.lockout_secs);
        // The next window starts when the lock ends.
        f.window_start = now;
        f.failures = 0;
        tracing::warn!(
            key,
            "password attempts reached the limit; more are refused until the lock ends"
        );
    }
    sql::put_failures(conn, key, f)
}

/// The live session for a cookie token, or `None` when it is unknown, expired (idle or absolute)
/// or its user is disabled.
pub async fn session(
    db: &Db,
    clock: &Clock,
    policy: &SessionPolicy,
    token: &str,
) -> Result<Option<Session>, ServiceError> {
    let token_hash = hash_token(token);
    let key = token_hash.clone();
    let row = db
        .read(move |conn| Ok::<_, ServiceError>(sql::get_session(conn, &key)?))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let now = clock.now().timestamp();
    let expired = now >= row.expires_at || now - row.last_seen_at >= policy.idle_secs;
    if expired || row.user.disabled {
        let key = token_hash.clone();
        db.write(move |conn| Ok::<_, ServiceError>(sql::delete_session(conn, &key)?))
            .await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        let key = token_hash.clone();
        db.write(move |conn| Ok::<_, ServiceError>(sql::touch_session(conn, &key, now)?))
            .await?;
    }
    Ok(Some(Session {
        user: row.user,
        csrf_token: row.csrf_token,
        token_hash,
    }))
}

pub async fn sign_out(db: &Db, token_hash: String) -> Result<(), ServiceError> {
    db.write(move |conn| Ok(sql::delete_session(conn, &token_hash)?))
        .await
}
