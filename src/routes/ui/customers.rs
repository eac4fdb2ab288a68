//! Customers: the searchable list, the detail page, and status changes with a confirmation step.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
use super::layout::{LayoutCtx, redirect, render};
use super::pager::Pager;
use crate::domain::FieldError;
use crate::domain::customer::CustomerFilter;
use crate::domain::customer::{Customer, CustomerChanges};
use crate::domain::enums::{CustomerStatus, CustomerType};
use crate::domain::ids::CustomerId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::page::PageRequest;
use crate::domain::subscription::Subscription;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{customers as service, invoices, subscriptions, ui_reports};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "type")]
    customer_type: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/customers/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    q: String,
    status: String,
    customer_type: String,
    statuses: &'static [CustomerStatus],
    types: &'static [CustomerType],
    customers: Vec<Customer>,
    pager: Pager,
    message: Option<String>,
}

fn parse_opt<T: std::str::FromStr<Err = String>>(
    field: &str,
    v: &str,
) -> Result<Option<T>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|e| FieldError::new(field, e))
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let q = q.into_inner();
    let bad = |e: FieldError| UiError::BadRequest(e.to_string());
    let filter = CustomerFilter {
        status: parse_opt("status", &q.status).map_err(bad)?,
        customer_type: parse_opt("type", &q.customer_type).map_err(bad)?,
    };
    let page_no = match q.page.as_deref() {
        None | Some("") => None,
        Some(p) => Some(p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?),
    };
    let page = PageRequest::parse(page_no, Some(25)).map_err(bad)?;
    let params = [
        ("q", q.q.as_str()),
        ("status", q.status.as_str()),
        ("type", q.customer_type.as_str()),
    ];
    let term = q.q.trim();
    let mut message = None;
    let (customers, pager) = if term.is_empty() {
        let r = service::list(&state.db, filter, page).await?;
        let pager = Pager::new(
            "/admin/customers",
            &params,
            page.page,
            page.page_size,
            r.pagination.total_items,
        );
        (r.items, pager)
    } else {
        match service::search(&state.db, term, filter, page).await {
            Ok(r) => {
                let mut pager = Pager::new(
                    "/admin/customers",
                    &params,
                    page.page,
                    page.page_size,
                    r.total,
                );
                pager.capped = r.capped();
                (r.items, pager)
            }
            Err(ServiceError::Invalid(e)) => {
                message = Some(e.message);
                (
                    Vec::new(),
                    Pager::new("/admin/customers", &params, 1, 25, 0),
                )
            }
            Err(e) => return Err(e.into()),
        }
    };
    let page = ListPage {
        layout: auth.layout("customers", "Customers"),
        q: q.q,
        status: q.status,
        customer_type: q.customer_type,
        statuses: CustomerStatus::ALL,
        types: CustomerType::ALL,
        customers,
        pager,
        message,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/customers/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    c: Customer,
    subscriptions: Vec<Subscription>,
    invoices: Vec<Invoice>,
    invoice_total: u64,
    payments: Vec<(crate::domain::payment::Payment, String)>,
    balance: String,
    /// The customer's own entries in the audit trail, newest first.
    history: Vec<crate::domain::audit::AuditEntry>,
    /// Statement, dunning and e-mails.
    collections: super::collections::CustomerCollections,
}

impl DetailPage {
    pub fn money(
        &self,
        currency: &crate::domain::money::Currency,
        v: &rust_decimal::Decimal,
    ) -> String {
        format::money(*currency, *v)
    }

    pub fn changes(
        &self,
        e: &crate::domain::audit::AuditEntry,
    ) -> Vec<super::activity::FieldChange> {
        super::activity::field_changes(e)
    }

    pub fn link(&self, e: &crate::domain::audit::AuditEntry) -> Option<String> {
        super::activity::object_link(e)
    }

    pub fn sub_total(&self, s: &Subscription) -> String {
        let total = s.monthly_charge
            + s.addons
                .iter()
                .map(|a| a.charge)
                .sum::<rust_decimal::Decimal>();
        format::money(s.currency, total)
    }
}

/// Audit entries shown on a customer's page.
const HISTORY_ROWS: usize = 20;

pub async fn detail(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    let c = service::get(&state.db, &id).await?;
    let subs = subscriptions::list_for_customer(&state.db, &id, None).await?;
    let page_req =
        PageRequest::parse(Some(1), Some(20)).map_err(|e| UiError::BadRequest(e.to_string()))?;
    let inv =
        invoices::list_for_customer(&state.db, &id, InvoiceFilter::default(), page_req).await?;
    let balance = ui_reports::balance_due(&state.db, &c.customer_id).await?;
    let payments = ui_reports::customer_payments(&state.db, &c.customer_id, 10).await?;
    let history = crate::service::audit::newest(
        &state.db,
        crate::domain::audit::AuditFilter {
            object_id: Some(c.customer_id.to_string()),
            ..Default::default()
        },
        None,
        HISTORY_ROWS,
    )
    .await?
    .0;
    let collections = super::collections::for_customer(&state, &c.customer_id).await?;
    let page = DetailPage {
        layout: auth.layout("customers", c.display_name()),
        collections,
        balance: format::money_list(&balance),
        c,
        subscriptions: subs,
        invoices: inv.items,
        invoice_total: inv.pagination.total_items,
        payments,
        history,
    };
    render(&page, &page.layout)
}

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
    let msg = format!("{} is now {}.", c.display_name(), c.status);
    Ok(redirect(
        &format!("/admin/customers/{}", c.customer_id),
        Some(&msg),
    ))
}
