//! One-off charges on a customer and discounts on a subscription.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::ListResponse;
use super::charging::{number_text, some};
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath};
use crate::domain::charge::{ChargeInput, DiscountInput};
use crate::domain::ids::{ChargeId, CustomerId, DiscountId, SubscriptionId};
use crate::routes::state::AppState;
use crate::service::charges as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateChargeRequest {
    description: String,
    /// Kept as the raw JSON number, so it is read exactly.
    amount: Box<RawValue>,
    #[serde(default, deserialize_with = "some")]
    currency: Option<String>,
}

pub async fn create_charge(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateChargeRequest>,
    ApiPath(customer): ApiPath<CustomerId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    number_text("amount", &req.amount)?;
    let input = ChargeInput::parse(&req.description, req.amount, req.currency.as_deref())?;
    let origin = origin.answering(StatusCode::CREATED, Some(charge_location));
    let charge = service::create_charge(&state.db, &state.clock, &origin, &customer, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/v1/customers/{}/charges/{}",
                charge.customer_id, charge.charge_id
            ),
        ))
        .json(charge))
}

fn charge_location(v: &serde_json::Value) -> Option<String> {
    Some(format!(
        "/v1/customers/{}/charges/{}",
        v["customerId"].as_str()?,
        v["chargeId"].as_str()?
    ))
}

pub async fn list_charges(
    state: web::Data<AppState>,
    ApiPath(customer): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::list_charges(&state.db, &customer).await?,
        pagination: None,
    }))
}

pub async fn get_charge(
    state: web::Data<AppState>,
    ApiPath((customer, id)): ApiPath<(CustomerId, ChargeId)>,
) -> Result<HttpResponse, ApiError> {
    let charges = service::list_charges(&state.db, &customer).await?;
    let charge = charges
        .into_iter()
        .find(|c| c.charge_id == id)
        .ok_or_else(|| crate::error::ServiceError::not_found("charge", &id))?;
    Ok(HttpResponse::Ok().json(charge))
}

pub async fn cancel_charge(
    state: web::Data<AppState>,
    ApiPath((customer, id)): ApiPath<(CustomerId, ChargeId)>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    let charge = service::cancel_charge(&state.db, &state.clock, &origin, &customer, &id).await?;
    Ok(HttpResponse::Ok().json(charge))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDiscountRequest {
    #[serde(default, deserialize_with = "some")]
    percent_off: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "some")]
    amount_off: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "some")]
    months: Option<i64>,
    description: String,
}

pub async fn create_discount(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateDiscountRequest>,
    ApiPath(subscription): ApiPath<SubscriptionId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let percent = req
        .percent_off
        .as_deref()
        .map(|p| number_text("percentOff", p))
        .transpose()?;
    if let Some(a) = &req.amount_off {
        number_text("amountOff", a)?;
    }
    let input = DiscountInput::parse(percent, req.amount_off, req.months, &req.description)?;
    let origin = origin.answering(StatusCode::CREATED, Some(discount_location));
    let discount =
        service::create_discount(&state.db, &state.clock, &origin, &subscription, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/v1/subscriptions/{}/discounts/{}",
                discount.subscription_id, discount.discount_id
            ),
        ))
        .json(discount))
}

fn discount_location(v: &serde_json::Value) -> Option<String> {
    Some(format!(
        "/v1/subscriptions/{}/discounts/{}",
        v["subscriptionId"].as_str()?,
        v["discountId"].as_str()?
    ))
}

pub async fn list_discounts(
    state: web::Data<AppState>,
    ApiPath(subscription): ApiPath<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::list_discounts(&state.db, &subscription).await?,
        pagination: None,
    }))
}

pub async fn get_discount(
    state: web::Data<AppState>,
    ApiPath((subscription, id)): ApiPath<(SubscriptionId, DiscountId)>,
) -> Result<HttpResponse, ApiError> {
    let discount = service::list_discounts(&state.db, &subscription)
        .await?
        .into_iter()
        .find(|d| d.discount_id == id)
        .ok_or_else(|| crate::error::ServiceError::not_found("discount", &id))?;
    Ok(HttpResponse::Ok().json(discount))
}

pub async fn remove_discount(
    state: web::Data<AppState>,
    ApiPath((subscription, id)): ApiPath<(SubscriptionId, DiscountId)>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    let d = service::remove_discount(&state.db, &state.clock, &origin, &subscription, &id).await?;
    Ok(HttpResponse::Ok().json(d))
}
