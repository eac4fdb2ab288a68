//! Subscription lifecycle actions and terminating a customer.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiPath};
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::routes::state::AppState;
use crate::service::lifecycle::{self as service, CancelWhen};

pub async fn suspend_subscription(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::suspend(&state.db, &state.clock, &id).await?))
}

pub async fn resume_subscription(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::resume(&state.db, &state.clock, &id).await?))
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
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::cancel(&state.db, &state.clock, &id, req.when).await?))
}

pub async fn terminate_customer(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::terminate(&state.db, &state.clock, &id).await?))
}
