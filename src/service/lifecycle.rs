//! Subscription lifecycle: suspend, resume, cancel; what a customer's status does to its
//! subscriptions; terminating a customer; and the daily start and end of subscriptions. The
//! billing consequences (no charge while suspended on the bill day, credits for days charged
//! after an end date) follow from the dates set here; see the README's "Billing" section.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Deserialize;

use crate::db::Db;
use crate::db::subscriptions as sql;
use crate::domain::clock::Clock;
use crate::domain::enums::{CustomerStatus, SubscriptionStatus, SuspendedBy};
use crate::domain::event::EventType;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::subscription::Subscription;

use crate::error::ServiceError;

pub use super::termination::{
    Terminated, TerminationPreview, final_terms, preview_termination, terminate,
};

use crate::db::record::Recorder;

/// When a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelWhen {
    /// Today is the last day (charged); days already charged after it are credited.
    Now,
    /// The last day of the current month; the subscription runs until then.
    EndOfPeriod,
}

/// Runs `f` on the subscription `id` in one write job and returns the subscription as stored;
/// records the change as `action`, with `event` when `f` says the change has one.
async fn change<F>(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &SubscriptionId,
    action: &'static str,
    f: F,
) -> Result<Subscription, ServiceError>
where
    F: FnOnce(&Connection, &Subscription) -> Result<Option<EventType>, ServiceError>
        + Send
        + 'static,
{
    let sid = id.clone();
    let id = id.to_owned();
    let (origin, now) = (origin.clone(), clock.timestamp());
    db.write(move |conn| {
        let sub =
            sql::get(conn, &sid)?.ok_or_else(|| ServiceError::not_found("subscription", &id))?;
        let event = f(conn, &sub)?;
        let after =
            sql::get(conn, &sid)?.ok_or_else(|| ServiceError::not_found("subscription", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        if let Some(event) = event {
            rec.event(event, &after)?;
        }
        rec.audit(
            action,
            ("subscription", sid.as_str()),
            Some(&sub),
            Some(&after),
        )?;
        rec.answer(&after)?;
        Ok(after)
    })
    .await
}

/// Emits `event` for each of `ids` (subscriptions a customer's change moved) and audits it.
pub(super) fn record_subscriptions(
    conn: &Connection,
    rec: &Recorder<'_>,
    ids: &[SubscriptionId],
    event: EventType,
    before: &[Subscription],
) -> Result<(), ServiceError> {
    for id in ids {
        let Some(after) = sql::get(conn, id)? else {
            continue;
        };
        let old = before.iter().find(|b| b.subscription_id == *id);
        rec.change(event, ("subscription", id.as_str()), old, &after)?;
    }
    Ok(())
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
    origin: &Origin,
    id: &SubscriptionId,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    let action = EventType::SubscriptionSuspended.as_str();
    change(db, clock, origin, id, action, move |conn, sub| {
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
        Ok(Some(EventType::SubscriptionSuspended))
    })
    .await
}

pub async fn resume(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &SubscriptionId,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    let action = EventType::SubscriptionResumed.as_str();
    change(db, clock, origin, id, action, move |conn, sub| {
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
        Ok(Some(EventType::SubscriptionResumed))
    })
    .await
}

pub async fn cancel(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &SubscriptionId,
    when: CancelWhen,
) -> Result<Subscription, ServiceError> {
    let (today, now) = (clock.today(), clock.timestamp());
    let end_of_period = Period::containing(today).last_day();
    let action = match when {
        CancelWhen::Now => EventType::SubscriptionCancelled.as_str(),
        // It ends later: `subscription.cancelled` is emitted when the end date has passed.
        CancelWhen::EndOfPeriod => "subscription.cancellation_scheduled",
    };
    change(db, clock, origin, id, action, move |conn, sub| {
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
            Ok(Some(EventType::SubscriptionCancelled))
        } else if when == CancelWhen::Now {
            sql::set_end(conn, sid, SubscriptionStatus::Cancelled, Some(last), &now)?;
            Ok(Some(EventType::SubscriptionCancelled))
        } else {
            sql::set_end(conn, sid, sub.status, Some(last), &now)?;
            Ok(None)
        }
    })
    .await
}

/// What a change of a customer's status does to its subscriptions, in the same transaction:
/// becoming `Suspended` suspends its `Active` ones on its behalf; becoming `Active` again
/// resumes exactly those. Each subscription moved is recorded.
pub fn apply_customer_status(
    conn: &Connection,
    rec: &Recorder<'_>,
    customer: &CustomerId,
    from: CustomerStatus,
    to: CustomerStatus,
    now: &str,
) -> Result<(), ServiceError> {
    if from == to {
        return Ok(());
    }
    let before = sql::list_for_customer(conn, customer, None)?;
    match to {
        CustomerStatus::Suspended => {
            let ids = sql::suspend_for_customer(conn, customer, now)?;
            record_subscriptions(conn, rec, &ids, EventType::SubscriptionSuspended, &before)?;
        }
        CustomerStatus::Active => {
            let ids = sql::resume_for_customer(conn, customer, now)?;
            record_subscriptions(conn, rec, &ids, EventType::SubscriptionResumed, &before)?;
        }
        CustomerStatus::Inactive | CustomerStatus::Terminated => {}
    }
    Ok(())
}

/// Starts subscriptions whose start date has come and ends those whose end date has passed.
/// Idempotent: a second call the same day changes nothing. Returns (started, ended).
pub fn apply_due(
    conn: &Connection,
    rec: &Recorder<'_>,
    today: NaiveDate,
    now: &str,
) -> Result<(usize, usize), ServiceError> {
    let started = sql::activate_due(conn, today, now)?;
    for id in &started {
        if let Some(sub) = sql::get(conn, id)? {
            // A subscription of a suspended customer starts suspended on its behalf.
            let event = match sub.status {
                SubscriptionStatus::Suspended => EventType::SubscriptionSuspended,
                _ => EventType::SubscriptionActivated,
            };
            rec.event(event, &sub)?;
            rec.audit_values(
                event.as_str(),
                ("subscription", id.as_str()),
                serde_json::json!({"status": {"before": "Pending", "after": sub.status}}),
            )?;
        }
    }
    let ended = sql::end_due(conn, today, now)?;
    let changed = super::plan_changes::apply_scheduled(conn, rec, today, now)?;
    let repriced = crate::db::plan_switch::settle_price_changes(conn, today)?;
    if changed + repriced > 0 {
        tracing::info!(
            plans_changed = changed,
            price_changes_settled = repriced,
            "scheduled plan and price changes made"
        );
    }
    for id in &ended {
        if let Some(sub) = sql::get(conn, id)? {
            rec.event(EventType::SubscriptionCancelled, &sub)?;
            rec.audit_values(
                EventType::SubscriptionCancelled.as_str(),
                ("subscription", id.as_str()),
                serde_json::json!({"status": {"before": null, "after": "Cancelled"}}),
            )?;
        }
    }
    Ok((started.len(), ended.len()))
}
