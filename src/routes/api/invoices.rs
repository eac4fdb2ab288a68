use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use super::{ListResponse, PAGE_BYTES, json_ok};
use crate::domain::date::parse_date;
use crate::domain::enums::InvoiceStatus;
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::invoice::InvoiceFilter;
use crate::domain::page::PageRequest;
use crate::domain::text::parse_text;
use crate::routes::state::AppState;
use crate::service::invoices as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInvoicesQuery {
    from_date: Option<String>,
    to_date: Option<String>,
    status: Option<InvoiceStatus>,
    page: Option<i64>,
    page_size: Option<i64>,
}

pub async fn list_customer_invoices(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<ListInvoicesQuery>,
    ApiPath(customer_id): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filter = InvoiceFilter {
        from_date: q
            .from_date
            .as_deref()
            .map(|d| parse_date("fromDate", d))
            .transpose()?,
        to_date: q
            .to_date
            .as_deref()
            .map(|d| parse_date("toDate", d))
            .transpose()?,
        status: q.status,
    };
    let result = service::list_for_customer(&state.db, &customer_id, filter, page).await?;
    Ok(json_ok(
        &ListResponse {
            data: result.items,
            pagination: Some(result.pagination),
        },
        PAGE_BYTES,
    ))
}

pub async fn get_invoice(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelInvoiceRequest {
    reason: String,
}

pub async fn cancel_invoice(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CancelInvoiceRequest>,
    ApiPath(id): ApiPath<InvoiceId>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let reason = parse_text("reason", &req.reason, 500)?;
    let origin = origin.answering(actix_web::http::StatusCode::OK, None);
    let invoice = service::cancel(&state.db, &state.clock, &origin, &id, reason).await?;
    Ok(HttpResponse::Ok().json(invoice))
}
