//! One-off charges on a customer: the line it will put on the next invoice shown before it is
//! added, and cancelling one no invoice has billed yet.

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
use crate::domain::bill_run::PreviewLine;
use crate::domain::charge::{Charge, ChargeInput};
use crate::domain::customer::Customer;
use crate::domain::ids::{ChargeId, CustomerId};
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{charges, customers};

#[derive(Template)]
#[template(path = "pages/charging/charge.html")]
pub struct FormPage {
    layout: LayoutCtx,
    c: Customer,
    form: FormState,
}

fn form_page(
    auth: &Authed,
    c: Customer,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = FormPage {
        layout: auth.layout("customers", format!("Charge {}", c.display_name())),
        c,
        form,
    };
    render_status(&page, &page.layout, status)
}

pub async fn form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    form_page(&auth, c, FormState::default(), StatusCode::OK)
}

fn input(form: &FormData) -> Result<ChargeInput, FieldError> {
    let amount = RawValue::from_string(form.get("amount").trim().to_owned())
        .ok()
        .filter(|r| {
            r.get()
                .starts_with(|c: char| c.is_ascii_digit() || c == '-')
        })
        .ok_or_else(|| FieldError::new("amount", "must be an amount such as 75.00"))?;
    ChargeInput::parse(form.get("description"), amount, None)
}

fn refused(
    auth: &Authed,
    c: Customer,
    form: &FormData,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    match e {
        ServiceError::Invalid(mut f) | ServiceError::Unprocessable(mut f) => {
            let status = StatusCode::BAD_REQUEST;
            if f.field == "customerId" || f.field == "currency" {
                return form_page(auth, c, form.to_state().with_message(f.message), status);
            }
            if f.field != "description" {
                f.field = "amount".to_owned();
            }
            form_page(auth, c, form.to_state().refuse(f), status)
        }
        ServiceError::Conflict(m) => form_page(
            auth,
            c,
            form.to_state().with_message(m),
            StatusCode::CONFLICT,
        ),
        e => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/charging/charge_preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    c: Customer,
    form: FormState,
    period: Period,
    lines: Vec<PreviewLine>,
    currency: Currency,
}

impl PreviewPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.currency, *v)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let query = FormData::parse(req.query_string().as_bytes());
    let result = match input(&query) {
        Ok(i) => charges::preview_charge(&state.db, &state.clock, &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((period, lines)) => {
            let currency = crate::service::subscriptions::list_for_customer(&state.db, &id, None)
                .await?
                .first()
                .map_or(Currency::USD, |s| s.currency);
            let page = PreviewPage {
                layout: auth.layout("customers", format!("Charge {}", c.display_name())),
                c,
                form: query.to_state(),
                period,
                lines,
                currency,
            };
            render(&page, &page.layout)
        }
        Err(e) => refused(&auth, c, &query, e),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match input(&form) {
        Ok(i) => charges::create_charge(&state.db, &state.clock, auth.origin(), &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(ch) => Ok(redirect(
            &format!("/admin/customers/{id}"),
            Some(&format!(
                "Charge {} of {} added; the next invoice bills it.",
                ch.description,
                format::money(ch.currency, ch.amount)
            )),
        )),
        Err(e) => {
            let c = customers::get(&state.db, &id).await?;
            refused(&auth, c, &form, e)
        }
    }
}

#[derive(Template)]
#[template(path = "pages/charging/charge_cancel.html")]
pub struct CancelPage {
    layout: LayoutCtx,
    c: Customer,
    ch: Charge,
    amount: String,
}

pub async fn confirm_cancel(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath((id, chid)): UiPath<(CustomerId, ChargeId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let ch = charges::list_charges(&state.db, &id)
        .await?
        .into_iter()
        .find(|x| x.charge_id == chid)
        .ok_or_else(|| ServiceError::not_found("charge", &chid))?;
    let page = CancelPage {
        layout: auth.layout("customers", format!("Cancel charge {}", ch.description)),
        amount: format::money(ch.currency, ch.amount),
        c,
        ch,
    };
    render(&page, &page.layout)
}

pub async fn cancel(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    UiPath((id, chid)): UiPath<(CustomerId, ChargeId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let ch = charges::cancel_charge(&state.db, &state.clock, auth.origin(), &id, &chid).await?;
    Ok(redirect(
        &format!("/admin/customers/{id}"),
        Some(&format!("Charge {} cancelled.", ch.description)),
    ))
}
