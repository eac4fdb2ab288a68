//! Documents as PDF: `GET /v1/invoices/{invoiceId}/pdf`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::ApiPath;
use crate::domain::ids::InvoiceId;
use crate::routes::state::AppState;
use crate::service::documents;

/// A PDF answer: named after the document, not cached (it carries customer data).
pub fn pdf_response(name: &str, disposition: &str, pdf: Vec<u8>) -> HttpResponse {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{safe}.pdf\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(pdf)
}

pub async fn get_invoice_pdf(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<HttpResponse, ApiError> {
    let (invoice, pdf) = documents::invoice(&state.db, &state.live, &id).await?;
    Ok(pdf_response(&invoice.invoice_number, "inline", pdf))
}
