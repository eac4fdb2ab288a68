//! Subscription lifecycle actions and terminating a customer.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::ApiJson;
use crate::service::lifecycle::{self as service, CancelWhen};
use crate::startup::AppState;

pub async fn suspend_subscription(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::suspend(&state.db, &state.clock, &id).await?))
}

pub async fn resume_subscription(
    state: web::Data<AppState>,
    id: web::Path<String>,
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
    id: web::Path<String>,
    ApiJson(req): ApiJson<CancelSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::cancel(&state.db, &state.clock, &id, req.when).await?))
}

pub async fn terminate_customer(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::terminate(&state.db, &state.clock, &id).await?))
}
