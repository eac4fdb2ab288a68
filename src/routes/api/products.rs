use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::charging::{CompatibilityRequest, UsagePriceRequest, number_text, some};
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use super::{ListResponse, PAGE_BYTES, json_ok, present};
use crate::domain::FieldError;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::ids::ProductId;
use crate::domain::product::{ProductDraft, ProductFilter, ProductPatch};
use crate::domain::usage::parse_decimal;
use crate::routes::state::AppState;
use crate::service::products as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProductsQuery {
    product_type: Option<ProductType>,
    status: Option<ProductStatus>,
}

pub async fn list_products(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<ListProductsQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = ProductFilter {
        product_type: q.product_type,
        status: q.status,
    };
    let products = service::list(&state.db, filter).await?;
    Ok(json_ok(
        &ListResponse {
            data: products,
            pagination: None,
        },
        PAGE_BYTES,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProductRequest {
    product_name: String,
    product_type: ProductType,
    #[serde(default, deserialize_with = "some")]
    description: Option<String>,
    monthly_price: Box<RawValue>,
    currency: String,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default, deserialize_with = "some")]
    usage: Option<UsagePriceRequest>,
    #[serde(default, deserialize_with = "some")]
    compatible_with: Option<CompatibilityRequest>,
}

fn price(raw: &RawValue) -> Result<rust_decimal::Decimal, FieldError> {
    parse_decimal("monthlyPrice", number_text("monthlyPrice", raw)?)
}

pub async fn create_product(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateProductRequest>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let features: Vec<&str> = req.features.iter().map(String::as_str).collect();
    let draft = ProductDraft::parse(
        &req.product_name,
        req.product_type,
        req.description.as_deref(),
        price(&req.monthly_price)?,
        &req.currency,
        &features,
    )?
    .with_charging(
        req.usage.as_ref().map(|u| u.parse("usage")).transpose()?,
        req.compatible_with
            .map(|c| c.parse("compatibleWith"))
            .transpose()?,
    )?;
    let origin = origin.answering(StatusCode::CREATED, Some(product_location));
    let product = service::create(&state.db, &state.clock, &origin, draft).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/products/{}", product.product_id),
        ))
        .json(product))
}

fn product_location(v: &serde_json::Value) -> Option<String> {
    Some(format!("/v1/products/{}", v["productId"].as_str()?))
}

pub async fn get_product(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<ProductId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchProductRequest {
    #[serde(default, deserialize_with = "some")]
    product_name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    product_type: Option<ProductType>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    monthly_price: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "some")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "some")]
    features: Option<Vec<String>>,
    #[serde(default, deserialize_with = "some")]
    status: Option<ProductStatus>,
    #[serde(default, deserialize_with = "present")]
    usage: Option<Option<UsagePriceRequest>>,
    #[serde(default, deserialize_with = "present")]
    compatible_with: Option<Option<CompatibilityRequest>>,
}

pub async fn patch_product(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<PatchProductRequest>,
    ApiPath(id): ApiPath<ProductId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let patch = ProductPatch {
        name: req.product_name,
        product_type: req.product_type,
        description: req.description,
        monthly_price: req.monthly_price.as_deref().map(price).transpose()?,
        currency: req.currency,
        features: req.features,
        status: req.status,
        usage: req
            .usage
            .map(|u| u.map(|u| u.parse("usage")).transpose())
            .transpose()?,
        compatible_with: req
            .compatible_with
            .map(|c| c.map(|c| c.parse("compatibleWith")).transpose())
            .transpose()?,
    };
    let origin = origin.answering(StatusCode::OK, None);
    let product = service::patch(&state.db, &state.clock, &origin, &id, patch).await?;
    Ok(HttpResponse::Ok().json(product))
}
