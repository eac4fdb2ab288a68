//! Customers: the searchable, sortable list and the detail page (status changes are in
//! `customer_status`).

use actix_web::{HttpResponse, web};
use askama::Template;

use super::customer_list::{ListQuery, MatchNote, match_note};
use super::error::UiError;
use super::extract::{Authed, UiPath};
use super::format;
use super::layout::FormState;
use super::layout::{LayoutCtx, render};
use super::pager::Pager;
use super::sort::Sorter;
use crate::domain::FieldError;
use crate::domain::address::Address;
use crate::domain::audit::AuditEntry;
use crate::domain::customer::Customer;
use crate::domain::enums::{CustomerStatus, CustomerType};
use crate::domain::enums::{SubscriptionStatus, SuspendedBy};
use crate::domain::ids::CustomerId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::list_order::CustomerListing;
use crate::domain::money::Currency;
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;
use crate::domain::subscription::Subscription;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{customers as service, invoices, subscriptions, ui_lists, ui_reports};
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Template)]
#[template(path = "pages/customers/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    query: ListQuery,
    statuses: &'static [CustomerStatus],
    types: &'static [CustomerType],
    /// Each customer with why it matched the search, when that is not its name.
    customers: Vec<(Customer, Option<MatchNote>)>,
    pager: Pager,
    sorter: Sorter,
    /// A search keeps creation order; the name header is then not a sort link.
    searching: bool,
    filters: FormState,
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let query = q.into_inner();
    let page_no = match query.page.as_deref() {
        None | Some("") => None,
        Some(p) => Some(p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?),
    };
    let page =
        PageRequest::parse(page_no, Some(25)).map_err(|e| UiError::BadRequest(e.to_string()))?;
    let mut filters = FormState::from_values(
        query
            .params()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let listing = query.listing();
    let order = listing
        .as_ref()
        .map_or(CustomerListing::DEFAULT_ORDER, |l| l.order);
    let result = match listing {
        Ok(l) => ui_lists::customers(&state.db, auth.tz, l, &query.q, page).await,
        Err(e) => Err(e.into()),
    };
    let (customers, total, capped) = match result {
        Ok(r) => (r.items, r.total, r.capped),
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let field = if e.field == "since" {
                "from".to_owned()
            } else {
                e.field.clone()
            };
            filters = filters.refuse(FieldError::new(field, e.message));
            (Vec::new(), 0, false)
        }
        Err(e) => return Err(e.into()),
    };
    let params = query.params();
    let sort_param = order.to_param();
    let mut with_sort: Vec<(&str, &str)> = params.to_vec();
    if !query.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let mut pager = Pager::new(
        "/admin/customers",
        &with_sort,
        page.page,
        page.page_size,
        total,
    )
    .counting("customer", "customers");
    pager.capped = capped;
    let sorter = Sorter::new("/admin/customers", &params, order, &[]).offering(&[
        ("account", "Account, oldest first"),
        ("-account", "Account, newest first"),
        ("name", "Name, A to Z"),
        ("-name", "Name, Z to A"),
    ]);
    let searching = !query.q.trim().is_empty();
    let customers = customers
        .into_iter()
        .map(|c| {
            let note = searching.then(|| match_note(&c, &query.q)).flatten();
            (c, note)
        })
        .collect();
    let page = ListPage {
        layout: auth.layout("customers", "Customers"),
        statuses: CustomerStatus::ALL,
        types: CustomerType::ALL,
        customers,
        pager,
        sorter,
        searching,
        filters,
        query,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/customers/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    c: Customer,
    /// Each subscription with who cancelled it, if someone did.
    subscriptions: Vec<(Subscription, Option<Actor>)>,
    invoices: Vec<Invoice>,
    invoice_total: u64,
    /// Each payment with its invoice's number and who recorded it.
    payments: Vec<(Payment, String, Option<Actor>)>,
    balance: String,
    /// One-off charges, newest first.
    charges: Vec<crate::domain::charge::Charge>,
    credit_notes: Vec<crate::domain::credit_note::CreditNote>,
    credit_balance: crate::domain::credit_note::CreditBalance,
    /// The customer's own entries in the audit trail, newest first.
    history: Vec<AuditEntry>,
    /// The earlier of the day it was entered and the day its first subscription started.
    since: NaiveDate,
    /// The catalog has something to subscribe to.
    has_products: bool,
    /// API clients' names by id, for the history's "Who".
    client_names: std::collections::HashMap<String, String>,
    /// Statement, dunning and e-mails.
    collections: super::collections::CustomerCollections,
}

impl DetailPage {
    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        format::money(*currency, *v)
    }

    pub fn changes(&self, e: &AuditEntry) -> Vec<super::activity::FieldChange> {
        super::activity::field_changes(e, self.layout.tz)
    }

    pub fn link(&self, e: &AuditEntry) -> Option<String> {
        super::activity::object_link(e)
    }

    pub fn actor_name(&self, e: &AuditEntry) -> String {
        super::activity::actor_name(e, &self.client_names)
    }

    pub fn sub_total(&self, s: &Subscription) -> String {
        let total = s.monthly_charge + s.addons.iter().map(|a| a.charge).sum::<Decimal>();
        format::money(s.currency, total)
    }

    /// An address's lines, the country by its name.
    pub fn lines(&self, a: &Address) -> Vec<String> {
        format::address_lines(a)
    }

    /// Suspended because the customer is: it resumes when the customer is reactivated, and
    /// cannot be resumed on its own.
    pub fn suspended_with_customer(&self, s: &Subscription) -> bool {
        s.status == SubscriptionStatus::Suspended && s.suspended_by == Some(SuspendedBy::Customer)
    }

    pub fn who(&self, a: &Option<Actor>) -> String {
        a.as_ref().map(format::actor).unwrap_or_default()
    }

    /// The invoices listed, totalled per currency: (total, still due).
    pub fn invoice_totals(&self) -> Vec<(String, String)> {
        let mut sums: Vec<(Currency, Decimal, Decimal)> = Vec::new();
        for i in &self.invoices {
            match sums.iter_mut().find(|(c, _, _)| *c == i.currency) {
                Some(s) => {
                    s.1 += i.total_amount;
                    s.2 += i.amount_due;
                }
                None => sums.push((i.currency, i.total_amount, i.amount_due)),
            }
        }
        sums.into_iter()
            .map(|(c, t, d)| (format::money(c, t), format::money(c, d)))
            .collect()
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
    let charges = crate::service::charges::list_charges(&state.db, &id).await?;
    let (credit_notes, credit_balance) =
        crate::service::credit_notes::list_for_customer(&state.db, &id).await?;
    let facts = ui_lists::customer_facts(
        &state.db,
        &id,
        payments
            .iter()
            .map(|(p, _)| p.payment_id.to_string())
            .collect(),
        subs.iter().map(|s| s.subscription_id.to_string()).collect(),
    )
    .await?;
    let entered = format::day(&c.created_at, auth.tz).unwrap_or_else(|| state.clock.today());
    let since = facts.first_start.map_or(entered, |d| d.min(entered));
    let subscriptions = subs
        .into_iter()
        .zip(facts.cancel_actors)
        .map(|(s, who)| {
            let who = who.filter(|_| s.status == SubscriptionStatus::Cancelled);
            (s, who)
        })
        .collect();
    let payments = payments
        .into_iter()
        .zip(facts.payment_actors)
        .map(|((p, n), who)| (p, n, who))
        .collect();
    let main_currency = inv.items.first().map_or(Currency::USD, |i| i.currency);
    let collections = super::collections::for_customer(&state, &c.customer_id).await?;
    let page = DetailPage {
        layout: auth.layout("customers", c.display_name()),
        collections,
        balance: format::money_list_or(&balance, main_currency),
        c,
        subscriptions,
        invoices: inv.items,
        invoice_total: inv.pagination.total_items,
        payments,
        history,
        charges,
        credit_notes,
        credit_balance,
        since,
        has_products: facts.has_products,
        client_names: super::activity::client_names(&state).await?,
    };
    render(&page, &page.layout)
}

pub use super::customer_status::{change_status, confirm_status};
