//! Plan changes: now (the old plan credited from today, the new one charged from today) or at
//! the end of the period (the switch on the first day of the next one, made by the daily jobs);
//! with a preview that stores nothing and lists the lines the next invoice will carry. The
//! subscription keeps the plans it had.

use chrono::NaiveDate;
use rusqlite::Connection;
use rust_decimal::Decimal;
use serde::Serialize;

use super::subscriptions::{CheckedPlan, check_plan};
use crate::billing::draft::{CustomerOutcome, bill_customer};
use crate::billing::plan_change::{self, NewPlan, Switch};
use crate::db::record::Recorder;
use crate::db::{Db, billing_extras, billing_state, invoices, plan_switch, plans, subscriptions};
use crate::domain::bill_run::PreviewLine;
use crate::domain::clock::Clock;
use crate::domain::enums::SubscriptionStatus;
use crate::domain::event::EventType;
use crate::domain::ids::SubscriptionId;
use crate::domain::money::{Currency, as_json_number};
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::plan::{PlanHistory, PlanOrder, PlanRecord, PlanWhen, ScheduledPlan};
use crate::domain::subscription::Subscription;
use crate::error::ServiceError;

/// What a plan change does (or, previewed, would do).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanChange {
    pub subscription_id: SubscriptionId,
    pub preview: bool,
    pub when: PlanWhen,
    /// The new plan's first day.
    pub effective_date: NaiveDate,
    pub product_id: String,
    pub product_name: String,
    #[serde(serialize_with = "as_json_number")]
    pub monthly_charge: Decimal,
    /// The new plan's add-ons (ids).
    pub addons: Vec<String>,
    /// The new plan's monthly total, add-ons included.
    #[serde(serialize_with = "as_json_number")]
    pub monthly_total: Decimal,
    pub currency: Currency,
    /// The period of the next invoice that carries the change.
    pub invoice_period: Period,
    /// This subscription's lines on that invoice: credits for the old plan, charges for the new.
    pub lines: Vec<PreviewLine>,
    #[serde(serialize_with = "as_json_number")]
    pub lines_total: Decimal,
    /// The subscription after the change (absent for a preview).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
}

/// A plan change worked out against the stored subscription.
struct Planned {
    sub: Subscription,
    plan: CheckedPlan,
    switch: Switch,
    from: NaiveDate,
    answer: PlanChange,
}

fn conflict(msg: String) -> ServiceError {
    ServiceError::Conflict(msg)
}

/// Checks a plan change of `id` to `order` from `from` and rates what it does to the next
/// invoice, in the transaction of `conn` (stores nothing).
fn work_out(
    conn: &Connection,
    id: &SubscriptionId,
    order: &PlanOrder,
    when: PlanWhen,
    from: NaiveDate,
    today: NaiveDate,
) -> Result<Planned, ServiceError> {
    let sub =
        subscriptions::get(conn, id)?.ok_or_else(|| ServiceError::not_found("subscription", id))?;
    if sub.status == SubscriptionStatus::Cancelled || sub.end_date.is_some_and(|e| e < today) {
        return Err(conflict(format!(
            "subscription `{id}` has ended; its plan cannot change"
        )));
    }
    if let Some(end) = sub.end_date
        && end < from
    {
        return Err(conflict(format!(
            "subscription `{id}` ends on {end}, before the change would take effect on {from}"
        )));
    }
    let addons: Vec<String> = match &order.addons {
        Some(a) => a.clone(),
        None => sub.addons.iter().map(|a| a.addon_id.to_string()).collect(),
    };
    let plan = check_plan(conn, &order.product_id, &addons, Some(sub.currency))?;
    let same_addons = {
        let mut a: Vec<&str> = addons.iter().map(String::as_str).collect();
        let mut b: Vec<&str> = sub.addons.iter().map(|x| x.addon_id.as_str()).collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    if plan.product.product_id == sub.product_id && same_addons {
        return Err(conflict(format!(
            "subscription `{id}` already has {} with these add-ons",
            sub.product_name
        )));
    }
    let customer = sub.customer_id.clone();
    let mut rows = billing_state::customer_rows(conn, customer.as_str())?
        .ok_or_else(|| ServiceError::not_found("subscription", id))?;
    let row = rows
        .subs
        .iter()
        .find(|s| s.id == id.as_str())
        .ok_or_else(|| ServiceError::not_found("subscription", id))?;
    let new = NewPlan {
        product_id: plan.product.product_id.to_string(),
        product_name: plan.product.product_name.clone(),
        monthly: plan.price_minor,
        addons: plan
            .addons
            .iter()
            .map(|(a, n, c)| (a.to_string(), n.clone(), *c))
            .collect(),
    };
    let switch = plan_change::switch(row, sub.product_id.as_str(), &new, from);
    // The next invoice: this month's, unless the run has issued it already; and not before the
    // month the new plan starts in.
    let this_month = Period::containing(today);
    let next = if invoices::has_run_invoice(conn, &customer, this_month)? {
        this_month.next()
    } else {
        this_month
    };
    let period = next.max(Period::containing(from));
    rows.extras = billing_extras::customer_extras(conn, customer.as_str(), period.previous())?;
    plan_change::apply_to_rows(&mut rows, id.as_str(), &new, &switch, from, sub.currency);
    let c = sub.currency;
    let lines: Vec<PreviewLine> = match bill_customer(&rows, period, Decimal::ZERO)? {
        CustomerOutcome::Invoice { invoice, .. } => invoice
            .preview(period, today, today)
            .line_items
            .into_iter()
            .filter(|l| l.subscription_id.as_deref() == Some(id.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    let lines_total = lines.iter().map(|l| l.amount).sum();
    let monthly_total =
        c.from_minor(plan.price_minor + plan.addons.iter().map(|a| a.2).sum::<i64>());
    let answer = PlanChange {
        subscription_id: id.clone(),
        preview: true,
        when,
        effective_date: from,
        product_id: new.product_id.clone(),
        product_name: new.product_name.clone(),
        monthly_charge: c.from_minor(plan.price_minor),
        addons: new.addons.iter().map(|a| a.0.clone()).collect(),
        monthly_total,
        currency: c,
        invoice_period: period,
        lines,
        lines_total,
        subscription: None,
    };
    Ok(Planned {
        sub,
        plan,
        switch,
        from,
        answer,
    })
}

/// The first day a change asked for `when` takes effect.
pub fn effective_date(when: PlanWhen, today: NaiveDate) -> NaiveDate {
    match when {
        PlanWhen::Now => today,
        PlanWhen::EndOfPeriod => Period::containing(today).next().first_day(),
    }
}

/// Changes a subscription's plan (or, with `preview`, only says what the change would do).
pub async fn change(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &SubscriptionId,
    order: PlanOrder,
    when: PlanWhen,
    preview: bool,
) -> Result<PlanChange, ServiceError> {
    let (sid, today, now, origin) = (id.clone(), clock.today(), clock.timestamp(), origin.clone());
    let from = effective_date(when, today);
    if preview {
        return db
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let planned = work_out(&tx, &sid, &order, when, from, today)?;
                tx.rollback()?;
                Ok(planned.answer)
            })
            .await;
    }
    db.write(move |conn| {
        let planned = work_out(conn, &sid, &order, when, from, today)?;
        let rec = Recorder::new(conn, &origin, &now);
        let mut answer = planned.answer.clone();
        answer.preview = false;
        let event = match when {
            PlanWhen::Now => {
                store(conn, &planned, &now)?;
                EventType::SubscriptionPlanChanged
            }
            PlanWhen::EndOfPeriod => {
                let scheduled = ScheduledPlan {
                    product_id: planned.answer.product_id.clone(),
                    addons: planned.answer.addons.clone(),
                    effective_date: from,
                };
                plan_switch::set_scheduled(conn, &sid, Some(&scheduled), &now)?;
                EventType::SubscriptionPlanChangeScheduled
            }
        };
        let after = subscriptions::get(conn, &sid)?
            .ok_or_else(|| ServiceError::not_found("subscription", &sid))?;
        rec.change(
            event,
            ("subscription", sid.as_str()),
            Some(&planned.sub),
            &after,
        )?;
        answer.subscription = Some(after);
        rec.answer(&answer)?;
        Ok(answer)
    })
    .await
}

/// Stores a plan change: the replaced plan and add-ons kept for settling and history, the new
/// plan and add-ons in place, its usage prices.
fn store(conn: &Connection, p: &Planned, now: &str) -> Result<(), ServiceError> {
    let sid = &p.sub.subscription_id;
    for c in &p.switch.closed {
        plans::insert(
            conn,
            &plans::NewPastPlan {
                subscription_id: sid,
                customer_id: p.sub.customer_id.as_str(),
                addon_id: c.addon_id.as_deref(),
                product_id: &c.product_id,
                name: &c.name,
                label: &c.label,
                monthly: c.monthly,
                next_charge: c.next_charge,
                currency: p.sub.currency,
                start: c.start,
                last_day: c.last_day,
                billed_through: c.billed_through,
                charged_through: c.charged_through,
                settled: c.settled,
            },
            now,
        )?;
    }
    let started = p.switch.started.then_some(p.from);
    plan_switch::set_plan(
        conn,
        sid,
        p.plan.product.product_id.as_str(),
        &p.plan.product.product_name,
        p.plan.price_minor,
        started,
        now,
    )?;
    plan_switch::keep_addons(
        conn,
        sid,
        &p.switch.kept_addons,
        p.switch.started.then_some(p.switch.kept_since),
    )?;
    plan_switch::add_addons(conn, sid, &p.switch.added_addons, started)?;
    p.plan.set_usage_prices(conn, sid)?;
    let metrics: Vec<&str> = p
        .plan
        .usage
        .iter()
        .map(|(_, u)| u.metric.as_str())
        .collect();
    let until = p.from.pred_opt().unwrap_or(p.from);
    crate::db::usage::retire_prices(conn, sid, &metrics, until)?;
    Ok(())
}

/// Makes the plan changes whose day has come (the daily jobs). A change the catalog no longer
/// allows (a product gone from sale since) is dropped, with a warning and an audit entry.
pub fn apply_scheduled(
    conn: &Connection,
    rec: &Recorder<'_>,
    today: NaiveDate,
    now: &str,
) -> Result<usize, ServiceError> {
    let mut applied = 0;
    for (id, scheduled) in plan_switch::due_scheduled(conn, today)? {
        let order = PlanOrder {
            product_id: scheduled.product_id.clone(),
            addons: Some(scheduled.addons.clone()),
        };
        let from = scheduled.effective_date;
        match work_out(conn, &id, &order, PlanWhen::EndOfPeriod, from, today) {
            Ok(planned) => {
                store(conn, &planned, now)?;
                let after = subscriptions::get(conn, &id)?
                    .ok_or_else(|| ServiceError::not_found("subscription", &id))?;
                rec.change(
                    EventType::SubscriptionPlanChanged,
                    ("subscription", id.as_str()),
                    Some(&planned.sub),
                    &after,
                )?;
                applied += 1;
            }
            Err(ServiceError::Unexpected(e)) => return Err(ServiceError::Unexpected(e)),
            Err(refused) => {
                tracing::warn!(subscription = %id, reason = %refused, "scheduled plan change dropped");
                plan_switch::set_scheduled(conn, &id, None, now)?;
                rec.audit_values(
                    "subscription.plan_change_dropped",
                    ("subscription", id.as_str()),
                    serde_json::json!({"scheduledPlanChange": {"before": scheduled, "after": null},
                                       "reason": {"before": null, "after": refused.to_string()}}),
                )?;
            }
        }
    }
    Ok(applied)
}

/// A subscription's plans, oldest first, the current one last.
pub async fn history(db: &Db, id: &SubscriptionId) -> Result<PlanHistory, ServiceError> {
    let sid = id.clone();
    db.read(move |conn| {
        let sub = subscriptions::get(conn, &sid)?
            .ok_or_else(|| ServiceError::not_found("subscription", &sid))?;
        let (past, addons) = plans::history(conn, &sid)?;
        let mut data: Vec<PlanRecord> = past
            .into_iter()
            .map(
                |(product_id, name, monthly, currency, start, last)| PlanRecord {
                    product_id,
                    product_name: name,
                    monthly_charge: currency.from_minor(monthly),
                    currency,
                    start_date: start,
                    end_date: Some(last),
                    addons: addons
                        .iter()
                        .filter(|(day, _)| *day == last)
                        .map(|(_, n)| n.clone())
                        .collect(),
                },
            )
            .collect();
        data.push(PlanRecord {
            product_id: sub.product_id.clone(),
            product_name: sub.product_name.clone(),
            monthly_charge: sub.monthly_charge,
            currency: sub.currency,
            start_date: sub.plan_start_date.unwrap_or(sub.start_date),
            end_date: None,
            addons: sub.addons.iter().map(|a| a.addon_name.clone()).collect(),
        });
        Ok(PlanHistory {
            subscription_id: sid,
            data,
        })
    })
    .await
}
