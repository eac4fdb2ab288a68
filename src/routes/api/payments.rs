use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::ListResponse;
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath};
use crate::domain::enums::PaymentMethod;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::payment::PaymentInput;
use crate::routes::state::AppState;
use crate::service::payments as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePaymentRequest {
    /// Kept as the raw JSON number, so it is read exactly, never through a float.
    amount: Box<RawValue>,
    paid_at: Option<String>,
    method: PaymentMethod,
    reference: Option<String>,
}

pub async fn create_payment(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreatePaymentRequest>,
    ApiPath(invoice_id): ApiPath<InvoiceId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let input = PaymentInput::parse(
        req.amount,
        req.paid_at.as_deref(),
        req.method,
        req.reference.as_deref(),
        state.clock.now(),
    )?;
    let origin = origin.answering(StatusCode::CREATED, Some(payment_location));
    let payment = service::record(&state.db, &state.clock, &origin, &invoice_id, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/v1/invoices/{}/payments/{}",
                payment.invoice_id, payment.payment_id
            ),
        ))
        .json(payment))
}

/// Where a recorded payment is, from the payment as returned.
fn payment_location(v: &serde_json::Value) -> Option<String> {
    Some(format!(
        "/v1/invoices/{}/payments/{}",
        v["invoiceId"].as_str()?,
        v["paymentId"].as_str()?
    ))
}

pub async fn list_payments(
    state: web::Data<AppState>,
    ApiPath(invoice_id): ApiPath<InvoiceId>,
) -> Result<HttpResponse, ApiError> {
    let payments = service::list(&state.db, &invoice_id).await?;
    Ok(HttpResponse::Ok().json(ListResponse {
        data: payments,
        pagination: None,
    }))
}

pub async fn get_payment(
    state: web::Data<AppState>,
    ApiPath((invoice_id, payment_id)): ApiPath<(InvoiceId, PaymentId)>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &invoice_id, &payment_id).await?))
}
