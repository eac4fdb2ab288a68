//! SQL for `subscription_plans`: the plans and add-ons a plan change replaced, their billing
//! state until settled, and a subscription's history.

use chrono::NaiveDate;
use rusqlite::{Connection, Row, params};

use super::sql_date::{SqlDate, read_date};
use crate::domain::billing_rows::PastPlanRow;
use crate::domain::ids::{ProductId, SubscriptionId};
use crate::domain::money::Currency;

/// A plan or add-on being replaced, as stored.
#[derive(Debug, Clone)]
pub struct NewPastPlan<'a> {
    pub subscription_id: &'a SubscriptionId,
    pub customer_id: &'a str,
    pub addon_id: Option<&'a str>,
    pub product_id: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub monthly: i64,
    pub next_charge: Option<(NaiveDate, i64)>,
    pub currency: Currency,
    pub start: NaiveDate,
    pub last_day: NaiveDate,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
    pub settled: bool,
}

pub fn insert(conn: &Connection, p: &NewPastPlan<'_>, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO subscription_plans (subscription_id, customer_id, addon_id, product_id, \
         name, label, monthly_charge, next_charge, next_charge_from, currency, start_date, \
         last_day, billed_through, charged_through, settled, replaced_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        p.subscription_id,
        p.customer_id,
        p.addon_id,
        p.product_id,
        p.name,
        p.label,
        p.monthly,
        p.next_charge.map(|n| n.1),
        p.next_charge.map(|n| n.0),
        p.currency,
        p.start,
        p.last_day,
        p.billed_through,
        p.charged_through,
        p.settled,
        now
    ])?;
    Ok(())
}

const COLUMNS: &str = "seq, subscription_id, addon_id, label, monthly_charge, next_charge, \
    next_charge_from, currency, start_date, last_day, billed_through, charged_through";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PastPlanRow> {
    let missing = |i: usize| {
        rusqlite::Error::InvalidColumnType(i, "date".into(), rusqlite::types::Type::Null)
    };
    let next: Option<i64> = r.get(5)?;
    Ok(PastPlanRow {
        seq: r.get(0)?,
        subscription_id: r.get(1)?,
        addon_id: r.get(2)?,
        label: r.get(3)?,
        monthly: r.get(4)?,
        next_charge: match (read_date(r, 6)?, next) {
            (Some(from), Some(n)) => Some((from, n)),
            _ => None,
        },
        currency: r.get(7)?,
        start: read_date(r, 8)?.ok_or_else(|| missing(8))?,
        last_day: read_date(r, 9)?.ok_or_else(|| missing(9))?,
        billed_through: read_date(r, 10)?,
        charged_through: read_date(r, 11)?,
    })
}

/// The replaced plans still to settle of the customers with ids in `(after, upto]`.
pub fn unsettled_in(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<(String, PastPlanRow)>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, customer_id FROM subscription_plans \
         INDEXED BY subscription_plans_unsettled \
         WHERE settled = 0 AND customer_id > ?1 AND customer_id <= ?2 ORDER BY seq"
    ))?
    .query_map(params![after, upto], |r| Ok((r.get(12)?, from_row(r)?)))?
    .collect()
}

/// One customer's replaced plans still to settle.
pub fn unsettled_of(conn: &Connection, customer: &str) -> rusqlite::Result<Vec<PastPlanRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM subscription_plans INDEXED BY subscription_plans_unsettled \
         WHERE settled = 0 AND customer_id = ?1 ORDER BY seq"
    ))?
    .query_map([customer], from_row)?
    .collect()
}

/// A replaced plan's new billing state after a run billed it.
pub fn set_state(
    conn: &Connection,
    seq: i64,
    billed_through: Option<SqlDate>,
    charged_through: Option<SqlDate>,
    settled: bool,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE subscription_plans SET billed_through = ?2, charged_through = ?3, settled = ?4 \
         WHERE seq = ?1",
    )?
    .execute(params![seq, billed_through, charged_through, settled])?;
    Ok(())
}

/// Moves a replaced plan's `charged_through` from `expected` to `to` (a cancelled invoice gives
/// back what it charged or credited); it is no longer settled.
pub fn move_charged_through(
    conn: &Connection,
    seq: i64,
    expected: NaiveDate,
    to: Option<NaiveDate>,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE subscription_plans SET charged_through = ?3, settled = 0 \
             WHERE seq = ?1 AND charged_through = ?2",
        )?
        .execute(params![seq, expected, to])?;
    Ok(n > 0)
}

/// A replaced main plan in a subscription's history: (product, name, monthly charge, currency,
/// first day, last day).
pub type HistoryRow = (ProductId, String, i64, Currency, NaiveDate, NaiveDate);

/// An add-on replaced by a plan change: (its last day, its name).
pub type ReplacedAddon = (NaiveDate, String);

/// A subscription's replaced main plans, oldest first, and the add-ons replaced with each (by
/// last day).
pub fn history(
    conn: &Connection,
    subscription: &SubscriptionId,
) -> rusqlite::Result<(Vec<HistoryRow>, Vec<ReplacedAddon>)> {
    let mut plans = Vec::new();
    let mut addons = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT addon_id, product_id, name, monthly_charge, currency, start_date, last_day \
         FROM subscription_plans WHERE subscription_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([subscription])?;
    while let Some(r) = rows.next()? {
        let addon: Option<String> = r.get(0)?;
        let (start, last): (NaiveDate, NaiveDate) = (r.get(5)?, r.get(6)?);
        match addon {
            None => plans.push((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, start, last)),
            Some(_) => addons.push((last, r.get(2)?)),
        }
    }
    Ok((plans, addons))
}
