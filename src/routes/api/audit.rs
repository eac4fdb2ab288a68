//! `GET /v1/audit-events`: the audit trail, oldest first, filtered.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::ApiQuery;
use crate::domain::FieldError;
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::date::parse_timestamp;
use crate::routes::state::AppState;
use crate::service::audit::{self as service, MAX_LIMIT};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    object_id: Option<String>,
    object_type: Option<String>,
    actor: Option<String>,
    /// A sequence number: entries after it.
    after: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    data: Vec<AuditEntry>,
    has_more: bool,
}

fn bounded(field: &str, v: Option<String>) -> Result<Option<String>, FieldError> {
    match v {
        Some(s) if s.is_empty() || s.len() > 200 => {
            Err(FieldError::new(field, "must be 1 to 200 characters"))
        }
        other => Ok(other),
    }
}

pub async fn list_audit_events(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(FieldError::new("limit", format!("must be from 1 to {MAX_LIMIT}")).into());
        }
    };
    let after = match q.after {
        Some(n) if n < 0 => return Err(FieldError::new("after", "must be 0 or more").into()),
        Some(n) => n,
        None => 0,
    };
    let when = |field: &str, v: Option<String>| -> Result<Option<String>, FieldError> {
        v.map(|t| parse_timestamp(field, &t).map(crate::domain::date::format_timestamp))
            .transpose()
    };
    let filter = AuditFilter {
        object_id: bounded("objectId", q.object_id)?,
        object_type: bounded("objectType", q.object_type)?,
        actor: bounded("actor", q.actor)?,
        after,
        from: when("from", q.from)?,
        to: when("to", q.to)?,
    };
    let (data, has_more) = service::list(&state.db, filter, limit).await?;
    Ok(HttpResponse::Ok().json(AuditPage { data, has_more }))
}
