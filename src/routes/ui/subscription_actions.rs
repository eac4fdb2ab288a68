//! Suspending, resuming or cancelling a subscription after a confirmation step, through the same
//! lifecycle service as the API, so the billing consequences are the same whoever asks.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::layout::{LayoutCtx, redirect, render};
use crate::domain::ids::SubscriptionId;
use crate::domain::subscription::Subscription;
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::lifecycle::{self, CancelWhen};
use crate::service::subscriptions as service;

/// A change of a subscription's state asked for by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionAction {
    Suspend,
    Resume,
    Cancel,
}

impl SubscriptionAction {
    fn parse(s: &str) -> Result<Self, UiError> {
        match s {
            "suspend" => Ok(Self::Suspend),
            "resume" => Ok(Self::Resume),
            "cancel" => Ok(Self::Cancel),
            other => Err(UiError::BadRequest(format!(
                "`{other}` is not one of suspend, resume, cancel"
            ))),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Cancel => "cancel",
        }
    }

    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::Suspend => (
                "Suspend",
                "The service is paused until it is resumed; a subscription suspended on the bill day is not charged for the next month.",
            ),
            Self::Resume => ("Resume", "The service becomes Active again."),
            Self::Cancel => (
                "Cancel",
                "Choose when it ends. Days already charged after the last day are credited on the next invoice. This cannot be undone.",
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/subscriptions/confirm.html")]
pub struct ConfirmPage {
    layout: LayoutCtx,
    s: Subscription,
    action: SubscriptionAction,
    consequence: &'static str,
    label: &'static str,
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
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let action = SubscriptionAction::parse(&q.to)?;
    let s = service::get(&state.db, &id).await?;
    let (label, consequence) = action.describe();
    let page = ConfirmPage {
        layout: auth.layout("customers", format!("{label} {}", s.product_name)),
        s,
        action,
        consequence,
        label,
    };
    render(&page, &page.layout)
}

fn parse_when(s: &str) -> Result<CancelWhen, UiError> {
    match s {
        "" | "now" => Ok(CancelWhen::Now),
        "end_of_period" => Ok(CancelWhen::EndOfPeriod),
        other => Err(UiError::BadRequest(format!(
            "`{other}` is not when a cancellation can take effect; use now or end_of_period"
        ))),
    }
}

pub async fn change_status(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let (db, clock, origin) = (&state.db, &state.clock, auth.origin());
    let s = match SubscriptionAction::parse(form.get("action"))? {
        SubscriptionAction::Suspend => lifecycle::suspend(db, clock, origin, &id).await?,
        SubscriptionAction::Resume => lifecycle::resume(db, clock, origin, &id).await?,
        SubscriptionAction::Cancel => {
            let when = parse_when(form.get("when"))?;
            lifecycle::cancel(db, clock, origin, &id, when).await?
        }
    };
    let msg = match s.end_date {
        Some(end) if s.status != crate::domain::enums::SubscriptionStatus::Cancelled => {
            format!("Subscription {} ends on {end}.", s.product_name)
        }
        _ => format!("Subscription {} is now {}.", s.product_name, s.status),
    };
    Ok(redirect(
        &format!("/admin/customers/{}", s.customer_id),
        Some(&msg),
    ))
}
