//! Recording a payment against an invoice and cancelling an invoice (with a reason, after a
//! confirmation step), through the same services as the API.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::value::RawValue;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, redirect_refused, render_status};
use crate::domain::FieldError;
use crate::domain::clock::{Clock, start_of_day};
use crate::domain::date::{check_date_range, parse_date};
use crate::domain::enums::PaymentMethod;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::{Invoice, is_collectable};
use crate::domain::payment::PaymentInput;
use crate::domain::text::parse_text;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{invoices, payments};

#[derive(Template)]
#[template(path = "pages/invoices/payment.html")]
pub struct PaymentPage {
    layout: LayoutCtx,
    i: Invoice,
    form: FormState,
    methods: Vec<&'static str>,
}

impl PaymentPage {
    pub fn amount_label(&self) -> String {
        format!("Amount ({})", self.i.currency)
    }

    pub fn due(&self) -> String {
        super::invoices::money(&self.i.currency, &self.i.amount_due)
    }
}

fn payment_page(
    auth: &Authed,
    i: Invoice,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = PaymentPage {
        layout: auth.layout("invoices", format!("Payment for {}", i.invoice_number)),
        i,
        form,
        methods: PaymentMethod::ALL.iter().map(|m| m.as_str()).collect(),
    };
    render_status(&page, &page.layout, status)
}

/// Back to the invoice's page, saying why it takes no payments (it was paid or cancelled since
/// the page offering the button was shown).
fn not_collectable(i: &Invoice) -> HttpResponse {
    redirect_refused(
        &format!("/admin/invoices/{}", i.invoice_id),
        &format!(
            "Invoice {} is {} and takes no more payments.",
            i.invoice_number,
            i.status.as_str().to_lowercase()
        ),
    )
}

pub async fn payment_form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let i = invoices::get(&state.db, &id).await?;
    if !is_collectable(i.status) {
        return Ok(not_collectable(&i));
    }
    let form = FormState::from_values([
        ("amount".to_owned(), i.amount_due.to_string()),
        ("method".to_owned(), PaymentMethod::Cash.to_string()),
        ("paidOn".to_owned(), state.clock.today().to_string()),
    ]);
    payment_page(&auth, i, form, StatusCode::OK)
}

/// What the form says, checked as far as it can be without the invoice. A payment dated today
/// is recorded as of now; one dated earlier (a cash book entered late) as of noon that day in the
/// billing time zone.
fn payment_input(form: &FormData, clock: &Clock) -> Result<PaymentInput, FieldError> {
    let text = form.get("amount").trim();
    let amount = RawValue::from_string(text.to_owned())
        .map_err(|_| FieldError::new("amount", "must be a number such as 29.90"))?;
    let method = form
        .get("method")
        .parse::<PaymentMethod>()
        .map_err(|e| FieldError::new("method", e))?;
    let paid_at = match form.opt("paidOn") {
        None => None,
        Some(day) => {
            let date = parse_date("paidOn", day.trim())?;
            let today = clock.today();
            if date > today {
                return Err(FieldError::new(
                    "paidOn",
                    format!("{date} is in the future"),
                ));
            }
            check_date_range("paidOn", date, today)?;
            (date < today).then(|| {
                let noon = start_of_day(clock.timezone(), date) + chrono::Duration::hours(12);
                noon.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
        }
    };
    PaymentInput::parse(
        amount,
        paid_at.as_deref(),
        method,
        form.opt("reference"),
        clock.now(),
    )
}

pub async fn record_payment(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match payment_input(&form, &state.clock) {
        Ok(input) => payments::record(&state.db, &state.clock, auth.origin(), &id, input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => {
            let i = invoices::get(&state.db, &id).await?;
            Ok(redirect(
                &format!("/admin/invoices/{}", i.invoice_id),
                Some(&format!(
                    "Payment of {} recorded; invoice {} is {}.",
                    super::invoices::money(&p.currency, &p.amount),
                    i.invoice_number,
                    i.status.as_str().to_lowercase()
                )),
            ))
        }
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let i = invoices::get(&state.db, &id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            payment_page(&auth, i, form.to_state().refuse(e), status)
        }
        Err(ServiceError::Conflict(_)) => {
            let i = invoices::get(&state.db, &id).await?;
            Ok(not_collectable(&i))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/invoices/cancel.html")]
pub struct CancelPage {
    layout: LayoutCtx,
    i: Invoice,
    form: FormState,
}

fn cancel_page(
    auth: &Authed,
    i: Invoice,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = CancelPage {
        layout: auth.layout("invoices", format!("Cancel invoice {}", i.invoice_number)),
        i,
        form,
    };
    render_status(&page, &page.layout, status)
}

pub async fn confirm_cancel(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let i = invoices::get(&state.db, &id).await?;
    let why = if !is_collectable(i.status) {
        Some(format!(
            "Invoice {} is {}; only open or overdue invoices can be cancelled.",
            i.invoice_number,
            i.status.as_str().to_lowercase()
        ))
    } else if !i.amount_paid.is_zero() {
        Some(format!(
            "Invoice {} has payments ({} paid), so it cannot be cancelled.",
            i.invoice_number,
            super::format::money(i.currency, i.amount_paid)
        ))
    } else {
        None
    };
    if let Some(why) = why {
        return Ok(redirect_refused(
            &format!("/admin/invoices/{}", i.invoice_id),
            &why,
        ));
    }
    cancel_page(&auth, i, FormState::default(), StatusCode::OK)
}

pub async fn cancel(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match parse_text("reason", form.get("reason"), 500) {
        Ok(reason) => invoices::cancel(&state.db, &state.clock, auth.origin(), &id, reason).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(i) => Ok(redirect(
            &format!("/admin/invoices/{}", i.invoice_id),
            Some(&format!("Invoice {} cancelled.", i.invoice_number)),
        )),
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let i = invoices::get(&state.db, &id).await?;
            cancel_page(&auth, i, form.to_state().refuse(e), StatusCode::BAD_REQUEST)
        }
        Err(ServiceError::Conflict(m)) => {
            let i = invoices::get(&state.db, &id).await?;
            cancel_page(
                &auth,
                i,
                form.to_state().with_message(m),
                StatusCode::CONFLICT,
            )
        }
        Err(e) => Err(e.into()),
    }
}
