//! Admin UI users: creating them, roles, disabling, password changes and resets. Used by the UI,
//! the `edgebss admin` commands and start-up. Signing in and sessions are in `sessions`.

use crate::auth::password;
use crate::auth::password::generate_password;
use crate::db::Db;
use crate::db::users as sql;
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::user::User;
use crate::domain::user::{Role, Username, check_new_password};

use crate::db::record::Recorder;
use crate::domain::origin::Origin;
use crate::error::ServiceError;
use crate::service::sessions;

/// Name of the file holding the first admin's password.
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password.txt";

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
    origin: &Origin,
    username: &str,
    role: Role,
) -> Result<NewUser, ServiceError> {
    let origin = origin.clone();
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
            let user = sql::get(conn, id)?
                .ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
            audit_user(conn, &origin, &now, "user.created", None, &user)?;
            Ok::<_, ServiceError>(user)
        })
        .await?;
    Ok(NewUser { user, password })
}

/// What the audit trail shows of a user: never the password hash.
fn user_fields(u: &User) -> serde_json::Value {
    serde_json::json!({
        "username": u.username,
        "role": u.role.as_str(),
        "mustChangePassword": u.must_change_password,
        "disabled": u.disabled,
    })
}

fn audit_user(
    conn: &rusqlite::Connection,
    origin: &Origin,
    now: &str,
    action: &str,
    before: Option<&User>,
    after: &User,
) -> Result<(), ServiceError> {
    let changes =
        crate::domain::audit::diff(before.map(user_fields).as_ref(), Some(&user_fields(after)));
    Recorder::new(conn, origin, now).audit_values(action, ("user", &after.username), changes)?;
    Ok(())
}

/// On a database without users, creates `admin` with a random password (to be changed at the
/// first sign-in) and returns it; start-up writes it to [`INITIAL_PASSWORD_FILE`] in the data
/// folder and logs it once.
pub async fn ensure_initial_admin(db: &Db, clock: &Clock) -> Result<Option<NewUser>, ServiceError> {
    let users = db
        .read(|conn| Ok::<_, ServiceError>(sql::count(conn)?))
        .await?;
    if users > 0 {
        return Ok(None);
    }
    let origin = Origin::system("start-up");
    create(db, clock, &origin, "admin", Role::Admin)
        .await
        .map(Some)
}

/// A password change as submitted.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub confirm: &'a str,
    /// The session that stays signed in; every other session of the user ends.
    pub keep_session: &'a str,
    /// The client's address: a wrong current password counts as a failed sign-in for the user
    /// name and for the address.
    pub address: &'a str,
}

/// A user changes their own password. The current password is checked under the sign-in limits
/// (a stolen session must not be a way round them): the attempt is counted first, and cleared
/// when the password is right.
pub async fn change_password(
    db: &Db,
    clock: &Clock,
    guard: sessions::Guard<'_>,
    user: &User,
    change: PasswordChange<'_>,
) -> Result<(), ServiceError> {
    let PasswordChange {
        current,
        new,
        confirm,
        keep_session,
        address,
    } = change;
    let keys = sessions::attempt_keys(&user.username, address);
    let slot = guard.verifier.slot().await?;
    let now = clock.now().timestamp();
    if let Some(minutes) = sessions::begin_attempt(db, now, guard.policy, &keys).await? {
        return Err(ServiceError::TooManyRequests {
            message: format!(
                "Too many wrong passwords for this user name or from this address; try again \
                 in {minutes} minute(s)."
            ),
            retry_after_secs: u64::try_from(minutes.max(1) * 60).unwrap_or(60),
        });
    }
    if !slot
        .verify(current.to_owned(), user.password_hash.clone())
        .await
    {
        return Err(FieldError::new("current", "is not your current password").into());
    }
    sessions::clear_attempts(db, &keys).await?;
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
    let origin = Origin::of(crate::domain::origin::Actor::user(&user.username));
    db.write(move |conn| {
        let before = sql::get(conn, id)?;
        sql::set_password(conn, id, &hash, false, &now)?;
        conn.prepare_cached("DELETE FROM user_sessions WHERE user_id = ?1 AND token_hash <> ?2")?
            .execute(rusqlite::params![id, keep])?;
        if let Some(after) = sql::get(conn, id)? {
            audit_user(
                conn,
                &origin,
                &now,
                "user.password_changed",
                before.as_ref(),
                &after,
            )?;
        }
        Ok(())
    })
    .await
}

/// Gives a user a new generated password (to change at next sign-in) and ends their sessions.
pub async fn reset_password(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: i64,
) -> Result<NewUser, ServiceError> {
    let password = generate_password();
    let hash = password::hash(password.clone()).await?;
    let (now, origin) = (clock.timestamp(), origin.clone());
    let user = db
        .write(move |conn| {
            let before = sql::get(conn, id)?;
            if !sql::set_password(conn, id, &hash, true, &now)? {
                return Err(ServiceError::not_found("user", id.to_string()));
            }
            sql::delete_sessions_of(conn, id)?;
            let user = sql::get(conn, id)?
                .ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
            audit_user(
                conn,
                &origin,
                &now,
                "user.password_reset",
                before.as_ref(),
                &user,
            )?;
            Ok::<_, ServiceError>(user)
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
pub async fn set_role(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: i64,
    role: Role,
) -> Result<User, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
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
        let after =
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
        audit_user(
            conn,
            &origin,
            &now,
            "user.role_changed",
            Some(&user),
            &after,
        )?;
        Ok(after)
    })
    .await
}

/// Disables (or enables again) a user; disabling ends their sessions. The last enabled admin
/// cannot be disabled.
pub async fn set_disabled(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: i64,
    disabled: bool,
) -> Result<User, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
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
        let after =
            sql::get(conn, id)?.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        audit_user(conn, &origin, &now, action, Some(&user), &after)?;
        Ok(after)
    })
    .await
}
