//! Subscription lifecycle: suspend, resume, cancel; what a customer's status does to its
//! subscriptions; terminating a customer; and the daily start and end of subscriptions. The
//! billing consequences (no charge while suspended on the bill day, credits for days charged
//! after an end date) follow from the dates set here; see the README's "Billing" section.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Deserialize;

use crate::db::Db;
use crate::db::{customers, subscriptions as sql};
use crate::domain::clock::Clock;
use crate::domain::customer::Customer;
use crate::domain::enums::{CustomerStatus, SubscriptionStatus, SuspendedBy};
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::period::Period;
use crate::domain::subscription::Subscription;

use crate::error::ServiceError;

/// When a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelWhen {
    /// Today is the last day (charged); days already charged after it are credited.
    Now,
    /// The last day of the current month; the subscription runs until then.
    EndOfPeriod,
}

/// Runs `f` on the subscription `id` in one write job and returns the subscription as stored.
async fn change<F>(db: &Db, id: &SubscriptionId, f: F) -> Result<Subscription, ServiceError>
where
    F: FnOnce(&Connection, &Subscription) -> Result<(), ServiceError> + Send + 'static,
{
    let sid = id.clone();
    let id = id.to_owned();
    db.write(move |conn| {
        let sub =
            sql::get(conn, &sid)?.ok_or_else(|| ServiceError::not_found("subscription", &id))?;
        f(conn, &sub)?;
        sql::get(conn, &sid)?.ok_or_else(|| ServiceError::not_found("subscription", &id))
    })
    .await
}

fn conflict(sub: &Subscription, what: &str) -> ServiceError {
    ServiceError::Conflict(format!(
        "subscription `{}` is {} and cannot be {what}",
        sub.subscription_id, sub.status
    ))
}

/// Whether the subscription has ended (its end date passed), whatever its status says yet.
fn has_ended(sub: &Subscription, today: NaiveDate) -> bool {
    sub.status == SubscriptionStatus::Cancelled || sub.end_date.is_some_and(|e| e < today)
}

pub async fn suspend(
    db: &Db,
    clock: &Clock,
    id: &SubscriptionId,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    change(db, id, move |conn, sub| {
        if sub.status != SubscriptionStatus::Active || has_ended(sub, today) {
            return Err(conflict(sub, "suspended; only an Active subscription can"));
        }
        sql::set_status(
            conn,
            &sub.subscription_id,
            SubscriptionStatus::Suspended,
            Some(SuspendedBy::Operator),
            &now,
        )?;
        Ok(())
    })
    .await
}

pub async fn resume(
    db: &Db,
    clock: &Clock,
    id: &SubscriptionId,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    change(db, id, move |conn, sub| {
        if sub.status != SubscriptionStatus::Suspended || has_ended(sub, today) {
            return Err(conflict(sub, "resumed; only a Suspended subscription can"));
        }
        if sub.suspended_by == Some(SuspendedBy::Customer) {
            return Err(ServiceError::Conflict(format!(
                "subscription `{}` is suspended because customer `{}` is Suspended; set the \
                 customer Active to resume it",
                sub.subscription_id, sub.customer_id
            )));
        }
        sql::set_status(
            conn,
            &sub.subscription_id,
            SubscriptionStatus::Active,
            None,
            &now,
        )?;
        Ok(())
    })
    .await
}

pub async fn cancel(
    db: &Db,
    clock: &Clock,
    id: &SubscriptionId,
    when: CancelWhen,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    let end_of_period = Period::containing(today).last_day();
    change(db, id, move |conn, sub| {
        if has_ended(sub, today) {
            return Err(conflict(sub, "cancelled again"));
        }
        let sid = &sub.subscription_id;
        let last = match when {
            CancelWhen::Now => today,
            CancelWhen::EndOfPeriod => end_of_period,
        };
        if let Some(end) = sub.end_date
            && end <= last
        {
            return Err(ServiceError::Conflict(format!(
                "subscription `{sid}` already ends on {end}"
            )));
        }
        if last < sub.start_date {
            // It never runs: cancelled at once, without an end date.
            sql::set_end(conn, sid, SubscriptionStatus::Cancelled, None, &now)?;
        } else if when == CancelWhen::Now {
            sql::set_end(conn, sid, SubscriptionStatus::Cancelled, Some(last), &now)?;
        } else {
            sql::set_end(conn, sid, sub.status, Some(last), &now)?;
        }
        Ok(())
    })
    .await
}

/// What a change of a customer's status does to its subscriptions, in the same transaction:
/// becoming `Suspended` suspends its `Active` ones on its behalf; becoming `Active` again
/// resumes exactly those.
pub fn apply_customer_status(
    conn: &Connection,
    customer: &CustomerId,
    from: CustomerStatus,
    to: CustomerStatus,
    now: &str,
) -> rusqlite::Result<()> {
    if from == to {
        return Ok(());
    }
    match to {
        CustomerStatus::Suspended => {
            sql::suspend_for_customer(conn, customer, now)?;
        }
        CustomerStatus::Active => {
            sql::resume_for_customer(conn, customer, now)?;
        }
        CustomerStatus::Inactive | CustomerStatus::Terminated => {}
    }
    Ok(())
}

/// Ends the customer relationship: every subscription is cancelled as of today (days already
/// charged after today are credited on the next invoice) and the customer is `Terminated`.
pub async fn terminate(db: &Db, clock: &Clock, id: &CustomerId) -> Result<Customer, ServiceError> {
    let cid = id.clone();
    let (today, now) = (clock.today(), clock.timestamp());
    let id = id.to_owned();
    db.write(move |conn| {
        let customer =
            customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        if customer.status == CustomerStatus::Terminated {
            return Err(ServiceError::Conflict(format!(
                "customer `{id}` is already terminated"
            )));
        }
        sql::cancel_for_customer(conn, &cid, today, &now)?;
        customers::set_status(conn, &cid, CustomerStatus::Terminated, &now)?;
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))
    })
    .await
}

/// Starts subscriptions whose start date has come and ends those whose end date has passed.
/// Idempotent: a second call the same day changes nothing. Returns (started, ended).
pub fn apply_due(
    conn: &Connection,
    today: NaiveDate,
    now: &str,
) -> rusqlite::Result<(usize, usize)> {
    let started = sql::activate_due(conn, today, now)?;
    let ended = sql::end_due(conn, today, now)?;
    Ok((started, ended))
}
