use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use super::{ListResponse, PAGE_BYTES, json_ok};
use crate::domain::FieldError;
use crate::domain::date::parse_date;
use crate::domain::enums::SubscriptionStatus;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::subscription::SubscriptionOrder;
use crate::routes::state::AppState;
use crate::service::subscriptions as service;

#[derive(Debug, Deserialize)]
pub struct ListSubscriptionsQuery {
    status: Option<SubscriptionStatus>,
}

pub async fn list_customer_subscriptions(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<ListSubscriptionsQuery>,
    ApiPath(customer_id): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    let subs = service::list_for_customer(&state.db, &customer_id, q.status).await?;
    Ok(json_ok(
        &ListResponse {
            data: subs,
            pagination: None,
        },
        PAGE_BYTES,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSubscriptionRequest {
    product_id: String,
    start_date: String,
    #[serde(default)]
    addons: Vec<String>,
}

pub async fn create_subscription(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateSubscriptionRequest>,
    ApiPath(customer_id): ApiPath<CustomerId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    if req.addons.len() > 20 {
        return Err(FieldError::new("addons", "at most 20 add-ons per subscription").into());
    }
    let order = SubscriptionOrder {
        product_id: req.product_id,
        start_date: parse_date("startDate", &req.start_date)?,
        addons: req.addons,
    };
    let origin = origin.answering(StatusCode::CREATED, Some(subscription_location));
    let sub = service::create(&state.db, &state.clock, &origin, &customer_id, order).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/subscriptions/{}", sub.subscription_id),
        ))
        .json(sub))
}

/// Where a created subscription is, from the subscription as returned.
fn subscription_location(v: &serde_json::Value) -> Option<String> {
    Some(format!(
        "/v1/subscriptions/{}",
        v["subscriptionId"].as_str()?
    ))
}

pub async fn get_subscription(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}
