//! Usage records in batches, and a subscription's usage of a month.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::charging::number_text;
use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use crate::domain::FieldError;
use crate::domain::ids::SubscriptionId;
use crate::domain::period::Period;
use crate::domain::usage::{MAX_BATCH, UsageRecordInput};
use crate::routes::state::AppState;
use crate::service::usage as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordRequest {
    record_id: String,
    subscription_id: String,
    metric: String,
    /// Kept as the raw JSON number, so it is read exactly, never through a float.
    quantity: Box<RawValue>,
    occurred_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordUsageRequest {
    records: Vec<RecordRequest>,
}

/// Most characters of a record id.
const MAX_RECORD_ID: usize = 100;

/// A record's shape: what the API refuses outright (400) rather than record by record.
fn shape(i: usize, r: RecordRequest) -> Result<UsageRecordInput, FieldError> {
    let at = |f: &str| format!("records[{i}].{f}");
    let id_ok = !r.record_id.is_empty()
        && r.record_id.chars().count() <= MAX_RECORD_ID
        && !r.record_id.chars().any(char::is_control);
    if !id_ok {
        return Err(FieldError::new(
            at("recordId"),
            format!("must be 1 to {MAX_RECORD_ID} characters without control characters"),
        ));
    }
    let quantity = number_text(&at("quantity"), &r.quantity)?.to_owned();
    let occurred_at = chrono::DateTime::parse_from_rfc3339(&r.occurred_at)
        .map_err(|_| {
            FieldError::new(
                at("occurredAt"),
                format!(
                    "`{}` is not an RFC 3339 date-time such as 2026-11-05T14:30:00Z",
                    r.occurred_at
                ),
            )
        })?
        .to_utc();
    Ok(UsageRecordInput {
        record_id: r.record_id,
        subscription_id: r.subscription_id,
        metric: r.metric,
        quantity,
        occurred_at,
    })
}

pub async fn record_usage(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<RecordUsageRequest>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    if req.records.is_empty() || req.records.len() > MAX_BATCH {
        return Err(FieldError::new(
            "records",
            format!(
                "must hold 1 to {MAX_BATCH} records, not {}",
                req.records.len()
            ),
        )
        .into());
    }
    let records = req
        .records
        .into_iter()
        .enumerate()
        .map(|(i, r)| shape(i, r))
        .collect::<Result<Vec<_>, _>>()?;
    let origin = origin.answering(StatusCode::OK, None);
    let result = service::record(&state.db, &state.clock, &origin, records).await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    period: Option<String>,
}

pub async fn get_usage(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<SubscriptionId>,
    ApiQuery(q): ApiQuery<UsageQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = match q.period.as_deref() {
        Some(p) => Period::parse("period", p)?,
        None => Period::containing(state.clock.today()),
    };
    Ok(HttpResponse::Ok().json(service::month(&state.db, &id, period).await?))
}
