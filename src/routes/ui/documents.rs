//! Documents as PDF from the admin pages: an invoice's and a credit note's "Download PDF", a
//! customer's statement.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, UiPath};
use super::layout::redirect_refused;
use crate::domain::FieldError;
use crate::domain::date::parse_date;
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId};
use crate::error::ServiceError;
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

pub async fn credit_note_pdf(
    state: web::Data<AppState>,
    _auth: Authed,
    UiPath(id): UiPath<CreditNoteId>,
) -> Result<HttpResponse, UiError> {
    let (note, body) = documents::credit_note(&state.db, &state.live, &id).await?;
    Ok(pdf(&note.credit_note_number, body))
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
    // The form is on the customer's page: a date it cannot use is said there, by its label.
    let back = format!("/admin/customers/{id}#collections");
    let refuse = |e: FieldError| {
        let label = if e.field == "from" { "From" } else { "To" };
        redirect_refused(
            &back,
            &format!("No statement: {label} {}.", e.message.trim_end_matches('.')),
        )
    };
    let today = state.clock.today();
    let to = match q.to.trim() {
        "" => today,
        v => match parse_date("to", v) {
            Ok(d) => d,
            Err(e) => return Ok(refuse(e)),
        },
    };
    let from = match q.from.trim() {
        "" => crate::domain::period::Period::containing(to).first_day(),
        v => match parse_date("from", v) {
            Ok(d) => d,
            Err(e) => return Ok(refuse(e)),
        },
    };
    match documents::statement(&state.db, &state.live, &id, from, to).await {
        Ok((customer, body)) => Ok(pdf(
            &format!("statement-{}-{from}-{to}", customer.account_number),
            body,
        )),
        Err(ServiceError::Invalid(e)) => Ok(refuse(e)),
        Err(e) => Err(e.into()),
    }
}
