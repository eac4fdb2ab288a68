//! The dashboard: key figures, what needs attention (overdue customers, runs that did not
//! finish, customers the last run could not bill), a first-run checklist until the installation
//! is in use, and two charts.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::charts::{self, Chart};
use super::error::UiError;
use super::extract::Authed;
use super::format;
use super::layout::{LayoutCtx, render};
use crate::domain::money::Currency;
use crate::domain::settings::BusinessSettings;
use crate::routes::state::AppState;
use crate::service::attention::Attention;
use crate::service::dashboard_cache;

/// One step of the first-run checklist.
pub struct Step {
    pub done: bool,
    pub text: &'static str,
    /// Where to do it, when this user may.
    pub link: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "pages/dashboard/index.html")]
pub struct DashboardPage {
    layout: LayoutCtx,
    active_customers: String,
    active_subscriptions: String,
    mrr: String,
    open: String,
    open_note: String,
    overdue: String,
    overdue_note: String,
    /// Something is overdue (the figure is shown as a warning).
    any_overdue: bool,
    chart_currency: Option<Currency>,
    monthly: Chart,
    by_type: Chart,
    attention: Attention,
    /// The first-run checklist, until every step is done.
    steps: Vec<Step>,
}

impl DashboardPage {
    pub fn overdue_amount(&self, o: &crate::domain::attention::Overdue) -> String {
        format::money_minor(o.currency, o.amount)
    }

    pub fn steps_done(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }
}

/// The checklist for a new installation: what makes it ready to bill, each with where to do it.
fn checklist(a: &Attention, live: &BusinessSettings, layout: &LayoutCtx) -> Vec<Step> {
    let s = &a.set_up;
    let admin = layout.is_admin();
    let operate = layout.can_operate();
    let settings = admin.then_some(("/admin/settings", "Settings"));
    let steps = vec![
        Step {
            done: live.operator.is_complete(),
            text: "Put your company's name and address on the invoices",
            link: settings,
        },
        Step {
            done: !live.operator.payment_details.is_empty(),
            text: "Say how customers pay you (bank or mobile money details, printed on invoices)",
            link: settings,
        },
        Step {
            done: live.email.enabled(),
            text: "Set up e-mail (an SMTP server and a sender) to send invoices and reminders",
            link: settings,
        },
        Step {
            done: s.has_product,
            text: "Add the products you sell to the catalog",
            link: admin.then_some(("/admin/catalog/new", "New product")),
        },
        Step {
            done: s.has_customer,
            text: "Add your first customer",
            link: operate.then_some(("/admin/customers/new", "New customer")),
        },
        Step {
            done: s.has_subscription,
            text: "Subscribe a customer to a product (on the customer's page)",
            link: operate.then_some(("/admin/customers", "Customers")),
        },
        Step {
            done: s.has_bill_run,
            text: "Preview and run a month's bill run",
            link: operate.then_some(("/admin/bill-runs", "Bill runs")),
        },
        Step {
            done: s.has_payment,
            text: "Record a payment against an invoice",
            link: operate.then_some(("/admin/invoices?status=Open", "Open invoices")),
        },
        Step {
            done: s.has_second_user,
            text: "Give your staff their own sign-in",
            link: admin.then_some(("/admin/users/new", "New user")),
        },
    ];
    if steps.iter().all(|s| s.done) {
        Vec::new()
    } else {
        steps
    }
}

pub async fn dashboard(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    let figures = dashboard_cache::figures(&state.db, &state.clock, &state.dashboard).await?;
    let (d, attention) = (&figures.dashboard, figures.attention.clone());
    let layout = auth.layout("dashboard", "Dashboard");
    let steps = checklist(&attention, &state.live.current().values, &layout);
    let main = d.chart_currency.unwrap_or(Currency::USD);
    let overdue_note = if d.overdue_invoices == 0 {
        "Nothing overdue.".to_owned()
    } else {
        format!(
            "{} from {}.",
            format::plural(d.overdue_invoices, "invoice", "invoices"),
            format::plural(attention.overdue_customers, "customer", "customers")
        )
    };
    let page = DashboardPage {
        active_customers: format::count(d.active_customers),
        active_subscriptions: format::count(d.active_subscriptions),
        mrr: format::money_list_or(&d.monthly_recurring, main),
        open: format::money_list_or(&d.open, main),
        open_note: format!(
            "{} not yet due.",
            format::plural(d.open_invoices, "invoice", "invoices")
        ),
        any_overdue: d.overdue_invoices > 0,
        overdue: format::money_list_or(&d.overdue, main),
        overdue_note,
        chart_currency: d.chart_currency,
        monthly: charts::monthly(d.chart_currency, &d.months),
        by_type: charts::by_type(&d.subscriptions_by_type),
        attention,
        steps,
        layout,
    };
    render(&page, &page.layout)
}
