//! Bill runs: the history (filtered by status and period, sorted), a dry-run preview of a month
//! picked from a list (the invoices it would create and its totals), running it, and the run's
//! page with the invoices it created, which reloads itself while the run is in progress (a
//! `<meta refresh>`, so no JavaScript is needed).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use super::pager::Pager;
use super::run_pages::{PeriodChoice, period_choices, run_filter};
use crate::domain::bill_run::{BillRun, PreviewInvoice};
use crate::domain::enums::{BillRunStatus, BillRunTrigger};
use crate::domain::ids::BillRunId;
use crate::domain::invoice::InvoiceFilter;
use crate::domain::list_order::{InvoiceListing, Order};
use crate::domain::money::Currency;
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::period::Period;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::bill_runs::{self as service, Mode, StartRun, Started};
use crate::service::{ui_lists, ui_reports};

/// Most would-be invoices the preview lists (the totals cover all of them).
const PREVIEW_ROWS: usize = 100;
/// Invoices listed on a run's page; the rest are one link away.
const RUN_INVOICE_ROWS: u32 = 10;

/// How long starting a run waits for it to finish before showing its progress page instead.
const WAIT_FOR_RUN: Duration = Duration::from_millis(1500);

pub use super::run_pages::ListQuery;

#[derive(Template)]
#[template(path = "pages/bill_runs/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    form: FormState,
    periods: Vec<PeriodChoice>,
    query: ListQuery,
    filters: FormState,
    statuses: &'static [BillRunStatus],
    runs: Vec<(BillRun, Option<Actor>)>,
    pager: Pager,
    sorter: super::sort::Sorter,
}

impl ListPage {
    pub fn totals(&self, r: &BillRun) -> String {
        totals_text(r)
    }

    pub fn run_by(&self, r: &BillRun, who: &Option<Actor>) -> String {
        run_by(r, who)
    }
}

fn totals_text(r: &BillRun) -> String {
    if r.totals.is_empty() {
        return "nothing invoiced".to_owned();
    }
    r.totals
        .iter()
        .map(|t| format::money(t.currency, t.total_amount))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Who ran a run: the user (or client, or job) from its audit entry, else what started it.
fn run_by(r: &BillRun, who: &Option<Actor>) -> String {
    match who {
        Some(a) => format::actor(a),
        None => format::word(r.trigger),
    }
}

async fn list_page(
    state: &AppState,
    auth: &Authed,
    form: FormState,
    query: ListQuery,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page_no = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?,
    };
    let page = PageRequest::parse(Some(page_no), Some(20))
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    let mut filters = query.filter_state();
    let (filter, order) = run_filter(&query);
    let (runs, total) = match filter {
        Ok(f) => match ui_lists::bill_runs(&state.db, f, page).await {
            Ok(r) => r,
            Err(ServiceError::Invalid(e)) => {
                filters = filters.refuse(e);
                (Vec::new(), 0)
            }
            Err(e) => return Err(e.into()),
        },
        Err(e) => {
            filters = filters.refuse(e);
            (Vec::new(), 0)
        }
    };
    let billed = ui_lists::billed_periods(&state.db).await?;
    let params = query.params();
    let sort_param = order.to_param();
    let mut with_sort: Vec<(&str, &str)> = params.to_vec();
    if !query.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let pager = Pager::new("/admin/bill-runs", &with_sort, page.page, 20, total)
        .counting("bill run", "bill runs");
    let sorter =
        super::sort::Sorter::new("/admin/bill-runs", &params, order, &["started", "period"])
            .offering(&[
                ("-started", "Started, newest first"),
                ("started", "Started, oldest first"),
                ("-period", "Month, newest first"),
                ("period", "Month, oldest first"),
            ]);
    let today = state.clock.today();
    let chosen = form.value("period").to_owned();
    let page = ListPage {
        layout: auth.layout("bill-runs", "Bill runs"),
        periods: period_choices(
            today,
            state.live.current().values.billing.bill_day,
            &billed,
            &chosen,
        ),
        form,
        query,
        filters,
        statuses: BillRunStatus::ALL,
        runs,
        pager,
        sorter,
    };
    render_status(&page, &page.layout, status)
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let current = Period::containing(state.clock.today());
    let form = FormState::from_values([("period".to_owned(), current.to_string())]);
    list_page(&state, &auth, form, q.into_inner(), StatusCode::OK).await
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
    today: chrono::NaiveDate,
    /// The bill-day job runs the period by itself.
    scheduled: bool,
    /// The customers that need attention, with their names.
    attention: Vec<(String, String)>,
}

impl PreviewPage {
    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        format::money(*currency, *v)
    }
}

/// Refused input on the bill-run page itself, beside the period picker.
async fn refuse_period(
    state: &AppState,
    auth: &Authed,
    period: &str,
    e: crate::domain::FieldError,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let form = FormState::from_values([("period".to_owned(), period.to_owned())]).refuse(e);
    list_page(state, auth, form, ListQuery::default(), status).await
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
            return refuse_period(&state, &auth, &q.period, e, StatusCode::BAD_REQUEST).await;
        }
    };
    let start = StartRun {
        period,
        mode: Mode::Preview,
        trigger: BillRunTrigger::Admin,
        origin: auth.origin().clone(),
    };
    let run = match service::start(&state.bill_runner(), start).await {
        Ok(run) => run,
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refuse_period(&state, &auth, &q.period, e, status).await;
        }
        Err(e) => return Err(e.into()),
    };
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
    let attention_names =
        ui_reports::customer_names(&state.db, run.needs_attention.clone()).await?;
    let more = run.invoices_created.saturating_sub(listed.len() as u64);
    let bill_date = period.bill_date(state.live.current().values.billing.bill_day);
    let today = state.clock.today();
    let page = PreviewPage {
        layout: auth.layout("bill-runs", format!("Bill run {period}: preview")),
        rows: listed.into_iter().zip(names).collect(),
        more,
        can_run: bill_date <= today,
        bill_date,
        today,
        scheduled: state.settings.billing.jobs,
        attention: run
            .needs_attention
            .iter()
            .cloned()
            .zip(attention_names)
            .collect(),
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
    let typed = form.get("period").trim().to_owned();
    let period = match Period::parse("period", &typed) {
        Ok(p) => p,
        Err(e) => return refuse_period(&state, &auth, &typed, e, StatusCode::BAD_REQUEST).await,
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
                    "Bill run {period} finished: {} created.",
                    format::plural(run.invoices_created, "invoice", "invoices")
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
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refuse_period(&state, &auth, &typed, e, status).await
        }
        Err(ServiceError::Conflict(m)) => {
            let form = FormState::from_values([("period".to_owned(), typed)]).with_message(m);
            list_page(
                &state,
                &auth,
                form,
                ListQuery::default(),
                StatusCode::CONFLICT,
            )
            .await
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
    run_by: String,
    /// The first invoices the run created, each with its customer's name.
    invoices: Vec<(crate::domain::invoice::Invoice, String)>,
    /// The customers it could not bill, with their names.
    attention: Vec<(String, String)>,
}

impl DetailPage {
    pub fn running(&self) -> bool {
        self.run.status == BillRunStatus::Running
    }

    pub fn money(&self, currency: &Currency, v: &Decimal) -> String {
        format::money(*currency, *v)
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
    let who = ui_lists::run_started_by(&state.db, &id).await?;
    let listing = InvoiceListing {
        filter: InvoiceFilter::default(),
        search: None,
        bill_run: Some(id.clone()),
        order: Order {
            by: crate::domain::list_order::InvoiceSort::Number,
            desc: false,
        },
    };
    let first = PageRequest::parse(Some(1), Some(i64::from(RUN_INVOICE_ROWS)))
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    let invoices = ui_lists::invoices(&state.db, listing, first).await?.rows;
    let names = ui_reports::customer_names(&state.db, run.needs_attention.clone()).await?;
    let page = DetailPage {
        layout: auth.layout("bill-runs", format!("Bill run {}", run.period)),
        run_by: run_by(&run, &who),
        attention: run.needs_attention.iter().cloned().zip(names).collect(),
        invoices,
        run,
    };
    render(&page, &page.layout)
}
