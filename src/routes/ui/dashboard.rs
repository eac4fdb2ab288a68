//! The dashboard: key figures and two charts.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::charts::{self, Chart};
use super::error::UiError;
use super::extract::Authed;
use super::format;
use super::layout::{LayoutCtx, render};
use crate::domain::money::Currency;
use crate::routes::state::AppState;
use crate::service::ui_reports;

#[derive(Template)]
#[template(path = "pages/dashboard/index.html")]
pub struct DashboardPage {
    layout: LayoutCtx,
    active_customers: String,
    active_subscriptions: String,
    mrr: String,
    open: String,
    overdue: String,
    chart_currency: Option<Currency>,
    monthly: Chart,
    by_type: Chart,
    /// The set-up checklist, shown until the operator's details are filled in: each step and
    /// whether it is done.
    setup: Option<Vec<(&'static str, bool)>>,
}

pub async fn dashboard(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    let d = ui_reports::dashboard(&state.db, &state.clock).await?;
    let page = DashboardPage {
        layout: auth.layout("dashboard", "Dashboard"),
        active_customers: format::count(d.active_customers),
        active_subscriptions: format::count(d.active_subscriptions),
        mrr: format::money_list(&d.monthly_recurring),
        open: format::money_list(&d.open),
        overdue: format::money_list(&d.overdue),
        chart_currency: d.chart_currency,
        monthly: charts::monthly(d.chart_currency, &d.months),
        by_type: charts::by_type(&d.subscriptions_by_type),
        setup: setup_checklist(&state.live.get()),
    };
    render(&page, &page.layout)
}

fn setup_checklist(
    s: &crate::domain::settings::BusinessSettings,
) -> Option<Vec<(&'static str, bool)>> {
    (!s.operator.is_complete()).then(|| {
        vec![
            (
                "The operator's name and address (printed on every invoice)",
                false,
            ),
            (
                "How customers pay (bank or mobile money details)",
                !s.operator.payment_details.is_empty(),
            ),
            ("E-mail: an SMTP server and a sender", s.email.enabled()),
        ]
    })
}
