//! Suspending, reactivating and terminating a customer, after a confirmation step, through the
//! same services as the API; a change that cannot be made is refused on the customer's page.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::layout::{LayoutCtx, redirect, redirect_refused, render};
use crate::domain::customer::{Customer, CustomerChanges};
use crate::domain::enums::CustomerStatus;
use crate::domain::ids::CustomerId;
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::customers as service;

/// A customer status change a person can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Suspend,
    Reactivate,
    Terminate,
}

impl StatusAction {
    fn parse(s: &str) -> Result<Self, UiError> {
        match s {
            "suspend" => Ok(Self::Suspend),
            "reactivate" => Ok(Self::Reactivate),
            "terminate" => Ok(Self::Terminate),
            other => Err(UiError::BadRequest(format!(
                "`{other}` is not a customer action; use suspend, reactivate or terminate"
            ))),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reactivate => "reactivate",
            Self::Terminate => "terminate",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Suspend => "Suspend",
            Self::Reactivate => "Reactivate",
            Self::Terminate => "Terminate",
        }
    }

    pub fn consequence(&self) -> &'static str {
        match self {
            Self::Suspend => {
                "Every Active subscription is suspended with the customer (and not charged while suspended on the bill day) until the customer is reactivated."
            }
            Self::Reactivate => {
                "The customer becomes Active again, and so do the subscriptions its suspension paused."
            }
            Self::Terminate => {
                "The customer is closed for good and every subscription is cancelled today; days already charged after today are credited on the next invoice. This cannot be undone."
            }
        }
    }
}

/// Why `action` cannot be done to `c` now, in words; `None` when it can. The customer's page
/// offers only what can be done; this answers a stale page or link.
fn status_refusal(c: &Customer, action: StatusAction) -> Option<String> {
    let name = c.display_name();
    match (c.status, action) {
        (CustomerStatus::Terminated, _) => Some(format!(
            "{name} is terminated; a terminated customer cannot be changed any more."
        )),
        (CustomerStatus::Suspended, StatusAction::Suspend) => {
            Some(format!("{name} is already suspended."))
        }
        (CustomerStatus::Active, StatusAction::Reactivate) => {
            Some(format!("{name} is already active."))
        }
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "pages/customers/confirm.html")]
pub struct ConfirmPage {
    layout: LayoutCtx,
    c: Customer,
    action: StatusAction,
}

#[derive(Debug, Deserialize)]
pub struct ActionQuery {
    #[serde(default)]
    to: String,
}

pub async fn confirm_status(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ActionQuery>,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let action = StatusAction::parse(&q.to)?;
    let c = service::get(&state.db, &id).await?;
    if let Some(why) = status_refusal(&c, action) {
        return Ok(redirect_refused(
            &format!("/admin/customers/{}", c.customer_id),
            &why,
        ));
    }
    let page = ConfirmPage {
        layout: auth.layout(
            "customers",
            format!("{} {}", action.label(), c.display_name()),
        ),
        c,
        action,
    };
    render(&page, &page.layout)
}

pub async fn change_status(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let action = StatusAction::parse(form.get("action"))?;
    let current = service::get(&state.db, &id).await?;
    if let Some(why) = status_refusal(&current, action) {
        return Ok(redirect_refused(
            &format!("/admin/customers/{}", current.customer_id),
            &why,
        ));
    }
    let c = match action {
        StatusAction::Terminate => {
            crate::service::lifecycle::terminate(&state.db, &state.clock, auth.origin(), &id)
                .await?
        }
        StatusAction::Suspend | StatusAction::Reactivate => {
            let status = if action == StatusAction::Suspend {
                CustomerStatus::Suspended
            } else {
                CustomerStatus::Active
            };
            let changes = CustomerChanges {
                status: Some(status),
                ..Default::default()
            };
            service::update(&state.db, &state.clock, auth.origin(), &id, changes).await?
        }
    };
    let msg = format!(
        "{} is now {}.",
        c.display_name(),
        c.status.as_str().to_lowercase()
    );
    Ok(redirect(
        &format!("/admin/customers/{}", c.customer_id),
        Some(&msg),
    ))
}
