//! `GET /v1/events`: the feed of every change, in `sequence` order.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::ApiQuery;
use crate::domain::FieldError;
use crate::domain::event::EventType;
use crate::domain::ids::EventId;
use crate::routes::state::AppState;
use crate::service::events::{self as service, MAX_LIMIT};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    after: Option<String>,
    limit: Option<i64>,
    #[serde(rename = "type")]
    event_type: Option<String>,
}

pub async fn list_events(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = q
        .after
        .as_deref()
        .map(|a| {
            EventId::parse(a).ok_or_else(|| {
                FieldError::new("after", format!("`{a}` is not an event id (evt_…)"))
            })
        })
        .transpose()?;
    let limit = match q.limit {
        None => 100,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(FieldError::new("limit", format!("must be from 1 to {MAX_LIMIT}")).into());
        }
    };
    let event_type = q
        .event_type
        .as_deref()
        .map(|t| EventType::parse("type", t))
        .transpose()?;
    let page = service::feed(&state.db, after, event_type, limit).await?;
    Ok(HttpResponse::Ok().json(page))
}
