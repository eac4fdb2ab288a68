//! Dunning: reminders the configured days after an invoice's due date, suspension for
//! non-payment `suspend_after_days` past it, and reactivation once every overdue invoice is paid
//! (or cancelled). A plan is read on a read connection (the Collections page shows tomorrow's);
//! the write job checks each step again before it takes it, so two rounds, or a round racing a
//! payment, never remind twice or suspend a customer who has just paid.
//!
//! Suspending goes through the lifecycle rules (`apply_customer_status`): the customer's active
//! subscriptions are suspended on its behalf and every change emits its event
//! (`customer.suspended`, `subscription.suspended`), as a suspension by hand does.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::dunning::{self as sql, NewAction, OpenItem};
use crate::db::record::Recorder;
use crate::db::{Db, customers, email};
use crate::domain::clock::Clock;
use crate::domain::customer::Customer;
use crate::domain::dunning::{DunningAction, DunningSettings};
use crate::domain::enums::CustomerStatus;
use crate::domain::event::EventType;
use crate::domain::ids::CustomerId;
use crate::domain::origin::Origin;
use crate::domain::templates::MessageKind;
use crate::error::ServiceError;

/// What dunning does on a day.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Invoices to remind about, with the reminder step.
    pub reminders: Vec<(OpenItem, u32)>,
    /// Customers to suspend, with the invoice that makes it so.
    pub suspend: Vec<(CustomerId, OpenItem)>,
    /// Customers dunning suspended whose overdue invoices are all paid.
    pub reactivate: Vec<CustomerId>,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Round {
    pub reminders: usize,
    pub suspended: usize,
    pub reactivated: usize,
}

/// Customers exempt on `today`.
fn exempt(conn: &Connection, today: NaiveDate) -> rusqlite::Result<BTreeSet<CustomerId>> {
    Ok(sql::exemptions(conn, today)?
        .into_iter()
        .map(|e| e.customer_id)
        .collect())
}

/// What dunning would do on `day`, from the state `conn` shows.
pub fn plan(
    conn: &Connection,
    rules: &DunningSettings,
    day: NaiveDate,
) -> Result<Plan, ServiceError> {
    let items = sql::open_items_due_before(conn, day)?;
    let exempt = exempt(conn, day)?;
    let mut statuses: BTreeMap<CustomerId, CustomerStatus> = BTreeMap::new();
    let mut status_of = |id: &CustomerId| -> rusqlite::Result<Option<CustomerStatus>> {
        if let Some(s) = statuses.get(id) {
            return Ok(Some(*s));
        }
        let s = customers::status(conn, id)?;
        if let Some(s) = s {
            statuses.insert(id.clone(), s);
        }
        Ok(s)
    };
    let mut plan = Plan::default();
    let mut overdue_customers = BTreeSet::new();
    let mut suspending = BTreeSet::new();
    for item in items {
        overdue_customers.insert(item.customer_id.clone());
        if exempt.contains(&item.customer_id) {
            continue;
        }
        let status = status_of(&item.customer_id)?;
        if matches!(status, None | Some(CustomerStatus::Terminated)) {
            continue;
        }
        if status == Some(CustomerStatus::Active)
            && rules.suspends(item.due_date, day)
            && suspending.insert(item.customer_id.clone())
        {
            plan.suspend.push((item.customer_id.clone(), item.clone()));
        }
        if let Some(step) = rules.reminder_due(item.due_date, day, item.reminded) {
            plan.reminders.push((item, step));
        }
    }
    for customer in sql::suspended(conn)? {
        if !overdue_customers.contains(&customer)
            && status_of(&customer)? == Some(CustomerStatus::Suspended)
        {
            plan.reactivate.push(customer);
        }
    }
    Ok(plan)
}

/// Tomorrow's plan, for the Collections page.
pub async fn preview(db: &Db, clock: &Clock, rules: DunningSettings) -> Result<Plan, ServiceError> {
    let tomorrow = clock.today().succ_opt().unwrap_or(clock.today());
    db.read(move |conn| {
        let tx = conn.unchecked_transaction()?;
        plan(&tx, &rules, tomorrow)
    })
    .await
}

/// One round on the clock's today: reads the plan, then takes each step in one write job.
pub async fn run(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    rules: DunningSettings,
) -> Result<Round, ServiceError> {
    let today = clock.today();
    let r = rules.clone();
    let planned = db
        .read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            plan(&tx, &r, today)
        })
        .await?;
    if planned.reminders.is_empty() && planned.suspend.is_empty() && planned.reactivate.is_empty() {
        return Ok(Round::default());
    }
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| apply(conn, &origin, &rules, planned, today, &now))
        .await
}

fn apply(
    conn: &Connection,
    origin: &Origin,
    rules: &DunningSettings,
    plan: Plan,
    today: NaiveDate,
    now: &str,
) -> Result<Round, ServiceError> {
    let rec = Recorder::new(conn, origin, now);
    let by = origin.actor.id.as_str();
    let mut round = Round::default();
    for (item, step) in &plan.reminders {
        let detail = format!("reminder {step} days after the due date");
        let taken = sql::record(
            conn,
            &NewAction {
                at: now,
                day: today,
                customer: &item.customer_id,
                invoice: Some(&item.invoice_id),
                action: DunningAction::Reminder,
                step: Some(*step),
                detail: Some(&detail),
            },
        )?;
        if taken {
            email::queue(
                conn,
                MessageKind::Reminder,
                &item.customer_id,
                Some(&item.invoice_id),
                None,
                now,
                by,
            )?;
            round.reminders += 1;
        }
    }
    for (customer, item) in &plan.suspend {
        // Checked again in this transaction: a payment may have come in since the plan.
        let still = sql::open_items_of(conn, customer)?
            .iter()
            .any(|i| rules.suspends(i.due_date, today));
        if !still || exempt(conn, today)?.contains(customer) {
            continue;
        }
        let detail = format!(
            "invoice {} is {} days past its due date",
            item.invoice_number,
            crate::domain::dunning::days_past(item.due_date, today).unwrap_or(0)
        );
        if set_status(conn, &rec, customer, CustomerStatus::Suspended, now)? {
            sql::mark_suspended(conn, customer, now)?;
            sql::record(
                conn,
                &NewAction {
                    at: now,
                    day: today,
                    customer,
                    invoice: Some(&item.invoice_id),
                    action: DunningAction::Suspended,
                    step: None,
                    detail: Some(&detail),
                },
            )?;
            email::queue(conn, MessageKind::Suspension, customer, None, None, now, by)?;
            round.suspended += 1;
        }
    }
    for customer in &plan.reactivate {
        if reactivate_if_clear(conn, &rec, customer, today, now)? {
            round.reactivated += 1;
        }
    }
    Ok(round)
}

/// Moves `customer` from Active to Suspended or back, with the events and audit entries of a
/// status change and its subscriptions following it. False when it is not in the expected state.
fn set_status(
    conn: &Connection,
    rec: &Recorder<'_>,
    customer: &CustomerId,
    to: CustomerStatus,
    now: &str,
) -> Result<bool, ServiceError> {
    let Some(before) = customers::get(conn, customer)? else {
        return Ok(false);
    };
    let (from, event) = match to {
        CustomerStatus::Suspended => (CustomerStatus::Active, EventType::CustomerSuspended),
        _ => (CustomerStatus::Suspended, EventType::CustomerReactivated),
    };
    if before.status != from {
        return Ok(false);
    }
    customers::set_status(conn, customer, to, now)?;
    let after: Customer = customers::get(conn, customer)?
        .ok_or_else(|| ServiceError::not_found("customer", customer.as_str()))?;
    rec.change(
        event,
        ("customer", customer.as_str()),
        Some(&before),
        &after,
    )?;
    super::lifecycle::apply_customer_status(conn, rec, customer, from, to, now)?;
    Ok(true)
}

/// Reactivates a customer dunning suspended once nothing of theirs is overdue any more; part of
/// the write job of a payment (or a cancellation), so the payment that clears the account
/// brings the service back at once. True when it did.
pub fn reactivate_if_clear(
    conn: &Connection,
    rec: &Recorder<'_>,
    customer: &CustomerId,
    today: NaiveDate,
    now: &str,
) -> Result<bool, ServiceError> {
    if !sql::is_suspended(conn, customer)? {
        return Ok(false);
    }
    if sql::open_items_of(conn, customer)?
        .iter()
        .any(|i| i.due_date < today)
    {
        return Ok(false);
    }
    sql::clear_suspended(conn, customer)?;
    if !set_status(conn, rec, customer, CustomerStatus::Active, now)? {
        // Someone changed the status by hand since: theirs to undo.
        return Ok(false);
    }
    sql::record(
        conn,
        &NewAction {
            at: now,
            day: today,
            customer,
            invoice: None,
            action: DunningAction::Reactivated,
            step: None,
            detail: Some("every overdue invoice is paid"),
        },
    )?;
    email::queue(
        conn,
        MessageKind::Reactivation,
        customer,
        None,
        None,
        now,
        &rec.origin().actor.id,
    )?;
    Ok(true)
}
