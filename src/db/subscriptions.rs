//! SQL for `subscriptions` and `subscription_addons`.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::enums::{SubscriptionStatus, SuspendedBy};
use crate::domain::ids::{CustomerId, ProductId, SubscriptionId};
use crate::domain::money::Currency;
use crate::domain::plan::ScheduledPlan;
use crate::domain::subscription::{ScheduledCharge, Subscription, SubscriptionAddon};

pub(crate) const COLUMNS: &str = "id, customer_id, product_id, product_name, status, start_date, \
    end_date, monthly_charge, currency, suspended_by, plan_start, scheduled_plan, next_charge, \
    next_charge_from";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    let currency: Currency = row.get(8)?;
    let scheduled: Option<String> = row.get(11)?;
    let scheduled_plan_change = scheduled
        .map(|s| serde_json::from_str::<ScheduledPlan>(&s))
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e))
        })?;
    let next: Option<i64> = row.get(12)?;
    let next_from: Option<NaiveDate> = row.get(13)?;
    Ok(Subscription {
        subscription_id: row.get(0)?,
        customer_id: row.get(1)?,
        product_id: row.get(2)?,
        product_name: row.get(3)?,
        status: row.get(4)?,
        start_date: row.get(5)?,
        end_date: row.get(6)?,
        monthly_charge: currency.from_minor(row.get(7)?),
        currency,
        addons: Vec::new(),
        suspended_by: row.get(9)?,
        plan_start_date: row.get(10)?,
        scheduled_plan_change,
        scheduled_charge: match (next, next_from) {
            (Some(n), Some(from)) => Some(ScheduledCharge {
                monthly_charge: currency.from_minor(n),
                effective_date: from,
            }),
            _ => None,
        },
    })
}

pub(crate) fn load_addons(conn: &Connection, sub: &mut Subscription) -> rusqlite::Result<()> {
    let currency = sub.currency;
    sub.addons = conn
        .prepare_cached(
            "SELECT addon_id, addon_name, charge FROM subscription_addons \
             WHERE subscription_id = ?1 ORDER BY position",
        )?
        .query_map([&sub.subscription_id], |r| {
            Ok(SubscriptionAddon {
                addon_id: r.get(0)?,
                addon_name: r.get(1)?,
                charge: currency.from_minor(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(())
}

pub fn get(conn: &Connection, id: &SubscriptionId) -> rusqlite::Result<Option<Subscription>> {
    let sub = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE id = ?1"
        ))?
        .query_row([id], from_row)
        .optional()?;
    sub.map(|mut s| load_addons(conn, &mut s).map(|()| s))
        .transpose()
}

/// A customer's subscriptions in the order they were made.
pub fn list_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    status: Option<SubscriptionStatus>,
) -> rusqlite::Result<Vec<Subscription>> {
    let mut subs = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM subscriptions \
             WHERE customer_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq"
        ))?
        .query_map(params![customer, status], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for s in &mut subs {
        load_addons(conn, s)?;
    }
    Ok(subs)
}

/// What a new subscription stores: the catalog's name and charges copied at this moment.
#[derive(Debug, Clone)]
pub struct NewSubscriptionRow {
    pub customer_id: CustomerId,
    pub product_id: ProductId,
    pub product_name: String,
    pub status: SubscriptionStatus,
    pub start_date: NaiveDate,
    pub monthly_charge_minor: i64,
    pub currency: Currency,
    /// (add-on id, name, charge in minor units)
    pub addons: Vec<(ProductId, String, i64)>,
}

pub fn insert(
    conn: &Connection,
    row: &NewSubscriptionRow,
    now: &str,
) -> rusqlite::Result<SubscriptionId> {
    let id = SubscriptionId::generate();
    conn.prepare_cached(
        "INSERT INTO subscriptions (id, customer_id, product_id, product_name, status, start_date, \
         monthly_charge, currency, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        row.customer_id,
        row.product_id,
        row.product_name,
        row.status,
        row.start_date,
        row.monthly_charge_minor,
        row.currency,
        now
    ])?;
    let mut add = conn.prepare_cached(
        "INSERT INTO subscription_addons (subscription_id, position, addon_id, addon_name, charge) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (pos, (addon_id, name, charge)) in row.addons.iter().enumerate() {
        add.execute(params![id, pos as i64, addon_id, name, charge])?;
    }
    Ok(id)
}

/// Sets a subscription's status (and who suspended it); `false` when there is no such one.
pub fn set_status(
    conn: &Connection,
    id: &SubscriptionId,
    status: SubscriptionStatus,
    suspended_by: Option<SuspendedBy>,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE subscriptions SET status = ?2, suspended_by = ?3, updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id, status, suspended_by, now])?;
    Ok(n > 0)
}

/// Sets the last day of a subscription, and its status: `Cancelled` now, or unchanged until the
/// lifecycle job ends it after that day.
pub fn set_end(
    conn: &Connection,
    id: &SubscriptionId,
    status: SubscriptionStatus,
    end_date: Option<NaiveDate>,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE subscriptions SET status = ?2, end_date = ?3, updated_at = ?4, \
             suspended_by = CASE WHEN ?2 = 'Suspended' THEN suspended_by END WHERE id = ?1",
        )?
        .execute(params![id, status, end_date, now])?;
    Ok(n > 0)
}

/// The ids an `UPDATE … RETURNING id` statement changed, in id order.
fn changed_ids(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    let mut ids = conn
        .prepare_cached(sql)?
        .query_map(params, |r| r.get::<_, SubscriptionId>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.sort();
    Ok(ids)
}

/// Suspends a customer's active subscriptions on its behalf; returns which.
pub fn suspend_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    now: &str,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    changed_ids(
        conn,
        "UPDATE subscriptions SET status = 'Suspended', suspended_by = 'Customer', updated_at = ?2 \
         WHERE customer_id = ?1 AND status = 'Active' RETURNING id",
        params![customer, now],
    )
}

/// Resumes exactly the subscriptions the customer's suspension suspended; returns which.
pub fn resume_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    now: &str,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    changed_ids(
        conn,
        "UPDATE subscriptions SET status = 'Active', suspended_by = NULL, updated_at = ?2 \
         WHERE customer_id = ?1 AND status = 'Suspended' AND suspended_by = 'Customer' \
         RETURNING id",
        params![customer, now],
    )
}

/// Cancels all of a customer's subscriptions as of `today`: started ones end today (or on an
/// earlier end date already set), ones not started yet end without having run.
pub fn cancel_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    today: NaiveDate,
    now: &str,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    let mut started = changed_ids(
        conn,
        "UPDATE subscriptions SET status = 'Cancelled', suspended_by = NULL, \
         end_date = MIN(COALESCE(end_date, ?2), ?2), updated_at = ?3 \
         WHERE customer_id = ?1 AND status <> 'Cancelled' AND start_date <= ?2 RETURNING id",
        params![customer, today, now],
    )?;
    let not_started = changed_ids(
        conn,
        "UPDATE subscriptions SET status = 'Cancelled', suspended_by = NULL, end_date = NULL, \
         updated_at = ?3 WHERE customer_id = ?1 AND status <> 'Cancelled' AND start_date > ?2 \
         RETURNING id",
        params![customer, today, now],
    )?;
    started.extend(not_started);
    started.sort();
    Ok(started)
}

/// Starts `Pending` subscriptions whose start date has come: `Active`, or `Suspended` on the
/// customer's behalf when the customer is suspended. Returns which.
pub fn activate_due(
    conn: &Connection,
    today: NaiveDate,
    now: &str,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    changed_ids(
        conn,
        "UPDATE subscriptions SET \
           status = CASE WHEN c.status = 'Suspended' THEN 'Suspended' ELSE 'Active' END, \
           suspended_by = CASE WHEN c.status = 'Suspended' THEN 'Customer' END, \
           updated_at = ?2 \
         FROM customers AS c \
         WHERE c.id = subscriptions.customer_id \
           AND subscriptions.status = 'Pending' AND subscriptions.start_date <= ?1 \
         RETURNING subscriptions.id",
        params![today, now],
    )
}

/// Cancels subscriptions whose end date has passed; returns which.
pub fn end_due(
    conn: &Connection,
    today: NaiveDate,
    now: &str,
) -> rusqlite::Result<Vec<SubscriptionId>> {
    changed_ids(
        conn,
        "UPDATE subscriptions SET status = 'Cancelled', suspended_by = NULL, updated_at = ?2 \
         WHERE end_date IS NOT NULL AND status <> 'Cancelled' AND end_date < ?1 RETURNING id",
        params![today, now],
    )
}

/// Moves a subscription's (or, with `addon`, an add-on's) `charged_through` from `expected` to
/// `to`, if it still is `expected`; whether it moved.
pub fn move_charged_through(
    conn: &Connection,
    subscription: &SubscriptionId,
    addon: Option<&ProductId>,
    expected: NaiveDate,
    to: Option<NaiveDate>,
) -> rusqlite::Result<bool> {
    let n = match addon {
        None => conn
            .prepare_cached(
                "UPDATE subscriptions SET charged_through = ?3 \
                 WHERE id = ?1 AND charged_through = ?2",
            )?
            .execute(params![subscription, expected, to])?,
        Some(addon) => conn
            .prepare_cached(
                "UPDATE subscription_addons SET charged_through = ?4 \
                 WHERE subscription_id = ?1 AND addon_id = ?2 AND charged_through = ?3",
            )?
            .execute(params![subscription, addon, expected, to])?,
    };
    Ok(n > 0)
}
