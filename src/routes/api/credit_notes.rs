//! Credit notes on invoices, a customer's credit notes and balance, and refunds of payments.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::ListResponse;
use super::charging::{number_text, some};
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath};
use crate::domain::credit_note::{CreditBalance, CreditInput, CreditNote};
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId, PaymentId};
use crate::routes::state::AppState;
use crate::service::credit_notes as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditRequest {
    #[serde(default, deserialize_with = "some")]
    amount: Option<Box<RawValue>>,
    reason: String,
}

impl CreditRequest {
    fn parse(self, amount_required: bool) -> Result<CreditInput, ApiError> {
        match &self.amount {
            Some(a) => {
                number_text("amount", a)?;
            }
            None if amount_required => {
                return Err(crate::domain::FieldError::new("amount", "is required").into());
            }
            None => {}
        }
        Ok(CreditInput::parse(self.amount, &self.reason)?)
    }
}

pub async fn create_credit_note(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreditRequest>,
    ApiPath(invoice): ApiPath<InvoiceId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let input = req.parse(true)?;
    let origin = origin.answering(StatusCode::CREATED, Some(credit_note_location));
    let note = service::create(&state.db, &state.clock, &origin, &invoice, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/credit-notes/{}", note.credit_note_id),
        ))
        .json(note))
}

fn credit_note_location(v: &serde_json::Value) -> Option<String> {
    Some(format!("/v1/credit-notes/{}", v["creditNoteId"].as_str()?))
}

pub async fn list_invoice_credit_notes(
    state: web::Data<AppState>,
    ApiPath(invoice): ApiPath<InvoiceId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::list_for_invoice(&state.db, &invoice).await?,
        pagination: None,
    }))
}

pub async fn get_credit_note(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<CreditNoteId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}

/// A customer's credit notes and the credit balance they left.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomerCredit {
    data: Vec<CreditNote>,
    credit_balance: CreditBalance,
}

pub async fn list_customer_credit_notes(
    state: web::Data<AppState>,
    ApiPath(customer): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    let (data, credit_balance) = service::list_for_customer(&state.db, &customer).await?;
    Ok(HttpResponse::Ok().json(CustomerCredit {
        data,
        credit_balance,
    }))
}

pub async fn create_refund(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreditRequest>,
    ApiPath((invoice, payment)): ApiPath<(InvoiceId, PaymentId)>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let input = req.parse(false)?;
    let origin = origin.answering(StatusCode::CREATED, None);
    let refund =
        service::refund(&state.db, &state.clock, &origin, &invoice, &payment, input).await?;
    Ok(HttpResponse::Created().json(refund))
}

pub async fn list_refunds(
    state: web::Data<AppState>,
    ApiPath(invoice): ApiPath<InvoiceId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::list_refunds(&state.db, &invoice).await?,
        pagination: None,
    }))
}
