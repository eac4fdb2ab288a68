//! Webhook endpoints: `POST/GET /v1/webhook-endpoints`, `GET/PATCH/DELETE …/{id}`,
//! `POST …/{id}/rotate-secret`, `GET …/{id}/deliveries` and `POST …/{id}/deliveries/{n}/resend`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use super::{ListResponse, not_null, present};
use crate::domain::FieldError;
use crate::domain::event::EventTypes;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::text::parse_opt_text;
use crate::domain::webhook::{EndpointChanges, NewEndpoint, WebhookUrl};
use crate::routes::state::AppState;
use crate::service::webhooks::{self as service, MAX_ATTEMPTS};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEndpointRequest {
    url: String,
    #[serde(default, deserialize_with = "present")]
    event_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
}

fn endpoint_location(v: &serde_json::Value) -> Option<String> {
    Some(format!(
        "/v1/webhook-endpoints/{}",
        v["webhookEndpointId"].as_str()?
    ))
}

pub async fn create_endpoint(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateEndpointRequest>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let types = not_null("eventTypes", req.event_types)?;
    let description = not_null("description", req.description)?;
    let new = NewEndpoint::parse(&req.url, types.as_deref(), description.as_deref())?;
    let origin = origin.answering(StatusCode::CREATED, Some(endpoint_location));
    let created = service::create(&state.db, &state.clock, &origin, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "/v1/webhook-endpoints/{}",
                created.endpoint.webhook_endpoint_id
            ),
        ))
        .json(created))
}

pub async fn list_endpoints(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::list(&state.db).await?,
        pagination: None,
    }))
}

pub async fn get_endpoint(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    #[serde(default, deserialize_with = "present")]
    url: Option<Option<String>>,
    /// `null` turns the filter off (every type).
    #[serde(default, deserialize_with = "present")]
    event_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    enabled: Option<Option<bool>>,
    /// `null` removes the description.
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
}

pub async fn update_endpoint(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<UpdateEndpointRequest>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
    ApiOrigin(origin): ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let changes = EndpointChanges {
        url: not_null("url", req.url)?
            .map(|u| WebhookUrl::parse("url", &u))
            .transpose()?,
        event_types: match req.event_types {
            None => None,
            Some(None) => Some(EventTypes::all()),
            Some(Some(names)) => Some(EventTypes::parse("eventTypes", &names)?),
        },
        enabled: not_null("enabled", req.enabled)?,
        description: match req.description {
            None => None,
            Some(d) => Some(parse_opt_text("description", d.as_deref(), 500)?),
        },
    };
    let endpoint = service::update(&state.db, &state.clock, &origin, &id, changes).await?;
    Ok(HttpResponse::Ok().json(endpoint))
}

pub async fn delete_endpoint(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
    ApiOrigin(origin): ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    service::delete(&state.db, &state.clock, &origin, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn rotate_secret(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let origin = origin.answering(StatusCode::OK, None);
    Ok(HttpResponse::Ok()
        .json(service::rotate_secret(&state.db, &state.clock, &origin, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    limit: Option<i64>,
}

pub async fn list_deliveries(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=MAX_ATTEMPTS as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(
                FieldError::new("limit", format!("must be from 1 to {MAX_ATTEMPTS}")).into(),
            );
        }
    };
    Ok(HttpResponse::Ok().json(ListResponse {
        data: service::deliveries(&state.db, &id, limit).await?,
        pagination: None,
    }))
}

pub async fn resend_delivery(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    ApiOrigin(origin): ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let id = WebhookEndpointId::parse(&id)
        .ok_or_else(|| crate::error::ServiceError::not_found("webhook endpoint", &id))?;
    service::resend(&state.db, &state.clock, &origin, &id, delivery).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "status": "Pending" })))
}
