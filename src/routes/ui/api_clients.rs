//! API clients (admins only): create one with its scopes (the secret is shown once), revoke,
//! rotate the secret.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use serde::Deserialize;

use super::format;
use super::layout::{FormState, LayoutCtx, redirect, redirect_refused, render, render_status};
use crate::domain::ids::ClientId;
use crate::domain::scope::{Scope, ScopeSet};
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::clients::{self as service, ApiClient, ClientCredentials};

#[derive(Template)]
#[template(path = "pages/api_clients/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    clients: Vec<ApiClient>,
}

impl ListPage {
    /// Each scope of the client with what it allows.
    pub fn scopes(&self, c: &ApiClient) -> Vec<(&'static str, &'static str)> {
        c.scopes
            .iter()
            .map(|s| (s.as_str(), format::scope_meaning(s.as_str())))
            .collect()
    }
}

pub async fn list(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let page = ListPage {
        layout: auth.layout("api-clients", "API clients"),
        clients: service::list(&state.db).await?,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/api_clients/new.html")]
pub struct NewPage {
    layout: LayoutCtx,
    form: FormState,
    /// Every scope with what it allows.
    scopes: Vec<(&'static str, &'static str)>,
    chosen: Vec<String>,
}

impl NewPage {
    pub fn checked(&self, scope: &str) -> bool {
        self.chosen.iter().any(|s| s == scope)
    }
}

fn new_page(
    auth: &Authed,
    form: FormState,
    chosen: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = NewPage {
        layout: auth.layout("api-clients", "New API client"),
        form,
        scopes: Scope::ALL
            .iter()
            .map(|s| (s.as_str(), format::scope_meaning(s.as_str())))
            .collect(),
        chosen,
    };
    render_status(&page, &page.layout, status)
}

pub async fn new_form(auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    new_page(&auth, FormState::default(), Vec::new(), StatusCode::OK)
}

#[derive(Template)]
#[template(path = "pages/api_clients/secret.html")]
pub struct SecretPage {
    layout: LayoutCtx,
    client: ApiClient,
    /// `None` when it has been shown already (a reload).
    secret: Option<String>,
}

/// The page a new or rotated secret is shown on, once: the POST keeps it for this session and
/// redirects here, so a reload shows nothing and creates or rotates nothing.
async fn secret_page(
    state: &AppState,
    auth: &Authed,
    id: &ClientId,
    ticket: &str,
) -> Result<HttpResponse, UiError> {
    let client = service::get(&state.db, id).await?;
    let secret = (!ticket.is_empty())
        .then(|| state.reveals.take(&auth.session.token_hash, ticket))
        .flatten();
    let page = SecretPage {
        layout: auth.layout("api-clients", format!("Secret of {}", client.name)),
        client,
        secret,
    };
    render(&page, &page.layout)
}

fn to_secret_page(
    state: &AppState,
    auth: &Authed,
    creds: ClientCredentials,
    flash: &str,
) -> HttpResponse {
    let ticket = state
        .reveals
        .keep(&auth.session.token_hash, creds.client_secret);
    redirect(
        &format!(
            "/admin/api-clients/{}/secret?ticket={ticket}",
            creds.client.client_id
        ),
        Some(flash),
    )
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let chosen: Vec<String> = form.all("scopes").into_iter().map(str::to_owned).collect();
    let result = match ScopeSet::parse("scopes", &chosen.join(" ")) {
        Ok(scopes) => {
            service::create(
                &state.db,
                &state.clock,
                auth.origin(),
                Some(&state.auth),
                form.get("name"),
                scopes,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(creds) => {
            let flash = format!("API client {} created.", creds.client.name);
            Ok(to_secret_page(&state, &auth, creds, &flash))
        }
        Err(ServiceError::Invalid(f) | ServiceError::Unprocessable(f)) => new_page(
            &auth,
            form.to_state().refuse(f),
            chosen,
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/api_clients/confirm.html")]
pub struct ConfirmPage {
    layout: LayoutCtx,
    c: ApiClient,
    action: &'static str,
}

fn action(s: &str) -> Result<&'static str, UiError> {
    match s {
        "revoke" => Ok("revoke"),
        "rotate" => Ok("rotate"),
        "secret" => Ok("secret"),
        _ => Err(UiError::NotFound(
            "There is no such page in the admin UI.".to_owned(),
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

pub async fn confirm(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath((id, act)): UiPath<(ClientId, String)>,
    q: web::Query<TicketQuery>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let act = action(&act)?;
    if act == "secret" {
        return secret_page(&state, &auth, &id, &q.ticket).await;
    }
    let c = service::get(&state.db, &id).await?;
    if !c.enabled {
        return Ok(redirect_refused(
            "/admin/api-clients",
            &format!(
                "{} is revoked: its secret cannot be rotated and it cannot be revoked again. \
                 Create a new client instead.",
                c.name
            ),
        ));
    }
    let page = ConfirmPage {
        layout: auth.layout("api-clients", format!("{act} {}", c.name)),
        c,
        action: act,
    };
    render(&page, &page.layout)
}

pub async fn act(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    UiPath((id, act)): UiPath<(ClientId, String)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    match action(&act)? {
        "revoke" => {
            let c = service::revoke(
                &state.db,
                &state.clock,
                auth.origin(),
                Some(&state.auth),
                &id,
            )
            .await?;
            Ok(redirect(
                "/admin/api-clients",
                Some(&format!(
                    "API client {} revoked; its tokens no longer work.",
                    c.name
                )),
            ))
        }
        "rotate" => {
            let creds = service::rotate_secret(&state.db, &state.clock, auth.origin(), &id).await?;
            let flash = format!("The secret of {} was replaced.", creds.client.name);
            Ok(to_secret_page(&state, &auth, creds, &flash))
        }
        _ => Err(UiError::NotFound(
            "There is no such page in the admin UI.".to_owned(),
        )),
    }
}
