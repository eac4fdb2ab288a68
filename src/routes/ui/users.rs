//! Users of the admin UI (admins only): create, change role, disable, reset password. A
//! generated password is shown once, on the page that answers the change, and never again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm};
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
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
}

pub async fn list(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let page = ListPage {
        layout: auth.layout("users", "Users"),
        users: service::list(&state.db).await?,
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
    password: String,
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
            let mut layout = auth.layout("users", "User created");
            layout.flash = Some(format!(
                "User {} created with the {} role.",
                created.user.username, created.user.role
            ));
            let page = SecretPage {
                layout,
                heading: "User created".to_owned(),
                username: created.user.username,
                password: created.password,
            };
            render_status(&page, &page.layout, StatusCode::CREATED)
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
    let user = service::set_role(&state.db, &state.clock, auth.origin(), *id, role).await?;
    Ok(redirect(
        "/admin/users",
        Some(&format!(
            "{} now has the {} role.",
            user.username, user.role
        )),
    ))
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

pub async fn confirm(
    state: web::Data<AppState>,
    auth: Authed,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let (id, action) = path.into_inner();
    let action = UserAction::parse(&action)?;
    let user = service::get(&state.db, id).await?;
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
            let user =
                service::set_disabled(&state.db, &state.clock, auth.origin(), id, disable).await?;
            let word = if disable { "disabled" } else { "enabled" };
            Ok(redirect(
                "/admin/users",
                Some(&format!("{} is {word}.", user.username)),
            ))
        }
        UserAction::ResetPassword => {
            let reset = service::reset_password(&state.db, &state.clock, auth.origin(), id).await?;
            let mut layout = auth.layout("users", "Password reset");
            layout.flash = Some(format!(
                "The password of {} was reset.",
                reset.user.username
            ));
            let page = SecretPage {
                layout,
                heading: "Password reset".to_owned(),
                username: reset.user.username,
                password: reset.password,
            };
            render(&page, &page.layout)
        }
    }
}
