//! Documents as PDF from the admin pages: an invoice's "Download PDF", a customer's statement.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, UiPath};
use crate::domain::date::parse_date;
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::routes::state::AppState;
use crate::service::documents;

fn pdf(name: &str, body: Vec<u8>) -> HttpResponse {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{safe}.pdf\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body)
}

pub async fn invoice_pdf(
    state: web::Data<AppState>,
    _auth: Authed,
    UiPath(id): UiPath<InvoiceId>,
) -> Result<HttpResponse, UiError> {
    let (invoice, body) = documents::invoice(&state.db, &state.live, &id).await?;
    Ok(pdf(&invoice.invoice_number, body))
}

#[derive(Debug, Deserialize)]
pub struct StatementQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn statement_pdf(
    state: web::Data<AppState>,
    _auth: Authed,
    UiPath(id): UiPath<CustomerId>,
    q: web::Query<StatementQuery>,
) -> Result<HttpResponse, UiError> {
    let bad = |e: crate::domain::FieldError| UiError::BadRequest(e.to_string());
    let today = state.clock.today();
    let to = match q.to.trim() {
        "" => today,
        v => parse_date("to", v).map_err(bad)?,
    };
    let from = match q.from.trim() {
        "" => crate::domain::period::Period::containing(to).first_day(),
        v => parse_date("from", v).map_err(bad)?,
    };
    let (customer, body) = documents::statement(&state.db, &state.live, &id, from, to).await?;
    Ok(pdf(
        &format!("statement-{}-{from}-{to}", customer.account_number),
        body,
    ))
}
