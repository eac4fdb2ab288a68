//! Suspending, resuming or cancelling a subscription after a confirmation step, through the same
//! lifecycle service as the API, so the billing consequences are the same whoever asks.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::layout::{LayoutCtx, redirect, redirect_refused, render};
use crate::domain::enums::{SubscriptionStatus, SuspendedBy};
use crate::domain::ids::SubscriptionId;
use crate::domain::subscription::Subscription;
use crate::domain::user::Role;
use crate::error::ServiceError;
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
    if let Some(why) = refusal(&s, action) {
        return Ok(redirect_refused(
            &format!("/admin/customers/{}", s.customer_id),
            &why,
        ));
    }
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

/// Why `action` cannot be done to `s` now, in words, with what to do instead; `None` when it
/// can. The customer's page offers only what can be done; this answers a stale page or link.
fn refusal(s: &Subscription, action: SubscriptionAction) -> Option<String> {
    let name = &s.product_name;
    match (action, s.status) {
        (SubscriptionAction::Resume, SubscriptionStatus::Suspended)
            if s.suspended_by == Some(SuspendedBy::Customer) =>
        {
            Some(format!(
                "{name} was suspended together with the customer, so it cannot be resumed on its \
                 own: reactivate the customer and it resumes too."
            ))
        }
        (SubscriptionAction::Resume, SubscriptionStatus::Suspended) => None,
        (SubscriptionAction::Resume, status) => Some(format!(
            "{name} is {} and not suspended, so there is nothing to resume.",
            status.as_str().to_lowercase()
        )),
        (SubscriptionAction::Suspend, SubscriptionStatus::Active) => None,
        (SubscriptionAction::Suspend, status) => Some(format!(
            "{name} is {}; only an active subscription can be suspended.",
            status.as_str().to_lowercase()
        )),
        (SubscriptionAction::Cancel, SubscriptionStatus::Cancelled) => {
            Some(format!("{name} is already cancelled."))
        }
        (SubscriptionAction::Cancel, _) => None,
    }
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
    let action = SubscriptionAction::parse(form.get("action"))?;
    let result = match action {
        SubscriptionAction::Suspend => lifecycle::suspend(db, clock, origin, &id).await,
        SubscriptionAction::Resume => lifecycle::resume(db, clock, origin, &id).await,
        SubscriptionAction::Cancel => {
            let when = parse_when(form.get("when"))?;
            lifecycle::cancel(db, clock, origin, &id, when).await
        }
    };
    let s = match result {
        Ok(s) => s,
        // Changed since the page was shown: say why on the customer's page.
        Err(ServiceError::Conflict(m)) => {
            let s = service::get(db, &id).await?;
            let why = refusal(&s, action).unwrap_or_else(|| format!("{}: {m}", s.product_name));
            return Ok(redirect_refused(
                &format!("/admin/customers/{}", s.customer_id),
                &why,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let msg = match s.end_date {
        Some(end) if s.status != crate::domain::enums::SubscriptionStatus::Cancelled => {
            format!("Subscription {} ends on {end}.", s.product_name)
        }
        _ => format!(
            "Subscription {} is now {}.",
            s.product_name,
            s.status.as_str().to_lowercase()
        ),
    };
    Ok(redirect(
        &format!("/admin/customers/{}", s.customer_id),
        Some(&msg),
    ))
}
