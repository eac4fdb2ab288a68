//! CSV on the admin pages: the export buttons of the lists (with the list's filters) and the
//! customer import page (upload, dry run, every bad row by line and field).

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::error::UiError;
use super::extract::Authed;
use super::layout::{LayoutCtx, redirect, render, render_status};
use crate::domain::FieldError;
use crate::domain::customer::CustomerFilter;
use crate::domain::date::parse_date;
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::export::{ExportFilter, ExportKind, Range, aging_csv, export};
use crate::service::import::{ImportReport, RowError};

fn csv_response(name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body)
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    status: String,
    #[serde(default, rename = "type")]
    customer_type: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn opt<T: std::str::FromStr<Err = String>>(field: &str, v: &str) -> Result<Option<T>, UiError> {
    match v.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|e: String| UiError::BadRequest(FieldError::new(field, e).to_string())),
    }
}

fn date(field: &str, v: &str) -> Result<Option<chrono::NaiveDate>, UiError> {
    match v.trim() {
        "" => Ok(None),
        v => parse_date(field, v)
            .map(Some)
            .map_err(|e| UiError::BadRequest(e.to_string())),
    }
}

/// `/admin/customers/export.csv` and `/admin/invoices/export.csv`, with the list's filters.
pub async fn export_list(
    state: web::Data<AppState>,
    _auth: Authed,
    what: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, UiError> {
    let kind = ExportKind::parse(&what).map_err(|e| UiError::NotFound(e.message))?;
    let range = Range {
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
    };
    let filter = ExportFilter {
        customers: CustomerFilter {
            status: opt(
                "status",
                if kind == ExportKind::Customers {
                    &q.status
                } else {
                    ""
                },
            )?,
            customer_type: opt("type", &q.customer_type)?,
        },
        invoice_status: opt(
            "status",
            if kind == ExportKind::Invoices {
                &q.status
            } else {
                ""
            },
        )?,
    };
    let body = export(&state.db, kind, range, filter).await?;
    Ok(csv_response(&what, body))
}

pub async fn export_aging(
    state: web::Data<AppState>,
    _auth: Authed,
) -> Result<HttpResponse, UiError> {
    let today = state.clock.today();
    let aging = crate::service::collections::aging(&state.db, today).await?;
    Ok(csv_response(&format!("aging-{today}"), aging_csv(&aging)?))
}

#[derive(Template)]
#[template(path = "pages/imports/customers.html")]
pub struct ImportPage {
    layout: LayoutCtx,
    errors: Vec<RowError>,
    report: Option<ImportReport>,
    columns: String,
}

fn import_page(auth: &Authed, errors: Vec<RowError>, report: Option<ImportReport>) -> ImportPage {
    ImportPage {
        layout: auth.layout("customers", "Import customers"),
        errors,
        report,
        columns: crate::service::export::customer_columns().join(","),
    }
}

pub async fn import_form(auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let page = import_page(&auth, Vec::new(), None);
    render(&page, &page.layout)
}

/// Largest file the page takes.
const MAX_FILE: usize = 20 * 1024 * 1024;

pub async fn import(
    state: web::Data<AppState>,
    auth: Authed,
    mut form: Multipart,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let (mut csrf, mut dry_run, mut data) = (String::new(), false, Vec::new());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| UiError::BadRequest(format!("the upload failed: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| UiError::BadRequest(format!("the upload failed: {e}")))?;
            if value.len() + chunk.len() > MAX_FILE {
                return Err(UiError::BadRequest(
                    "the file is larger than 20 MB".to_owned(),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&value).into_owned(),
            "dry_run" => dry_run = true,
            "file" => data = value,
            _ => {}
        }
    }
    if !crate::auth::csrf::tokens_match(&auth.session.csrf_token, &csrf) {
        return Err(UiError::Csrf);
    }
    if data.is_empty() {
        return Err(UiError::BadRequest(
            "choose a CSV file to import".to_owned(),
        ));
    }
    match crate::service::import::customers(&state.db, &state.clock, auth.origin(), &data, dry_run)
        .await?
    {
        Ok(report) if !report.dry_run => Ok(redirect(
            "/admin/customers",
            Some(&format!("{} customers imported.", report.customers.len())),
        )),
        Ok(report) => {
            let page = import_page(&auth, Vec::new(), Some(report));
            render(&page, &page.layout)
        }
        Err(errors) => {
            let page = import_page(&auth, errors, None);
            render_status(
                &page,
                &page.layout,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
