//! Invoices: the list across customers (status and date filters kept in the URL), the detail page
//! with lines and payments, and the printable page laid out as the invoice a customer receives.
//! Payments and cancellation are in `invoice_actions`.

use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, render};
use super::pager::Pager;
use crate::domain::FieldError;
use crate::domain::customer::Customer;
use crate::domain::date::parse_date;
use crate::domain::enums::InvoiceStatus;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::money::Currency;
use crate::domain::operator::OperatorDetails;
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{customers, invoices as service, payments};

/// Money as the invoice pages write it.
pub fn money(currency: &Currency, v: &Decimal) -> String {
    format::money(*currency, *v)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/invoices/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    filters: FormState,
    statuses: &'static [InvoiceStatus],
    invoices: Vec<(Invoice, String)>,
    pager: Pager,
}

impl ListPage {
    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        money(currency, v)
    }
}

/// Reads the filters, filing a bad one under its field.
fn filter(q: &ListQuery) -> Result<InvoiceFilter, FieldError> {
    let date = |field: &str, v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| parse_date(field, v)).transpose()
    };
    Ok(InvoiceFilter {
        status: match q.status.as_str() {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|e: String| FieldError::new("status", e))?,
            ),
        },
        from_date: date("from", &q.from)?,
        to_date: date("to", &q.to)?,
    })
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let q = q.into_inner();
    let page_no = match q.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?,
    };
    let page = PageRequest::parse(Some(page_no), Some(25))
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    let params = [
        ("status", q.status.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ];
    let mut filters = FormState::from_values(
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let result = match filter(&q) {
        Ok(f) => service::list_all(&state.db, f, page).await,
        Err(e) => Err(e.into()),
    };
    let (invoices, total) = match result {
        Ok(r) => (r.items, r.pagination.total_items),
        Err(ServiceError::Invalid(mut e)) => {
            if e.field == "fromDate" {
                e.field = "from".to_owned();
            }
            filters = filters.refuse(e);
            (Vec::new(), 0)
        }
        Err(e) => return Err(e.into()),
    };
    let mut pager = Pager::new("/admin/invoices", &params, page.page, 25, total);
    pager.capped = total >= service::LIST_COUNT_CAP;
    let page = ListPage {
        layout: auth.layout("invoices", "Invoices"),
        filters,
        statuses: InvoiceStatus::ALL,
        invoices,
        pager,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/invoices/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    i: Invoice,
    c: Customer,
    payments: Vec<Payment>,
    /// The e-mails sent about this invoice.
    emails: Vec<crate::domain::email_message::EmailMessage>,
}

impl DetailPage {
    pub fn money(&self, v: &Decimal) -> String {
        money(&self.i.currency, v)
    }

    /// Whether payments can still be recorded, or the invoice cancelled.
    pub fn collectable(&self) -> bool {
        crate::domain::invoice::is_collectable(self.i.status)
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    let i = service::get(&state.db, &id).await?;
    let c = customers::get(&state.db, &i.customer_id).await?;
    let payments = payments::list(&state.db, &id).await?;
    let emails = crate::service::email::for_invoice(&state.db, &id).await?;
    let page = DetailPage {
        layout: auth.layout("invoices", format!("Invoice {}", i.invoice_number)),
        i,
        c,
        payments,
        emails,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/invoices/print.html")]
pub struct PrintPage {
    layout: LayoutCtx,
    i: Invoice,
    c: Customer,
    operator: OperatorDetails,
}

impl PrintPage {
    pub fn money(&self, v: &Decimal) -> String {
        money(&self.i.currency, v)
    }

    /// The address the invoice is sent to: the billing address when there is one.
    pub fn bill_to(&self) -> Vec<String> {
        self.c
            .billing_address
            .as_ref()
            .or(self.c.address.as_ref())
            .map(|a| a.lines())
            .unwrap_or_default()
    }
}

/// The invoice as the customer gets it: the page's own print style sheet lays it out for A4 and
/// Letter, without the navigation.
pub async fn print(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    let i = service::get(&state.db, &id).await?;
    let c = customers::get(&state.db, &i.customer_id).await?;
    let page = PrintPage {
        layout: auth.layout("invoices", format!("Invoice {}", i.invoice_number)),
        i,
        c,
        operator: state.live.get().operator,
    };
    render(&page, &page.layout)
}
