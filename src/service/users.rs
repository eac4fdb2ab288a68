//! Admin UI users and their sessions: creating users, signing in (with throttling), sessions,
//! password changes. Used by the UI, the `edgebss admin` commands and start-up.

use std::path::Path;
use std::sync::LazyLock;

use anyhow::Context;

use crate::auth::password;
use crate::auth::session::{Session, SessionPolicy, hash_token, new_token};
use crate::auth::users::{Role, Username, check_new_password, generate_password};
use crate::clock::Clock;
use crate::db::Db;
use crate::db::users::{self as sql, Failures, User};
use crate::domain::FieldError;

use super::ServiceError;

/// Name of the file holding the first admin's password.
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password.txt";

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
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::db::DbError> for SignInError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Service(e.into())
    }
}

/// A user created with a generated password, shown to the person once.
#[derive(Debug)]
pub struct NewUser {
    pub user: User,
    pub password: String,
}

pub async fn list(db: &Db) -> Result<Vec<User>, ServiceError> {
    db.read(|conn| Ok(sql::list(conn)?)).await
}

pub async fn get(db: &Db, id: i64) -> Result<User, ServiceError> {
    db.read(move |conn| {
        sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))
    })
    .await
}

/// Creates a user with a generated password, which they must change at first sign-in.
pub async fn create(
    db: &Db,
    clock: &Clock,
    username: &str,
    role: Role,
) -> Result<NewUser, ServiceError> {
    let username = Username::parse("username", username)?;
    let password = generate_password();
    let hash = password::hash(password.clone()).await?;
    let now = clock.timestamp();
    let user = db
        .write(move |conn| {
            let id = sql::insert(conn, username.as_str(), &hash, role, true, &now)?.ok_or_else(
                || {
                    ServiceError::Unprocessable(FieldError::new(
                        "username",
                        format!("`{}` is already taken", username.as_str()),
                    ))
                },
            )?;
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))
        })
        .await?;
    Ok(NewUser { user, password })
}

/// On a database without users, creates `admin` with a random password, writes it to
/// `<data_dir>/initial-admin-password.txt` (mode 0600) and logs it once. Returns the password
/// when it made the user.
pub async fn ensure_initial_admin(
    db: &Db,
    clock: &Clock,
    data_dir: &Path,
) -> anyhow::Result<Option<String>> {
    let users = db
        .read(|conn| Ok::<_, ServiceError>(sql::count(conn)?))
        .await?;
    if users > 0 {
        return Ok(None);
    }
    let created = create(db, clock, "admin", Role::Admin).await?;
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    write_secret_file(&path, &format!("{}\n", created.password))?;
    tracing::warn!(
        username = "admin",
        password = %created.password,
        file = %path.display(),
        "created the first admin user; sign in at /admin/login and choose a new password"
    );
    Ok(Some(created.password))
}

/// Writes `content` to a new file readable by its owner only.
fn write_secret_file(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    file.write_all(content.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))
}

/// A hash to verify against when the user does not exist, so that a wrong name takes as long as
/// a wrong password and sign-in does not tell which names exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash_blocking("no such user").unwrap_or_default());

/// Checks a sign-in and opens a new session, ending `old_token`'s session (a fresh token at every
/// sign-in defeats session fixation). Failures count per user name and per address.
pub async fn sign_in(
    db: &Db,
    clock: &Clock,
    policy: &SessionPolicy,
    username: &str,
    secret: &str,
    address: &str,
    old_token: Option<&str>,
) -> Result<(String, User), SignInError> {
    let now = clock.now().timestamp();
    let keys = [
        format!("u:{}", username.trim().to_lowercase()),
        format!("a:{address}"),
    ];
    let lookup_keys = keys.clone();
    let name = username.trim().to_owned();
    let (locked, user) = db
        .read(move |conn| {
            let mut locked_until = None;
            for key in &lookup_keys {
                if let Some(f) = sql::get_failures(conn, key)?
                    && let Some(until) = f.locked_until
                    && until > now
                {
                    locked_until = locked_until.max(Some(until));
                }
            }
            Ok::<_, ServiceError>((locked_until, sql::find_by_name(conn, &name)?))
        })
        .await?;
    if let Some(until) = locked {
        return Err(SignInError::Throttled {
            minutes: (until - now + 59) / 60,
        });
    }
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => tokio::task::spawn_blocking(|| DUMMY_HASH.clone())
            .await
            .map_err(|e| ServiceError::Unexpected(e.into()))?,
    };
    let ok = password::verify(secret.to_owned(), hash).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            let policy = *policy;
            db.write(move |conn| {
                for key in &keys {
                    record_failure(conn, key, now, &policy)?;
                }
                Ok::<_, ServiceError>(())
            })
            .await?;
            return Err(SignInError::BadCredentials);
        }
    };
    let token = new_token();
    let token_hash = hash_token(&token);
    let old_hash = old_token.map(hash_token);
    let csrf = new_token();
    let expires = now + policy.absolute_secs;
    let user_id = user.id;
    let idle = policy.idle_secs;
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
        tracing::warn!(key, "sign-in locked after repeated failures");
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

/// A user changes their own password; `keep_session` stays signed in, every other session ends.
pub async fn change_password(
    db: &Db,
    clock: &Clock,
    user: &User,
    current: &str,
    new: &str,
    confirm: &str,
    keep_session: &str,
) -> Result<(), ServiceError> {
    if !password::verify(current.to_owned(), user.password_hash.clone()).await {
        return Err(FieldError::new("current", "is not your current password").into());
    }
    check_new_password("new", new, &user.username)?;
    if new != confirm {
        return Err(FieldError::new("confirm", "does not match the new password").into());
    }
    if new == current {
        return Err(FieldError::new("new", "must differ from the current password").into());
    }
    let hash = password::hash(new.to_owned()).await?;
    let now = clock.timestamp();
    let (id, keep) = (user.id, keep_session.to_owned());
    db.write(move |conn| {
        sql::set_password(conn, id, &hash, false, &now)?;
        conn.prepare_cached("DELETE FROM user_sessions WHERE user_id = ?1 AND token_hash <> ?2")?
            .execute(rusqlite::params![id, keep])?;
        Ok(())
    })
    .await
}

/// Gives a user a new generated password (to change at next sign-in) and ends their sessions.
pub async fn reset_password(db: &Db, clock: &Clock, id: i64) -> Result<NewUser, ServiceError> {
    let password = generate_password();
    let hash = password::hash(password.clone()).await?;
    let now = clock.timestamp();
    let user = db
        .write(move |conn| {
            if !sql::set_password(conn, id, &hash, true, &now)? {
                return Err(ServiceError::not_found("user", id.to_string()));
            }
            sql::delete_sessions_of(conn, id)?;
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))
        })
        .await?;
    Ok(NewUser { user, password })
}

/// Looks a user up by name, for the command line.
pub async fn find(db: &Db, username: &str) -> Result<User, ServiceError> {
    let name = username.trim().to_owned();
    db.read(move |conn| {
        sql::find_by_name(conn, &name)?.ok_or_else(|| ServiceError::not_found("user", name))
    })
    .await
}

/// Changes a user's role; the last enabled admin cannot stop being one (nobody could manage
/// users any more). Their sessions end so the new role applies at once.
pub async fn set_role(db: &Db, clock: &Clock, id: i64, role: Role) -> Result<User, ServiceError> {
    let now = clock.timestamp();
    db.write(move |conn| {
        let user =
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
        if user.role == Role::Admin
            && role != Role::Admin
            && !user.disabled
            && sql::other_enabled_admins(conn, id)? == 0
        {
            return Err(ServiceError::Conflict(format!(
                "`{}` is the only enabled admin; make another user admin first",
                user.username
            )));
        }
        sql::set_role(conn, id, role, &now)?;
        sql::delete_sessions_of(conn, id)?;
        sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))
    })
    .await
}

/// Disables (or enables again) a user; disabling ends their sessions. The last enabled admin
/// cannot be disabled.
pub async fn set_disabled(
    db: &Db,
    clock: &Clock,
    id: i64,
    disabled: bool,
) -> Result<User, ServiceError> {
    let now = clock.timestamp();
    db.write(move |conn| {
        let user =
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
        if disabled && user.role == Role::Admin && sql::other_enabled_admins(conn, id)? == 0 {
            return Err(ServiceError::Conflict(format!(
                "`{}` is the only enabled admin and cannot be disabled",
                user.username
            )));
        }
        sql::set_disabled(conn, id, disabled, &now)?;
        if disabled {
            sql::delete_sessions_of(conn, id)?;
        }
        sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))
    })
    .await
}
