//! Bill runs: the history, a dry-run preview of a period (the invoices it would create and its
//! totals), running it, and the run's page, which reloads itself while the run is in progress
//! (a `<meta refresh>`, so no JavaScript is needed).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use super::pager::Pager;
use crate::domain::bill_run::{BillRun, PreviewInvoice};
use crate::domain::enums::{BillRunStatus, BillRunTrigger};
use crate::domain::ids::BillRunId;
use crate::domain::money::Currency;
use crate::domain::page::PageRequest;
use crate::domain::period::Period;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::bill_runs::{self as service, Mode, StartRun, Started};
use crate::service::ui_reports;

/// Most would-be invoices the preview lists (the totals cover all of them).
const PREVIEW_ROWS: usize = 100;

/// How long starting a run waits for it to finish before showing its progress page instead.
const WAIT_FOR_RUN: Duration = Duration::from_millis(1500);

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/bill_runs/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    form: FormState,
    runs: Vec<BillRun>,
    pager: Pager,
}

impl ListPage {
    pub fn totals(&self, r: &BillRun) -> String {
        totals_text(r)
    }
}

fn totals_text(r: &BillRun) -> String {
    if r.totals.is_empty() {
        return "0".to_owned();
    }
    r.totals
        .iter()
        .map(|t| super::format::money(t.currency, t.total_amount))
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn list_page(
    state: &AppState,
    auth: &Authed,
    form: FormState,
    page_no: i64,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = PageRequest::parse(Some(page_no), Some(20))
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    let r = service::list(&state.db, page).await?;
    let pager = Pager::new(
        "/admin/bill-runs",
        &[],
        page.page,
        20,
        r.pagination.total_items,
    );
    let page = ListPage {
        layout: auth.layout("bill-runs", "Bill runs"),
        form,
        runs: r.items,
        pager,
    };
    render_status(&page, &page.layout, status)
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let page_no = match q.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?,
    };
    let current = Period::containing(state.clock.today());
    let form = FormState::from_values([("period".to_owned(), current.to_string())]);
    list_page(&state, &auth, form, page_no, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    period: String,
}

#[derive(Template)]
#[template(path = "pages/bill_runs/preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    run: BillRun,
    /// The first would-be invoices, each with its customer's name.
    rows: Vec<(PreviewInvoice, String)>,
    /// Would-be invoices not listed.
    more: u64,
    /// Whether the period may be billed now (its bill day has come).
    can_run: bool,
    bill_date: chrono::NaiveDate,
}

impl PreviewPage {
    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        super::format::money(*currency, *v)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<PreviewQuery>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let period = match Period::parse("period", q.period.trim()) {
        Ok(p) => p,
        Err(e) => {
            let form = FormState::from_values([("period".to_owned(), q.period.clone())]);
            return list_page(&state, &auth, form.refuse(e), 1, StatusCode::BAD_REQUEST).await;
        }
    };
    let start = StartRun {
        period,
        mode: Mode::Preview,
        trigger: BillRunTrigger::Admin,
        origin: auth.origin().clone(),
    };
    let run = service::start(&state.bill_runner(), start).await?;
    let listed: Vec<PreviewInvoice> = run
        .invoices
        .iter()
        .flatten()
        .take(PREVIEW_ROWS)
        .cloned()
        .collect();
    let names = ui_reports::customer_names(
        &state.db,
        listed.iter().map(|i| i.customer_id.clone()).collect(),
    )
    .await?;
    let more = run.invoices_created.saturating_sub(listed.len() as u64);
    let bill_date = period.bill_date(state.live.get().billing.bill_day);
    let page = PreviewPage {
        layout: auth.layout("bill-runs", format!("Bill run {period}: preview")),
        rows: listed.into_iter().zip(names).collect(),
        more,
        can_run: bill_date <= state.clock.today(),
        bill_date,
        run,
    };
    render(&page, &page.layout)
}

/// Starts the run of the period in the form. It runs on in the background: when it finishes
/// quickly the run's page shows the result, otherwise its progress.
pub async fn start(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let period = match Period::parse("period", form.get("period").trim()) {
        Ok(p) => p,
        Err(e) => {
            let form = form.to_state().refuse(e);
            return list_page(&state, &auth, form, 1, StatusCode::BAD_REQUEST).await;
        }
    };
    let start = StartRun {
        period,
        mode: Mode::Bill,
        trigger: BillRunTrigger::Admin,
        origin: auth.origin().clone(),
    };
    match service::start_waiting(&state.bill_runner(), start, WAIT_FOR_RUN).await {
        Ok(Started::Finished(run)) => {
            let id = run.bill_run_id.map(|i| i.to_string()).unwrap_or_default();
            Ok(redirect(
                &format!("/admin/bill-runs/{id}"),
                Some(&format!(
                    "Bill run {period} finished: {} invoice(s) created.",
                    run.invoices_created
                )),
            ))
        }
        Ok(Started::Running(id)) => {
            let location = match id {
                Some(id) => format!("/admin/bill-runs/{id}"),
                None => "/admin/bill-runs".to_owned(),
            };
            Ok(redirect(
                &location,
                Some(&format!("Bill run {period} started.")),
            ))
        }
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let form = form.to_state().refuse(e);
            list_page(&state, &auth, form, 1, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(m)) => {
            let form = form.to_state().with_message(m);
            list_page(&state, &auth, form, 1, StatusCode::CONFLICT).await
        }
        Err(e) => {
            tracing::warn!(%period, user = %auth.session.user.username, error = %e, "bill run from the admin UI failed");
            Err(e.into())
        }
    }
}

#[derive(Template)]
#[template(path = "pages/bill_runs/detail.html")]
pub struct DetailPage {
    layout: LayoutCtx,
    run: BillRun,
}

impl DetailPage {
    pub fn running(&self) -> bool {
        self.run.status == BillRunStatus::Running
    }

    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        super::format::money(*currency, *v)
    }

    /// Customers dealt with so far: invoiced or skipped.
    pub fn processed(&self) -> u64 {
        let s = &self.run.customers_skipped;
        self.run.invoices_created + s.already_invoiced + s.nothing_due + s.mixed_currencies
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<BillRunId>,
) -> Result<HttpResponse, UiError> {
    let run = service::get(&state.db, &id).await?;
    let page = DetailPage {
        layout: auth.layout("bill-runs", format!("Bill run {}", run.period)),
        run,
    };
    render(&page, &page.layout)
}
