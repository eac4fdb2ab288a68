//! Subscription lifecycle actions and terminating a customer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath};
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::routes::state::AppState;
use crate::service::lifecycle::{self as service, CancelWhen};

pub async fn suspend_subscription(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    Ok(HttpResponse::Ok().json(service::suspend(&state.db, &state.clock, &origin, &id).await?))
}

pub async fn resume_subscription(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    Ok(HttpResponse::Ok().json(service::resume(&state.db, &state.clock, &origin, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelSubscriptionRequest {
    when: CancelWhen,
}

pub async fn cancel_subscription(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CancelSubscriptionRequest>,
    ApiPath(id): ApiPath<SubscriptionId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    let sub = service::cancel(&state.db, &state.clock, &origin, &id, req.when).await?;
    Ok(HttpResponse::Ok().json(sub))
}

pub async fn terminate_customer(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<CustomerId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    let rules = state.billing_rules();
    let done = service::terminate(&state.db, &state.clock, &rules, &origin, &id).await?;
    Ok(HttpResponse::Ok().json(done.customer))
}
