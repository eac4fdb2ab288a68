//! A subscription's own page: its plan and add-ons, this month's usage against what is
//! included, its discounts and its history of plans, with the charging actions.

use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;

use super::error::UiError;
use super::extract::{Authed, UiPath};
use super::format;
use super::layout::{LayoutCtx, render};
use crate::domain::charge::Discount;
use crate::domain::customer::Customer;
use crate::domain::enums::{DiscountStatus, SubscriptionStatus};
use crate::domain::ids::{ProductId, SubscriptionId};
use crate::domain::period::Period;
use crate::domain::plan::PlanRecord;
use crate::domain::subscription::Subscription;
use crate::domain::usage::MetricUsage;
use crate::routes::state::AppState;
use crate::service::{charges, customers, plan_changes, products, subscriptions, usage};

#[derive(Template)]
#[template(path = "pages/charging/subscription.html")]
pub struct SubscriptionPage {
    layout: LayoutCtx,
    s: Subscription,
    c: Customer,
    period: Period,
    usage: Vec<MetricUsage>,
    discounts: Vec<Discount>,
    plans: Vec<PlanRecord>,
    /// The name of the product a scheduled plan change moves to.
    scheduled_name: Option<String>,
}

impl SubscriptionPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.s.currency, *v)
    }

    pub fn monthly_total(&self) -> String {
        let total = self.s.monthly_charge + self.s.addons.iter().map(|a| a.charge).sum::<Decimal>();
        self.money(&total)
    }

    pub fn running(&self) -> bool {
        self.s.status != SubscriptionStatus::Cancelled
    }

    pub fn removable(&self, d: &Discount) -> bool {
        d.status == DiscountStatus::Active
    }

    /// "3 of 12" or "every invoice".
    pub fn months(&self, d: &Discount) -> String {
        match d.months {
            Some(m) => format!("{} of {m} invoices used", d.invoices_applied),
            None => format!("every invoice ({} so far)", d.invoices_applied),
        }
    }

    /// How much of the allowance is used, in percent (capped at 100), for the meter.
    pub fn used_percent(&self, u: &MetricUsage) -> u32 {
        let included = u.included_quantity.to_decimal();
        if included.is_zero() {
            return 100;
        }
        let pct = u.quantity.to_decimal() * Decimal::ONE_HUNDRED / included;
        pct.min(Decimal::ONE_HUNDRED)
            .trunc()
            .try_into()
            .unwrap_or(100)
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    let s = subscriptions::get(&state.db, &id).await?;
    let c = customers::get(&state.db, &s.customer_id).await?;
    let period = Period::containing(state.clock.today());
    let report = usage::month(&state.db, &id, period).await?;
    let discounts = charges::list_discounts(&state.db, &id).await?;
    let plans = plan_changes::history(&state.db, &id).await?.data;
    let scheduled_name = match &s.scheduled_plan_change {
        Some(p) => match ProductId::parse(&p.product_id) {
            Some(pid) => products::get(&state.db, &pid)
                .await
                .ok()
                .map(|p| p.product_name),
            None => None,
        },
        None => None,
    };
    let page = SubscriptionPage {
        layout: auth.layout(
            "customers",
            format!("{} for {}", s.product_name, c.display_name()),
        ),
        s,
        c,
        period,
        usage: report.metrics,
        discounts,
        plans,
        scheduled_name,
    };
    render(&page, &page.layout)
}
