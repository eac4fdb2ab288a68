//! Changing a subscription's plan (with a preview) and its history of plans.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::charging::some;
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath};
use crate::domain::ids::SubscriptionId;
use crate::domain::plan::{PlanOrder, PlanWhen};
use crate::routes::state::AppState;
use crate::service::plan_changes as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePlanRequest {
    product_id: String,
    #[serde(default, deserialize_with = "some")]
    addons: Option<Vec<String>>,
    when: PlanWhen,
    #[serde(default)]
    preview: bool,
}

pub async fn change_plan(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<ChangePlanRequest>,
    ApiPath(id): ApiPath<SubscriptionId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    if req.addons.as_ref().is_some_and(|a| a.len() > 20) {
        return Err(
            crate::domain::FieldError::new("addons", "must list at most 20 add-ons").into(),
        );
    }
    let order = PlanOrder {
        product_id: req.product_id,
        addons: req.addons,
    };
    let origin = origin.answering(StatusCode::OK, None);
    let change = service::change(
        &state.db,
        &state.clock,
        &origin,
        &id,
        order,
        req.when,
        req.preview,
    )
    .await?;
    Ok(HttpResponse::Ok().json(change))
}

pub async fn plan_history(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::history(&state.db, &id).await?))
}
