//! SQL for what plan changes and catalog price changes do to `subscriptions` and
//! `subscription_addons`: the new plan in place, add-ons kept, dropped or added, a change
//! scheduled for the next period, and a new price from a month on.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::domain::ids::SubscriptionId;
use crate::domain::plan::ScheduledPlan;

/// The subscription's new plan. `plan_start`: the change's first day when the subscription had
/// begun (its billing state then starts afresh); `None` when it had not (the plan is replaced in
/// place).
pub fn set_plan(
    conn: &Connection,
    id: &SubscriptionId,
    product_id: &str,
    product_name: &str,
    monthly: i64,
    plan_start: Option<NaiveDate>,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE subscriptions SET product_id = ?2, product_name = ?3, monthly_charge = ?4, \
         next_charge = NULL, next_charge_from = NULL, scheduled_plan = NULL, updated_at = ?6, \
         plan_start = COALESCE(?5, plan_start), \
         billed_through = CASE WHEN ?5 IS NULL THEN billed_through END, \
         charged_through = CASE WHEN ?5 IS NULL THEN charged_through END \
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        product_id,
        product_name,
        monthly,
        plan_start,
        now
    ])?;
    Ok(())
}

/// Drops the add-ons not in `keep`; the kept ones that began with the old plan are pinned to
/// the day they began (`since`), when there is one.
pub fn keep_addons(
    conn: &Connection,
    id: &SubscriptionId,
    keep: &[String],
    since: Option<NaiveDate>,
) -> rusqlite::Result<()> {
    let keep = serde_json::to_string(keep).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "DELETE FROM subscription_addons WHERE subscription_id = ?1 \
         AND addon_id NOT IN (SELECT value FROM json_each(?2))",
    )?
    .execute(params![id, keep])?;
    if let Some(since) = since {
        conn.prepare_cached(
            "UPDATE subscription_addons SET start_date = ?2 \
             WHERE subscription_id = ?1 AND start_date IS NULL",
        )?
        .execute(params![id, since])?;
    }
    Ok(())
}

/// Adds add-ons (id, name, charge) after the ones it has, starting on `start` (`None`: with
/// the plan).
pub fn add_addons(
    conn: &Connection,
    id: &SubscriptionId,
    addons: &[(String, String, i64)],
    start: Option<NaiveDate>,
) -> rusqlite::Result<()> {
    let next: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM subscription_addons \
             WHERE subscription_id = ?1",
        )?
        .query_row([id], |r| r.get(0))?;
    let mut add = conn.prepare_cached(
        "INSERT INTO subscription_addons (subscription_id, position, addon_id, addon_name, \
         charge, start_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, (addon, name, charge)) in addons.iter().enumerate() {
        add.execute(params![id, next + i as i64, addon, name, charge, start])?;
    }
    Ok(())
}

/// Sets (or clears) the plan change waiting for the next period.
pub fn set_scheduled(
    conn: &Connection,
    id: &SubscriptionId,
    plan: Option<&ScheduledPlan>,
    now: &str,
) -> rusqlite::Result<()> {
    let json = plan
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "UPDATE subscriptions SET scheduled_plan = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, json, now])?;
    Ok(())
}

/// Plan changes whose day has come, of subscriptions still running.
pub fn due_scheduled(
    conn: &Connection,
    today: NaiveDate,
) -> rusqlite::Result<Vec<(SubscriptionId, ScheduledPlan)>> {
    let rows: Vec<(SubscriptionId, String)> = conn
        .prepare_cached(
            "SELECT id, scheduled_plan FROM subscriptions INDEXED BY subscriptions_scheduled_plan \
             WHERE scheduled_plan IS NOT NULL AND status <> 'Cancelled' ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut due = Vec::new();
    for (id, json) in rows {
        let plan: ScheduledPlan = serde_json::from_str(&json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?;
        if plan.effective_date <= today {
            due.push((id, plan));
        }
    }
    Ok(due)
}

/// A catalog price change of `product_id`: every running subscription of it (and every add-on
/// of it) is charged `price` from `from`, the first day of a month. A change whose day has
/// come is made the current charge first. Returns how many subscriptions and add-ons it reached.
pub fn schedule_charge(
    conn: &Connection,
    product_id: &str,
    price: i64,
    from: NaiveDate,
    today: NaiveDate,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE subscriptions SET monthly_charge = next_charge, next_charge = NULL, \
         next_charge_from = NULL WHERE product_id = ?1 AND next_charge_from <= ?2",
    )?
    .execute(params![product_id, today])?;
    conn.prepare_cached(
        "UPDATE subscription_addons SET charge = next_charge, next_charge = NULL, \
         next_charge_from = NULL WHERE addon_id = ?1 AND next_charge_from <= ?2",
    )?
    .execute(params![product_id, today])?;
    let subs = conn
        .prepare_cached(
            "UPDATE subscriptions SET next_charge = ?2, next_charge_from = ?3 \
             WHERE product_id = ?1 AND status <> 'Cancelled'",
        )?
        .execute(params![product_id, price, from])?;
    let addons = conn
        .prepare_cached(
            "UPDATE subscription_addons SET next_charge = ?2, next_charge_from = ?3 \
             WHERE addon_id = ?1 AND subscription_id IN \
               (SELECT id FROM subscriptions WHERE status <> 'Cancelled')",
        )?
        .execute(params![product_id, price, from])?;
    Ok(subs + addons)
}

/// Makes price changes whose day has come the current charge, once every day before it is
/// billed (until then the bill run still needs the old charge for those days).
pub fn settle_price_changes(conn: &Connection, today: NaiveDate) -> rusqlite::Result<usize> {
    let subs = conn
        .prepare_cached(
            "UPDATE subscriptions SET monthly_charge = next_charge, next_charge = NULL, \
             next_charge_from = NULL \
             WHERE next_charge_from <= ?1 \
               AND (billed_through >= date(next_charge_from, '-1 day') \
                    OR COALESCE(plan_start, start_date) >= next_charge_from)",
        )?
        .execute([today])?;
    let addons = conn
        .prepare_cached(
            "UPDATE subscription_addons SET charge = next_charge, next_charge = NULL, \
             next_charge_from = NULL \
             WHERE next_charge_from <= ?1 AND billed_through >= date(next_charge_from, '-1 day')",
        )?
        .execute([today])?;
    Ok(subs + addons)
}
