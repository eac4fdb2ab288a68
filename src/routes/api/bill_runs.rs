use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ListResponse;
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use crate::domain::enums::BillRunTrigger;
use crate::domain::ids::BillRunId;
use crate::domain::page::PageRequest;
use crate::domain::period::Period;
use crate::routes::state::AppState;
use crate::service::bill_runs::{self as service, Mode, StartRun};

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
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let period = Period::parse("period", &req.period)?;
    let mode = if req.dry_run {
        Mode::Preview
    } else {
        Mode::Bill
    };
    let start = StartRun {
        period,
        mode,
        trigger: BillRunTrigger::Api,
        origin: origin.answering(StatusCode::CREATED, Some(bill_run_location)),
    };
    let run = service::start(&state.bill_runner(), start).await?;
    Ok(match &run.bill_run_id {
        Some(id) => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/bill-runs/{id}")))
            .json(run),
        None => HttpResponse::Ok().json(run),
    })
}

/// Where a bill run's record is, from the run as returned.
fn bill_run_location(v: &serde_json::Value) -> Option<String> {
    Some(format!("/v1/bill-runs/{}", v["billRunId"].as_str()?))
}

pub async fn get_bill_run(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<BillRunId>,
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
