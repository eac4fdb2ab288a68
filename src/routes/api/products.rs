use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::ApiQuery;
use super::{ListResponse, PAGE_BYTES, json_ok};
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::product::ProductFilter;
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
