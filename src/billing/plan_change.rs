//! A plan change as billing sees it: from its first day, the old plan (and every add-on the
//! new plan does not keep) ends the day before, like a cancellation, and the new plan starts
//! that day, like a new subscription. The run then credits the old plan's days charged from
//! that day on and charges the new plan from it, both prorated by days like any partial month.
//! Pure: the service stores what [`switch`] decides; a preview applies it to rows in memory.

use chrono::NaiveDate;

use super::draft::addon_label;
use super::rating::Chargeable;
use crate::domain::billing_rows::{AddonRow, CustomerRows, NextCharge, PastPlanRow, SubRow};
use crate::domain::money::Currency;

/// The plan a subscription changes to, with the catalog's names and prices (minor units).
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub product_id: String,
    pub product_name: String,
    pub monthly: i64,
    /// (add-on id, name, charge)
    pub addons: Vec<(String, String, i64)>,
}

/// An item the change ends: the old plan or an add-on the new plan does not keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub addon_id: Option<String>,
    pub product_id: String,
    pub name: String,
    pub label: String,
    pub monthly: i64,
    pub next_charge: NextCharge,
    pub start: NaiveDate,
    pub last_day: NaiveDate,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
    /// Nothing left to bill or credit (it never ran, or every day is settled).
    pub settled: bool,
}

/// What a plan change does to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    /// Whether the subscription has begun by the change's first day. One that has not simply
    /// takes the new plan in place, with no history and nothing to settle.
    pub started: bool,
    pub closed: Vec<Closed>,
    /// Add-ons of the new plan that it had already: they go on as they are, from the day they
    /// began (`kept_since` for those that began with the old plan).
    pub kept_addons: Vec<String>,
    pub kept_since: NaiveDate,
    /// Add-ons the new plan adds, starting on the change's first day.
    pub added_addons: Vec<(String, String, i64)>,
}

/// Decides what changing `sub` (whose current product is `product_id`) to `plan` from `from`
/// ends, keeps and starts.
pub fn switch(sub: &SubRow, product_id: &str, plan: &NewPlan, from: NaiveDate) -> Switch {
    let started = sub.start < from;
    let last_day = from.pred_opt().unwrap_or(from);
    let plan_start = sub.plan_start();
    let close = |addon_id: Option<&str>,
                 product: &str,
                 name: &str,
                 label: String,
                 monthly: i64,
                 next: NextCharge,
                 start: NaiveDate,
                 billed: Option<NaiveDate>,
                 charged: Option<NaiveDate>| {
        let settled = Chargeable {
            label: &label,
            monthly,
            next,
            start,
            last_day: Some(last_day),
            suspended: false,
            billed_through: billed,
            charged_through: charged,
        }
        .settled();
        Closed {
            addon_id: addon_id.map(str::to_owned),
            product_id: product.to_owned(),
            name: name.to_owned(),
            label,
            monthly,
            next_charge: next,
            start,
            last_day,
            billed_through: billed,
            charged_through: charged,
            settled,
        }
    };
    let mut closed = Vec::new();
    let mut kept = Vec::new();
    if started {
        closed.push(close(
            None,
            product_id,
            &sub.product_name,
            sub.product_name.clone(),
            sub.monthly,
            sub.next_charge,
            plan_start,
            sub.billed_through,
            sub.charged_through,
        ));
    }
    for a in &sub.addons {
        let stays = plan.addons.iter().any(|(id, _, _)| *id == a.addon_id);
        if stays {
            kept.push(a.addon_id.clone());
        } else if started {
            closed.push(close(
                Some(&a.addon_id),
                &a.addon_id,
                &a.name,
                addon_label(&a.name, &sub.product_name),
                a.charge,
                a.next_charge,
                a.start.unwrap_or(plan_start),
                a.billed_through,
                a.charged_through,
            ));
        }
    }
    let added = plan
        .addons
        .iter()
        .filter(|(id, _, _)| !kept.contains(id))
        .cloned()
        .collect();
    Switch {
        started,
        closed,
        kept_addons: kept,
        kept_since: plan_start,
        added_addons: added,
    }
}

/// Applies a switch to a customer's rows in memory, as storing it would, so a preview rates
/// exactly what the next invoice will carry. Replaced items get negative row numbers.
pub fn apply_to_rows(
    customer: &mut CustomerRows,
    subscription_id: &str,
    plan: &NewPlan,
    switch: &Switch,
    from: NaiveDate,
    currency: Currency,
) {
    let Some(sub) = customer.subs.iter_mut().find(|s| s.id == subscription_id) else {
        return;
    };
    for (i, c) in switch.closed.iter().enumerate() {
        customer.extras.past_plans.push(PastPlanRow {
            seq: -1 - i as i64,
            subscription_id: subscription_id.to_owned(),
            addon_id: c.addon_id.clone(),
            label: c.label.clone(),
            monthly: c.monthly,
            next_charge: c.next_charge,
            currency,
            start: c.start,
            last_day: c.last_day,
            billed_through: c.billed_through,
            charged_through: c.charged_through,
        });
    }
    sub.product_name.clone_from(&plan.product_name);
    sub.monthly = plan.monthly;
    sub.next_charge = None;
    if switch.started {
        sub.plan_start = Some(from);
        sub.billed_through = None;
        sub.charged_through = None;
    }
    sub.addons
        .retain(|a| switch.kept_addons.contains(&a.addon_id));
    for a in &mut sub.addons {
        a.start = a.start.or(Some(switch.kept_since));
    }
    for (id, name, charge) in &switch.added_addons {
        sub.addons.push(AddonRow {
            addon_id: id.clone(),
            name: name.clone(),
            charge: *charge,
            billed_through: None,
            charged_through: None,
            start: switch.started.then_some(from),
            next_charge: None,
        });
    }
}

#[cfg(test)]
#[path = "plan_change_tests.rs"]
mod tests;
