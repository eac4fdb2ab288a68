//! Credit notes from an invoice's page: what it will do (to the amount due, to the customer's
//! credit balance) shown before it is issued, and its printable page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use crate::domain::FieldError;
use crate::domain::credit_note::{CreditInput, CreditNote};
use crate::domain::customer::Customer;
use crate::domain::ids::{CreditNoteId, InvoiceId};
use crate::domain::invoice::Invoice;
use crate::domain::operator::OperatorDetails;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::credit_notes::{self, CreditSplit};
use crate::service::{customers, invoices};

/// An amount typed into a form, as the exact number the services read.
pub fn amount_field(form: &FormData) -> Result<Option<Box<RawValue>>, FieldError> {
    match form.opt("amount") {
        None => Ok(None),
        Some(text) => RawValue::from_string(text.trim().to_owned())
            .ok()
            .filter(|r| {
                r.get()
                    .starts_with(|c: char| c.is_ascii_digit() || c == '-')
            })
            .map(Some)
            .ok_or_else(|| FieldError::new("amount", "must be an amount such as 10.00")),
    }
}

fn input(form: &FormData) -> Result<CreditInput, FieldError> {
    let amount = amount_field(form)?.ok_or_else(|| FieldError::new("amount", "is required"))?;
    CreditInput::parse(Some(amount), form.get("reason"))
}

#[derive(Template)]
#[template(path = "pages/charging/credit_note.html")]
pub struct FormPage {
    layout: LayoutCtx,
    i: Invoice,
    form: FormState,
    notes: Vec<CreditNote>,
}

impl FormPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.i.currency, *v)
    }

    pub fn left(&self) -> String {
        let credited: Decimal = self.notes.iter().map(|n| n.amount).sum();
        self.money(&(self.i.total_amount - credited).max(Decimal::ZERO))
    }
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    i: Invoice,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let notes = credit_notes::list_for_invoice(&state.db, &i.invoice_id).await?;
    let page = FormPage {
        layout: auth.layout("invoices", format!("Credit note on {}", i.invoice_number)),
        i,
        form,
        notes,
    };
    render_status(&page, &page.layout, status)
}

pub async fn form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let i = invoices::get(&state.db, &id).await?;
    form_page(&state, &auth, i, FormState::default(), StatusCode::OK).await
}

async fn refused(
    state: &AppState,
    auth: &Authed,
    id: &InvoiceId,
    form: &FormData,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    let i = invoices::get(&state.db, id).await?;
    match e {
        ServiceError::Invalid(f) | ServiceError::Unprocessable(f) => {
            form_page(
                state,
                auth,
                i,
                form.to_state().refuse(f),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        ServiceError::Conflict(m) => {
            let f = form.to_state().with_message(m);
            form_page(state, auth, i, f, StatusCode::CONFLICT).await
        }
        e => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/charging/credit_note_preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    i: Invoice,
    form: FormState,
    split: CreditSplit,
}

impl PreviewPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.i.currency, *v)
    }

    /// An amount given back, written as the negative it is: `USD -10.00`.
    pub fn minus(&self, v: &Decimal) -> String {
        format::money(self.i.currency, -*v)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let query = FormData::parse(req.query_string().as_bytes());
    let result = match input(&query) {
        Ok(i) => credit_notes::preview(&state.db, &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(split) => {
            let i = invoices::get(&state.db, &id).await?;
            let page = PreviewPage {
                layout: auth.layout("invoices", format!("Credit note on {}", i.invoice_number)),
                i,
                form: query.to_state(),
                split,
            };
            render(&page, &page.layout)
        }
        Err(e) => refused(&state, &auth, &id, &query, e).await,
    }
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match input(&form) {
        Ok(i) => credit_notes::create(&state.db, &state.clock, auth.origin(), &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(n) => Ok(redirect(
            &format!("/admin/invoices/{id}"),
            Some(&format!(
                "Credit note {} of {} issued.",
                n.credit_note_number,
                format::money(n.currency, n.amount)
            )),
        )),
        Err(e) => refused(&state, &auth, &id, &form, e).await,
    }
}

#[derive(Template)]
#[template(path = "pages/charging/credit_note_print.html")]
pub struct PrintPage {
    layout: LayoutCtx,
    n: CreditNote,
    c: Customer,
    operator: OperatorDetails,
}

impl PrintPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.n.currency, *v)
    }

    /// An amount given back, written as the negative it is: `USD -10.00`.
    pub fn minus(&self, v: &Decimal) -> String {
        format::money(self.n.currency, -*v)
    }

    pub fn bill_to(&self) -> Vec<String> {
        self.c
            .billing_address
            .as_ref()
            .or(self.c.address.as_ref())
            .map(|a| a.lines())
            .unwrap_or_default()
    }
}

/// A credit note as the customer gets it, laid out for printing like an invoice.
pub async fn print(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<CreditNoteId>,
) -> Result<HttpResponse, UiError> {
    let n = credit_notes::get(&state.db, &id).await?;
    let c = customers::get(&state.db, &n.customer_id).await?;
    let page = PrintPage {
        layout: auth.layout("invoices", format!("Credit note {}", n.credit_note_number)),
        n,
        c,
        operator: state.live.get().operator,
    };
    render(&page, &page.layout)
}
