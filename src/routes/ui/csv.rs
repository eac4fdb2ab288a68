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
use super::layout::{LayoutCtx, redirect, redirect_refused, render, render_status};
use crate::domain::FieldError;
use crate::domain::customer::CustomerFilter;
use crate::domain::date::parse_date;
use crate::domain::record_lists::{
    PaymentFilters, PaymentListing, SubscriptionFilters, SubscriptionListing,
};
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::export::{
    ExportFilter, ExportKind, Range, aging_csv, export, payments_csv, subscriptions_csv,
};
use crate::service::import::{ImportFile, ImportReport, RowError};

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
    /// The Subscriptions and Payments lists' search, product, method and order.
    #[serde(default)]
    q: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    sort: String,
}

fn opt<T: std::str::FromStr<Err = String>>(field: &str, v: &str) -> Result<Option<T>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|e: String| FieldError::new(field, e)),
    }
}

fn date(field: &str, v: &str) -> Result<Option<chrono::NaiveDate>, FieldError> {
    match v.trim() {
        "" => Ok(None),
        v => parse_date(field, v).map(Some),
    }
}

/// The export's range and filters, from the list's own filter values.
fn export_filter(kind: ExportKind, q: &ExportQuery) -> Result<(Range, ExportFilter), FieldError> {
    let range = Range {
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
    };
    let status = |of: ExportKind| if kind == of { q.status.as_str() } else { "" };
    let filter = ExportFilter {
        customers: CustomerFilter {
            status: opt("status", status(ExportKind::Customers))?,
            customer_type: opt("type", &q.customer_type)?,
        },
        invoice_status: opt("status", status(ExportKind::Invoices))?,
    };
    Ok((range, filter))
}

/// `/admin/{customers,invoices,subscriptions,payments}/export.csv`, with the list's filters. A
/// filter the export cannot use is said on the list the button is on.
pub async fn export_list(
    state: web::Data<AppState>,
    auth: Authed,
    what: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, UiError> {
    let kind = ExportKind::parse(&what).map_err(|e| UiError::NotFound(e.message))?;
    let back = match kind {
        ExportKind::Customers => "/admin/customers",
        ExportKind::Invoices => "/admin/invoices",
        ExportKind::Subscriptions => "/admin/subscriptions",
        ExportKind::Payments => "/admin/payments",
    };
    let refuse = |e: FieldError| redirect_refused(back, &format!("Nothing exported: {e}."));
    // These two lists carry a search and an order too: the file holds exactly their rows.
    let body = match kind {
        ExportKind::Subscriptions => match SubscriptionListing::parse(SubscriptionFilters {
            q: &q.q,
            status: &q.status,
            product: &q.product,
            from: &q.from,
            to: &q.to,
            sort: &q.sort,
        }) {
            Ok(l) => subscriptions_csv(&state.db, l).await,
            Err(e) => return Ok(refuse(e)),
        },
        ExportKind::Payments => match PaymentListing::parse(PaymentFilters {
            q: &q.q,
            method: &q.method,
            from: &q.from,
            to: &q.to,
            sort: &q.sort,
        }) {
            Ok(l) => payments_csv(&state.db, auth.tz, l).await,
            Err(e) => return Ok(refuse(e)),
        },
        ExportKind::Customers | ExportKind::Invoices => match export_filter(kind, &q) {
            Ok((range, filter)) => export(&state.db, kind, range, filter).await,
            Err(e) => return Ok(refuse(e)),
        },
    };
    match body {
        Ok(body) => Ok(csv_response(&what, body)),
        Err(ServiceError::Invalid(e)) => Ok(refuse(e)),
        Err(e) => Err(e.into()),
    }
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
    subscription_columns: String,
    /// What the billed-through field proposes: the last day of last month.
    billed_through: chrono::NaiveDate,
    /// Why the file was not read at all (none chosen, too large), said above the form.
    message: Option<String>,
}

fn import_page(
    auth: &Authed,
    today: chrono::NaiveDate,
    errors: Vec<RowError>,
    report: Option<ImportReport>,
) -> ImportPage {
    ImportPage {
        layout: auth.layout("customers", "Import customers"),
        errors,
        report,
        columns: crate::service::export::customer_columns().join(","),
        subscription_columns: crate::service::export::subscription_columns().join(","),
        billed_through: crate::service::import::default_billed_through(today),
        message: None,
    }
}

/// The import page again, saying why the upload could not be read.
fn unread(auth: &Authed, today: chrono::NaiveDate, why: &str) -> Result<HttpResponse, UiError> {
    let mut page = import_page(auth, today, Vec::new(), None);
    page.message = Some(why.to_owned());
    render_status(
        &page,
        &page.layout,
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub async fn import_form(
    state: web::Data<AppState>,
    auth: Authed,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let page = import_page(&auth, state.clock.today(), Vec::new(), None);
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
    let today = state.clock.today();
    let (mut csrf, mut dry_run, mut data) = (String::new(), false, Vec::new());
    let mut subscriptions = Vec::new();
    let mut billed_through = String::new();
    while let Some(field) = form.next().await {
        let Ok(mut field) = field else {
            return unread(&auth, today, "The upload failed: choose the file again.");
        };
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                return unread(&auth, today, "The upload failed: choose the file again.");
            };
            if value.len() + chunk.len() > MAX_FILE {
                return unread(
                    &auth,
                    today,
                    "The file is larger than 20 MB: split it and import each part.",
                );
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&value).into_owned(),
            "dry_run" => dry_run = true,
            "file" => data = value,
            "subscriptions" => subscriptions = value,
            "billed_through" => billed_through = String::from_utf8_lossy(&value).into_owned(),
            _ => {}
        }
    }
    if !crate::auth::csrf::tokens_match(&auth.session.csrf_token, &csrf) {
        return Err(UiError::Csrf);
    }
    if data.is_empty() {
        return unread(&auth, today, "Choose a CSV file to import.");
    }
    // An empty second file input is no subscriptions file.
    let subscriptions = if subscriptions.is_empty() {
        None
    } else {
        let billed_through = match billed_through.trim() {
            "" => crate::service::import::default_billed_through(today),
            d => match parse_date("billed_through", d) {
                Ok(d) => d,
                Err(_) => {
                    return unread(
                        &auth,
                        today,
                        "Billed through: enter the last day the other system billed, e.g. 2026-11-30.",
                    );
                }
            },
        };
        Some(crate::service::import::SubscriptionsFile {
            data: &subscriptions,
            billed_through,
        })
    };
    let done = match crate::service::import::customers(
        &state.db,
        &state.clock,
        auth.origin(),
        &data,
        subscriptions,
        dry_run,
    )
    .await
    {
        Err(ServiceError::Invalid(e)) => {
            return unread(
                &auth,
                today,
                &format!("Not imported: billed through {}.", e.message),
            );
        }
        Err(e) => return Err(e.into()),
        Ok(done) => done,
    };
    match done {
        Ok(report) if !report.dry_run => {
            let customers =
                super::format::plural(report.customers.len() as u64, "customer", "customers");
            let done = if subscriptions.is_some() {
                format!(
                    "{customers} and {} imported.",
                    super::format::plural(
                        report.subscriptions.len() as u64,
                        "subscription",
                        "subscriptions"
                    )
                )
            } else {
                format!("{customers} imported.")
            };
            Ok(redirect("/admin/customers", Some(&done)))
        }
        Ok(report) => {
            let page = import_page(&auth, today, Vec::new(), Some(report));
            render(&page, &page.layout)
        }
        Err(errors) => {
            let page = import_page(&auth, today, errors, None);
            render_status(
                &page,
                &page.layout,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
