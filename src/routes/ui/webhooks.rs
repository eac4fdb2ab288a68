//! Webhooks (admins only): endpoints with the event types they receive, their signing secret
//! (shown once, after creating or rotating), enabling and disabling, the delivery log and
//! resending a delivery. Every action answers with a redirect, so a reload repeats nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use crate::domain::event::EventType;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::user::Role;
use crate::domain::webhook::{
    DeliveryAttempt, DeliveryStatus, EndpointChanges, NewEndpoint, WebhookEndpoint,
};
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::webhooks as service;

/// Attempts shown on an endpoint's page.
const LOG_ROWS: usize = 100;

#[derive(Template)]
#[template(path = "pages/webhooks/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    endpoints: Vec<WebhookEndpoint>,
}

impl ListPage {
    pub fn types(&self, e: &WebhookEndpoint) -> String {
        describe_types(e)
    }
}

fn describe_types(e: &WebhookEndpoint) -> String {
    match &e.event_types {
        None => "Every event".to_owned(),
        Some(list) => list
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub async fn list(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let page = ListPage {
        layout: auth.layout("webhooks", "Webhooks"),
        endpoints: service::list(&state.db).await?,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/webhooks/new.html")]
pub struct NewPage {
    layout: LayoutCtx,
    form: FormState,
    types: &'static [EventType],
    chosen: Vec<String>,
}

impl NewPage {
    pub fn checked(&self, t: &EventType) -> bool {
        self.chosen.iter().any(|c| c == t.as_str())
    }
}

fn new_page(
    auth: &Authed,
    form: FormState,
    chosen: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = NewPage {
        layout: auth.layout("webhooks", "New webhook endpoint"),
        form,
        types: EventType::ALL,
        chosen,
    };
    render_status(&page, &page.layout, status)
}

pub async fn new_form(auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    new_page(&auth, FormState::default(), Vec::new(), StatusCode::OK)
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let chosen: Vec<String> = form
        .all("eventTypes")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let description = Some(form.get("description")).filter(|d| !d.trim().is_empty());
    let types = (!chosen.is_empty()).then_some(chosen.as_slice());
    let result = match NewEndpoint::parse(form.get("url"), types, description) {
        Ok(new) => service::create(&state.db, &state.clock, auth.origin(), new).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(created) => {
            let ticket = state
                .reveals
                .keep(&auth.session.token_hash, created.secret.clone());
            Ok(redirect(
                &format!(
                    "/admin/webhooks/{}?secret={ticket}",
                    created.endpoint.webhook_endpoint_id
                ),
                Some("Webhook endpoint created. Copy its signing secret now."),
            ))
        }
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let state = form.to_state().refuse(e);
            new_page(&auth, state, chosen, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    secret: String,
}

#[derive(Template)]
#[template(path = "pages/webhooks/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    e: WebhookEndpoint,
    types: String,
    /// The signing secret, on the one page view after it was made.
    secret: Option<String>,
    /// A secret was asked for but has been shown already (a reload).
    secret_gone: bool,
    attempts: Vec<DeliveryAttempt>,
}

impl DetailPage {
    pub fn failed(&self, a: &DeliveryAttempt) -> bool {
        a.status == DeliveryStatus::Failed
    }

    pub fn outcome(&self, a: &DeliveryAttempt) -> String {
        match (a.attempt, a.http_status, &a.error) {
            (0, _, _) => "queued".to_owned(),
            (_, Some(s), _) => format!("HTTP {s}"),
            (_, None, Some(e)) => e.clone(),
            _ => String::new(),
        }
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<DetailQuery>,
    UiPath(id): UiPath<WebhookEndpointId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let e = service::get(&state.db, &id).await?;
    let secret = (!q.secret.is_empty())
        .then(|| state.reveals.take(&auth.session.token_hash, &q.secret))
        .flatten();
    let page = DetailPage {
        layout: auth.layout("webhooks", format!("Webhook {}", e.url)),
        types: describe_types(&e),
        secret_gone: !q.secret.is_empty() && secret.is_none(),
        secret,
        attempts: service::deliveries(&state.db, &id, LOG_ROWS).await?,
        e,
    };
    render(&page, &page.layout)
}

/// Enable, disable, rotate the secret, delete: the endpoint page's buttons.
pub async fn act(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath((id, action)): UiPath<(WebhookEndpointId, String)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let (db, clock, origin) = (&state.db, &state.clock, auth.origin());
    let page = format!("/admin/webhooks/{id}");
    match action.as_str() {
        "enable" | "disable" => {
            let changes = EndpointChanges {
                enabled: Some(action == "enable"),
                ..Default::default()
            };
            service::update(db, clock, origin, &id, changes).await?;
            let msg = if action == "enable" {
                "Endpoint enabled: it receives the events from now on."
            } else {
                "Endpoint disabled: it receives nothing until it is enabled again."
            };
            Ok(redirect(&page, Some(msg)))
        }
        "rotate" => {
            let rotated = service::rotate_secret(db, clock, origin, &id).await?;
            let ticket = state.reveals.keep(&auth.session.token_hash, rotated.secret);
            Ok(redirect(
                &format!("{page}?secret={ticket}"),
                Some("New signing secret made; the old one no longer signs. Copy it now."),
            ))
        }
        "delete" => {
            if form.get("confirm") != "yes" {
                return Err(UiError::BadRequest(
                    "Tick the box to confirm that the endpoint should be deleted.".to_owned(),
                ));
            }
            service::delete(db, clock, origin, &id).await?;
            Ok(redirect(
                "/admin/webhooks",
                Some("Webhook endpoint deleted."),
            ))
        }
        other => Err(UiError::NotFound(format!("there is no action `{other}`"))),
    }
}

/// Sends a delivery again.
pub async fn resend(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let (id, delivery) = path.into_inner();
    let id = WebhookEndpointId::parse(&id)
        .ok_or_else(|| UiError::from(ServiceError::not_found("webhook endpoint", &id)))?;
    service::resend(&state.db, &state.clock, auth.origin(), &id, delivery).await?;
    Ok(redirect(
        &format!("/admin/webhooks/{id}"),
        Some("The delivery is queued to be sent again."),
    ))
}
