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

use crate::error::ServiceError;

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
    create(db, clock, "admin", Role::Admin).await.map(Some)
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
