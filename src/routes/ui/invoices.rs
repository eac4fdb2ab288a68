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
use super::sort::Sorter;
use crate::domain::FieldError;
use crate::domain::customer::Customer;
use crate::domain::date::parse_date;
use crate::domain::enums::InvoiceStatus;
use crate::domain::ids::{BillRunId, InvoiceId};
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::list_order::{InvoiceListing, InvoiceSearch, Order};
use crate::domain::money::Currency;
use crate::domain::operator::OperatorDetails;
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{bill_runs, customers, invoices as service, payments, ui_lists};

/// Money as the invoice pages write it.
pub fn money(currency: &Currency, v: &Decimal) -> String {
    format::money(*currency, *v)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// An invoice number (or part of one), or a customer's name, e-mail, phone or account.
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Only the invoices this bill run created.
    #[serde(default)]
    run: String,
    #[serde(default)]
    sort: String,
    page: Option<String>,
}

impl ListQuery {
    fn params(&self) -> [(&'static str, &str); 5] {
        [
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("run", self.run.as_str()),
        ]
    }
}

#[derive(Template)]
#[template(path = "pages/invoices/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    query: ListQuery,
    filters: FormState,
    statuses: &'static [InvoiceStatus],
    invoices: Vec<(Invoice, String)>,
    pager: Pager,
    sorter: Sorter,
    /// Totals of every invoice that matches, per currency: (count, total, due), when few
    /// enough match to add them up.
    totals: Option<Vec<(String, String, String)>>,
    by_customer: bool,
    /// The bill run the list is narrowed to: (id, period).
    run: Option<(String, String)>,
}

impl ListPage {
    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        money(currency, v)
    }

    /// The invoices on this page totalled per currency: (total, due).
    pub fn page_totals(&self) -> Vec<(String, String)> {
        let mut sums: Vec<(Currency, Decimal, Decimal)> = Vec::new();
        for (i, _) in &self.invoices {
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

/// Reads the filters, filing a bad one under its field.
fn listing(q: &ListQuery) -> Result<InvoiceListing, FieldError> {
    let date = |field: &str, v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| parse_date(field, v)).transpose()
    };
    let bill_run = match q.run.trim() {
        "" => None,
        r => Some(BillRunId::parse(r).ok_or_else(|| FieldError::new("run", "is not a bill run"))?),
    };
    Ok(InvoiceListing {
        filter: InvoiceFilter {
            status: match q.status.as_str() {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|e: String| FieldError::new("status", e))?,
                ),
            },
            from_date: date("from", &q.from)?,
            to_date: date("to", &q.to)?,
        },
        search: InvoiceSearch::parse(&q.q),
        bill_run,
        order: Order::parse(&q.sort, InvoiceListing::DEFAULT_ORDER)?,
    })
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let query = q.into_inner();
    let page_no = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?,
    };
    let page = PageRequest::parse(Some(page_no), Some(25))
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    let params = query.params();
    let mut filters = FormState::from_values(
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let wanted = listing(&query);
    let order = wanted
        .as_ref()
        .map_or(InvoiceListing::DEFAULT_ORDER, |l| l.order);
    let run_id = wanted.as_ref().ok().and_then(|l| l.bill_run.clone());
    let result = match wanted {
        Ok(l) => ui_lists::invoices(&state.db, l, page).await,
        Err(e) => Err(e.into()),
    };
    let (invoices, total, capped, totals, by_customer) = match result {
        Ok(r) => (r.rows, r.total, r.capped, r.totals, r.by_customer),
        Err(ServiceError::Invalid(mut e)) => {
            if e.field == "fromDate" {
                e.field = "from".to_owned();
            }
            filters = filters.refuse(e);
            (Vec::new(), 0, false, None, false)
        }
        Err(e) => return Err(e.into()),
    };
    let run = match run_id {
        Some(id) => {
            let r = bill_runs::get(&state.db, &id).await?;
            Some((id.to_string(), r.period.to_string()))
        }
        None => None,
    };
    let sort_param = order.to_param();
    let mut with_sort: Vec<(&str, &str)> = params.to_vec();
    if !query.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let mut pager = Pager::new("/admin/invoices", &with_sort, page.page, 25, total)
        .counting("invoice", "invoices");
    pager.capped = capped;
    let sorter = Sorter::new(
        "/admin/invoices",
        &params,
        order,
        &["date", "number", "due"],
    )
    .offering(&[
        ("-date", "Date, newest first"),
        ("date", "Date, oldest first"),
        ("-number", "Number, highest first"),
        ("number", "Number, lowest first"),
        ("due", "Due date, soonest first"),
        ("-due", "Due date, latest first"),
    ]);
    let totals = totals.map(|rows| {
        rows.into_iter()
            .map(|t| {
                (
                    format::plural(t.invoices, "invoice", "invoices"),
                    format::money_minor(t.currency, t.total),
                    format::money_minor(t.currency, t.due),
                )
            })
            .collect()
    });
    let page = ListPage {
        layout: auth.layout("invoices", "Invoices"),
        filters,
        statuses: InvoiceStatus::ALL,
        invoices,
        pager,
        sorter,
        totals,
        by_customer,
        run,
        query,
    };
    render(&page, &page.layout)
}

#[derive(Template)]
#[template(path = "pages/invoices/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    i: Invoice,
    c: Customer,
    /// The invoice's credit notes, with who issued each.
    credit_notes: Vec<(crate::domain::credit_note::CreditNote, Option<Actor>)>,
    /// Refunds of its payments, with who made each.
    refunds: Vec<(crate::domain::credit_note::Refund, Option<Actor>)>,
    /// Each payment with who recorded it.
    payments: Vec<(Payment, Option<Actor>)>,
    /// Who cancelled the invoice, and when.
    cancelled_by: Option<(Actor, String)>,
    /// The e-mails sent about this invoice.
    emails: Vec<crate::domain::email_message::EmailMessage>,
    /// E-mail is set up, so a message can be sent again.
    email_ready: bool,
}

impl DetailPage {
    pub fn money(&self, v: &Decimal) -> String {
        money(&self.i.currency, v)
    }

    /// Whether payments can still be recorded, or the invoice cancelled.
    pub fn collectable(&self) -> bool {
        crate::domain::invoice::is_collectable(self.i.status)
    }

    /// An amount given back, written as the negative it is: `USD -10.00`.
    pub fn minus(&self, v: &Decimal) -> String {
        money(&self.i.currency, &-*v)
    }

    /// Whether a credit note can still be issued on it.
    pub fn creditable(&self) -> bool {
        let credited: Decimal = self.credit_notes.iter().map(|(n, _)| n.amount).sum();
        self.i.status != crate::domain::enums::InvoiceStatus::Cancelled
            && self.i.total_amount > credited
    }

    pub fn who(&self, a: &Option<Actor>) -> String {
        a.as_ref().map(format::actor).unwrap_or_default()
    }

    pub fn actor(&self, a: &Actor) -> String {
        format::actor(a)
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
    let credit_notes = crate::service::credit_notes::list_for_invoice(&state.db, &id).await?;
    let refunds = crate::service::credit_notes::list_refunds(&state.db, &id).await?;
    let note_actors = ui_lists::actors(
        &state.db,
        credit_notes
            .iter()
            .map(|n| n.credit_note_id.to_string())
            .collect(),
        "credit_note.created",
    )
    .await?;
    let refund_actors = ui_lists::refund_actors(
        &state.db,
        refunds
            .iter()
            .map(|r| (r.payment_id.to_string(), r.created_at.clone()))
            .collect(),
    )
    .await?;
    let actors = ui_lists::actors(
        &state.db,
        payments.iter().map(|p| p.payment_id.to_string()).collect(),
        "payment.recorded",
    )
    .await?;
    let cancelled_by = if i.status == InvoiceStatus::Cancelled {
        ui_lists::actor(&state.db, i.invoice_id.to_string(), "invoice.cancelled").await?
    } else {
        None
    };
    let emails = crate::service::email::for_invoice(&state.db, &id).await?;
    let page = DetailPage {
        layout: auth.layout("invoices", format!("Invoice {}", i.invoice_number)),
        i,
        c,
        credit_notes: credit_notes.into_iter().zip(note_actors).collect(),
        refunds: refunds.into_iter().zip(refund_actors).collect(),
        payments: payments.into_iter().zip(actors).collect(),
        cancelled_by,
        emails,
        email_ready: state.live.current().values.email.enabled(),
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
            .map(format::address_lines)
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
