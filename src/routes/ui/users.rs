//! Users of the admin UI (admins only): create, change role, disable, reset password. A
//! generated password is shown once, on the page that answers the change, and never again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm};
use serde::Deserialize;

use super::format;
use super::layout::{FormState, LayoutCtx, redirect, redirect_refused, render, render_status};
use crate::domain::user::Role;
use crate::domain::user::User;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::users as service;

#[derive(Template)]
#[template(path = "pages/users/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    users: Vec<User>,
    roles: [Role; 3],
    me: i64,
    /// Enabled admins: the last one can be neither disabled nor given another role.
    enabled_admins: usize,
}

impl ListPage {
    /// This user is the only enabled admin: taking that away would lock everyone out of the
    /// users, the catalog and the API clients.
    pub fn last_admin(&self, u: &User) -> bool {
        u.role == Role::Admin && !u.disabled && self.enabled_admins <= 1
    }
}

fn enabled_admins(users: &[User]) -> usize {
    users
        .iter()
        .filter(|u| u.role == Role::Admin && !u.disabled)
        .count()
}

/// Why the only enabled admin keeps the role, in words, with the way round it.
fn last_admin_refusal(username: &str, what: &str) -> String {
    format!(
        "{username} is the only enabled admin, so they cannot be {what}: nobody could manage \
         users, the catalog or API clients any more. Make another user an admin first."
    )
}

pub async fn list(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let users = service::list(&state.db).await?;
    let page = ListPage {
        layout: auth.layout("users", "Users"),
        enabled_admins: enabled_admins(&users),
        users,
        roles: Role::ALL,
        me: auth.user_id(),
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/users/new.html")]
pub struct NewPage {
    layout: LayoutCtx,
    form: FormState,
    roles: Vec<&'static str>,
}

fn new_page(auth: &Authed, form: FormState, status: StatusCode) -> Result<HttpResponse, UiError> {
    let page = NewPage {
        layout: auth.layout("users", "New user"),
        form,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
    };
    render_status(&page, &page.layout, status)
}

pub async fn new_form(auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    new_page(
        &auth,
        FormState::from_values([("role".to_owned(), "operator".to_owned())]),
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "pages/users/secret.html")]
pub struct SecretPage {
    layout: LayoutCtx,
    heading: String,
    username: String,
    user_id: i64,
    /// `None` when it has been shown already.
    password: Option<String>,
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let result = match Role::parse("role", form.get("role")) {
        Ok(role) => {
            service::create(
                &state.db,
                &state.clock,
                auth.origin(),
                form.get("username"),
                role,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(created) => {
            let ticket = state
                .reveals
                .keep(&auth.session.token_hash, created.password);
            Ok(redirect(
                &format!(
                    "/admin/users/{}/new-password?ticket={ticket}",
                    created.user.id
                ),
                Some(&format!(
                    "User {} created with the {} role.",
                    created.user.username,
                    format::word(created.user.role)
                )),
            ))
        }
        Err(ServiceError::Invalid(f) | ServiceError::Unprocessable(f)) => {
            new_page(&auth, form.to_state().refuse(f), StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_role(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    id: web::Path<i64>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let role =
        Role::parse("role", form.get("role")).map_err(|e| UiError::BadRequest(e.to_string()))?;
    match service::set_role(&state.db, &state.clock, auth.origin(), *id, role).await {
        Ok(user) => Ok(redirect(
            "/admin/users",
            Some(&format!(
                "{} now has the {} role.",
                user.username,
                format::word(user.role)
            )),
        )),
        Err(ServiceError::Conflict(_)) => {
            let user = service::get(&state.db, *id).await?;
            Ok(redirect_refused(
                "/admin/users",
                &last_admin_refusal(&user.username, "given another role"),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// A destructive user action, confirmed on its own page first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Disable,
    Enable,
    ResetPassword,
}

impl UserAction {
    fn parse(s: &str) -> Result<Self, UiError> {
        match s {
            "disable" => Ok(Self::Disable),
            "enable" => Ok(Self::Enable),
            "reset-password" => Ok(Self::ResetPassword),
            _ => Err(UiError::NotFound(
                "There is no such page in the admin UI.".to_owned(),
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::ResetPassword => "reset-password",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Disable => "Disable",
            Self::Enable => "Enable",
            Self::ResetPassword => "Reset the password of",
        }
    }

    pub fn consequence(&self) -> &'static str {
        match self {
            Self::Disable => "They are signed out at once and cannot sign in until enabled again.",
            Self::Enable => "They can sign in again with their password.",
            Self::ResetPassword => {
                "They are signed out, and get a new generated password, shown to you once, which they must change at their next sign-in."
            }
        }
    }
}

#[derive(Template)]
#[template(path = "pages/users/confirm.html")]
pub struct ConfirmPage {
    layout: LayoutCtx,
    user: User,
    action: UserAction,
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

/// The page after a user was created or their password reset: the generated password, once.
/// A reload (or a second tab) finds it gone and says how to get another.
async fn new_password(
    state: &AppState,
    auth: &Authed,
    id: i64,
    ticket: &str,
) -> Result<HttpResponse, UiError> {
    let user = service::get(&state.db, id).await?;
    let password = (!ticket.is_empty())
        .then(|| state.reveals.take(&auth.session.token_hash, ticket))
        .flatten();
    let page = SecretPage {
        layout: auth.layout("users", "New password"),
        heading: format!("Password of {}", user.username),
        username: user.username,
        user_id: user.id,
        password,
    };
    render(&page, &page.layout)
}

pub async fn confirm(
    state: web::Data<AppState>,
    auth: Authed,
    path: web::Path<(i64, String)>,
    q: web::Query<TicketQuery>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let (id, action) = path.into_inner();
    if action == "new-password" {
        return new_password(&state, &auth, id, &q.ticket).await;
    }
    let action = UserAction::parse(&action)?;
    let user = service::get(&state.db, id).await?;
    if action == UserAction::Disable {
        let users = service::list(&state.db).await?;
        if user.role == Role::Admin && !user.disabled && enabled_admins(&users) <= 1 {
            return Ok(redirect_refused(
                "/admin/users",
                &last_admin_refusal(&user.username, "disabled"),
            ));
        }
    }
    let page = ConfirmPage {
        layout: auth.layout("users", format!("{} {}", action.label(), user.username)),
        user,
        action,
    };
    render(&page, &page.layout)
}

pub async fn act(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let (id, action) = path.into_inner();
    match UserAction::parse(&action)? {
        UserAction::Disable | UserAction::Enable => {
            let disable = UserAction::parse(&action)? == UserAction::Disable;
            match service::set_disabled(&state.db, &state.clock, auth.origin(), id, disable).await {
                Ok(user) => {
                    let word = if disable { "disabled" } else { "enabled" };
                    Ok(redirect(
                        "/admin/users",
                        Some(&format!("{} is {word}.", user.username)),
                    ))
                }
                Err(ServiceError::Conflict(_)) => {
                    let user = service::get(&state.db, id).await?;
                    Ok(redirect_refused(
                        "/admin/users",
                        &last_admin_refusal(&user.username, "disabled"),
                    ))
                }
                Err(e) => Err(e.into()),
            }
        }
        UserAction::ResetPassword => {
            let reset = service::reset_password(&state.db, &state.clock, auth.origin(), id).await?;
            let ticket = state.reveals.keep(&auth.session.token_hash, reset.password);
            Ok(redirect(
                &format!(
                    "/admin/users/{}/new-password?ticket={ticket}",
                    reset.user.id
                ),
                Some(&format!(
                    "The password of {} was reset.",
                    reset.user.username
                )),
            ))
        }
    }
}
