//! Suspending, reactivating and terminating a customer, after a confirmation step, through the
//! same services as the API; a change that cannot be made is refused on the customer's page.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
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
                "The customer is closed for good and every subscription is cancelled today. The final invoice below is issued at once: days already charged after today are credited, and pending charges and usage are billed. This cannot be undone."
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
    /// For a termination: the final invoice it would issue and the balance it would leave.
    settlement: Option<crate::service::lifecycle::TerminationPreview>,
}

impl ConfirmPage {
    fn currency(&self) -> crate::domain::money::Currency {
        self.settlement
            .as_ref()
            .and_then(|s| s.currency)
            .unwrap_or(crate::domain::money::Currency::USD)
    }

    pub fn money(&self, v: &rust_decimal::Decimal) -> String {
        format::money(self.currency(), *v)
    }

    pub fn money_minor(&self, v: &i64) -> String {
        format::money_minor(self.currency(), *v)
    }

    pub fn open_due(&self) -> String {
        self.settlement.as_ref().map_or_else(
            || format::money_minor(self.currency(), 0),
            |s| format::money_list_or(&s.open_due, self.currency()),
        )
    }
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
    let settlement = match action {
        StatusAction::Terminate => Some(
            crate::service::lifecycle::preview_termination(
                &state.db,
                &state.clock,
                &state.billing_rules(),
                &id,
            )
            .await?,
        ),
        _ => None,
    };
    let page = ConfirmPage {
        settlement,
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
    let mut settled = None;
    let c = match action {
        StatusAction::Terminate => {
            let rules = state.billing_rules();
            let done = crate::service::lifecycle::terminate(
                &state.db,
                &state.clock,
                &rules,
                auth.origin(),
                &id,
            )
            .await?;
            settled = done.final_invoice;
            done.customer
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
    let mut msg = format!(
        "{} is now {}.",
        c.display_name(),
        c.status.as_str().to_lowercase()
    );
    if let Some(inv) = settled {
        msg.push_str(&format!(
            " Final invoice {} issued: {}.",
            inv.invoice_number,
            format::money(inv.currency, inv.total_amount)
        ));
    }
    Ok(redirect(
        &format!("/admin/customers/{}", c.customer_id),
        Some(&msg),
    ))
}
