use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ListResponse;
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery};
use crate::billing::period::Period;
use crate::billing::run::RunSettings;
use crate::domain::enums::BillRunTrigger;
use crate::domain::page::PageRequest;
use crate::service::bill_runs as service;
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBillRunRequest {
    period: String,
    #[serde(default)]
    dry_run: bool,
}

/// Runs a period's bill run and answers with its summary once it has finished (`201`), or, for a
/// dry run, with what it would create (`200`, nothing stored).
pub async fn create_bill_run(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateBillRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let period = Period::parse("period", &req.period)?;
    let run = service::start(
        &state.db,
        &state.clock,
        RunSettings::from(&state.settings.billing),
        &state.billing,
        period,
        req.dry_run,
        BillRunTrigger::Api,
    )
    .await?;
    Ok(match &run.bill_run_id {
        Some(id) => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/bill-runs/{id}")))
            .json(run),
        None => HttpResponse::Ok().json(run),
    })
}

pub async fn get_bill_run(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::get(&state.db, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListBillRunsQuery {
    page: Option<i64>,
    page_size: Option<i64>,
}

pub async fn list_bill_runs(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<ListBillRunsQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let result = service::list(&state.db, page).await?;
    Ok(HttpResponse::Ok().json(ListResponse {
        data: result.items,
        pagination: Some(result.pagination),
    }))
}
