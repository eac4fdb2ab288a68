//! Refunding a payment from an invoice's page, with what it does to the invoice shown before it
//! is confirmed: the payment stays on record; the invoice asks for the money again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;

use super::credit_notes::amount_field;
use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use crate::domain::FieldError;
use crate::domain::credit_note::CreditInput;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::credit_notes::{self, RefundPlan};
use crate::service::{invoices, payments};

fn input(form: &FormData) -> Result<CreditInput, FieldError> {
    CreditInput::parse(amount_field(form)?, form.get("reason"))
}

#[derive(Template)]
#[template(path = "pages/charging/refund.html")]
pub struct FormPage {
    layout: LayoutCtx,
    i: Invoice,
    p: Payment,
    form: FormState,
}

impl FormPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.i.currency, *v)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    (iid, pid): (&InvoiceId, &PaymentId),
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let i = invoices::get(&state.db, iid).await?;
    let p = payments::get(&state.db, iid, pid).await?;
    let page = FormPage {
        layout: auth.layout("invoices", format!("Refund on {}", i.invoice_number)),
        i,
        p,
        form,
    };
    render_status(&page, &page.layout, status)
}

pub async fn form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath((iid, pid)): UiPath<(InvoiceId, PaymentId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let p = payments::get(&state.db, &iid, &pid).await?;
    let form = FormState::from_values([("amount".to_owned(), p.amount.to_string())]);
    form_page(&state, &auth, (&iid, &pid), form, StatusCode::OK).await
}

async fn refused(
    state: &AppState,
    auth: &Authed,
    ids: (&InvoiceId, &PaymentId),
    form: &FormData,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    match e {
        ServiceError::Invalid(f) | ServiceError::Unprocessable(f) => {
            form_page(
                state,
                auth,
                ids,
                form.to_state().refuse(f),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        ServiceError::Conflict(m) => {
            let f = form.to_state().with_message(m);
            form_page(state, auth, ids, f, StatusCode::CONFLICT).await
        }
        e => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/charging/refund_preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    form: FormState,
    plan: RefundPlan,
}

impl PreviewPage {
    pub fn money_minor(&self, v: &i64) -> String {
        format::money_minor(self.plan.currency, *v)
    }

    /// An amount given back, written as the negative it is: `USD -10.00`.
    pub fn minus_minor(&self, v: &i64) -> String {
        format::money_minor(self.plan.currency, -*v)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath((iid, pid)): UiPath<(InvoiceId, PaymentId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let query = FormData::parse(req.query_string().as_bytes());
    let result = match input(&query) {
        Ok(i) => credit_notes::preview_refund(&state.db, &state.clock, &iid, &pid, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(plan) => {
            let page = PreviewPage {
                layout: auth.layout(
                    "invoices",
                    format!("Refund on {}", plan.invoice.invoice_number),
                ),
                form: query.to_state(),
                plan,
            };
            render(&page, &page.layout)
        }
        Err(e) => refused(&state, &auth, (&iid, &pid), &query, e).await,
    }
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath((iid, pid)): UiPath<(InvoiceId, PaymentId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match input(&form) {
        Ok(i) => credit_notes::refund(&state.db, &state.clock, auth.origin(), &iid, &pid, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(r) => Ok(redirect(
            &format!("/admin/invoices/{iid}"),
            Some(&format!(
                "Refund of {} recorded.",
                format::money(r.currency, r.amount)
            )),
        )),
        Err(e) => refused(&state, &auth, (&iid, &pid), &form, e).await,
    }
}
