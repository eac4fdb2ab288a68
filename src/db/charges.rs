//! SQL for `charges` (one-off charges) and `discounts`.

use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

use super::sql_date::read_date;
use crate::domain::billing_rows::{ChargeRow, DiscountRow};
use crate::domain::charge::{Charge, Discount, DiscountOff};
use crate::domain::enums::DiscountStatus;
use crate::domain::ids::{ChargeId, CustomerId, DiscountId, InvoiceId, SubscriptionId};
use crate::domain::money::Currency;

const CHARGE_COLUMNS: &str =
    "id, customer_id, description, amount, currency, charge_date, status, invoice_id, created_at";

fn charge_from_row(r: &Row<'_>) -> rusqlite::Result<Charge> {
    let currency: Currency = r.get(4)?;
    Ok(Charge {
        charge_id: r.get(0)?,
        customer_id: r.get(1)?,
        description: r.get(2)?,
        amount: currency.from_minor(r.get(3)?),
        currency,
        charge_date: r.get(5)?,
        status: r.get(6)?,
        invoice_id: r.get(7)?,
        created_at: r.get(8)?,
    })
}

/// A new charge; the amount in minor units.
pub struct NewCharge<'a> {
    pub customer_id: &'a CustomerId,
    pub description: &'a str,
    pub amount: i64,
    pub currency: Currency,
    pub date: chrono::NaiveDate,
}

pub fn insert_charge(
    conn: &Connection,
    c: &NewCharge<'_>,
    now: &str,
) -> rusqlite::Result<ChargeId> {
    let id = ChargeId::generate();
    conn.prepare_cached(
        "INSERT INTO charges (id, customer_id, description, amount, currency, charge_date, \
         status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Pending', ?7, ?7)",
    )?
    .execute(params![
        id,
        c.customer_id,
        c.description,
        c.amount,
        c.currency,
        c.date,
        now
    ])?;
    Ok(id)
}

pub fn get_charge(
    conn: &Connection,
    customer: &CustomerId,
    id: &ChargeId,
) -> rusqlite::Result<Option<Charge>> {
    conn.prepare_cached(&format!(
        "SELECT {CHARGE_COLUMNS} FROM charges WHERE id = ?1 AND customer_id = ?2"
    ))?
    .query_row(params![id, customer], charge_from_row)
    .optional()
}

/// A customer's charges, newest first.
pub fn charges_of(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<Vec<Charge>> {
    conn.prepare_cached(&format!(
        "SELECT {CHARGE_COLUMNS} FROM charges WHERE customer_id = ?1 ORDER BY seq DESC"
    ))?
    .query_map([customer], charge_from_row)?
    .collect()
}

/// Cancels a pending charge; `false` when it is no longer pending.
pub fn cancel_charge(conn: &Connection, id: &ChargeId, now: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE charges SET status = 'Cancelled', updated_at = ?2 \
             WHERE id = ?1 AND status = 'Pending'",
        )?
        .execute(params![id, now])?;
    Ok(n == 1)
}

/// Marks a charge billed by an invoice.
pub fn bill_charge(
    conn: &Connection,
    id: &str,
    invoice: &InvoiceId,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE charges SET status = 'Billed', invoice_id = ?2, updated_at = ?3 \
         WHERE id = ?1 AND status = 'Pending'",
    )?
    .execute(params![id, invoice, now])?;
    Ok(())
}

fn pending_row(r: &Row<'_>) -> rusqlite::Result<ChargeRow> {
    Ok(ChargeRow {
        id: r.get(0)?,
        description: r.get(1)?,
        amount: r.get(2)?,
        currency: r.get(3)?,
        date: read_date(r, 4)?.unwrap_or_default(),
    })
}

/// Pending charges of the customers with ids in `(after, upto]`: (customer, charge).
pub fn pending_in(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<(String, ChargeRow)>> {
    conn.prepare_cached(
        "SELECT id, description, amount, currency, charge_date, customer_id FROM charges \
         INDEXED BY charges_pending \
         WHERE status = 'Pending' AND customer_id > ?1 AND customer_id <= ?2 ORDER BY seq",
    )?
    .query_map(params![after, upto], |r| Ok((r.get(5)?, pending_row(r)?)))?
    .collect()
}

pub fn pending_of(conn: &Connection, customer: &str) -> rusqlite::Result<Vec<ChargeRow>> {
    conn.prepare_cached(
        "SELECT id, description, amount, currency, charge_date FROM charges \
         INDEXED BY charges_pending WHERE status = 'Pending' AND customer_id = ?1 ORDER BY seq",
    )?
    .query_map([customer], pending_row)?
    .collect()
}

const DISCOUNT_COLUMNS: &str = "id, subscription_id, percent_off, amount_off, currency, months, \
    invoices_applied, description, status, created_at";

fn discount_from_row(r: &Row<'_>) -> rusqlite::Result<Discount> {
    let currency: Currency = r.get(4)?;
    let percent: Option<String> = r.get(2)?;
    let amount: Option<i64> = r.get(3)?;
    let months: Option<i64> = r.get(5)?;
    Ok(Discount {
        discount_id: r.get(0)?,
        subscription_id: r.get(1)?,
        percent_off: percent.and_then(|p| p.parse::<Decimal>().ok()),
        amount_off: amount.map(|a| currency.from_minor(a)),
        currency,
        months: months.map(|m| m as u32),
        invoices_applied: r.get::<_, i64>(6)? as u32,
        description: r.get(7)?,
        status: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// A new discount: a percentage (exact decimal text) or an amount in minor units.
pub struct NewDiscount<'a> {
    pub subscription_id: &'a SubscriptionId,
    pub customer_id: &'a CustomerId,
    pub off: DiscountOff,
    pub currency: Currency,
    pub months: Option<u32>,
    pub description: &'a str,
}

pub fn insert_discount(
    conn: &Connection,
    d: &NewDiscount<'_>,
    now: &str,
) -> rusqlite::Result<DiscountId> {
    let id = DiscountId::generate();
    let (percent, amount) = match d.off {
        DiscountOff::Percent(p) => (Some(p.normalize().to_string()), None),
        DiscountOff::Amount(a) => (None, Some(a)),
    };
    conn.prepare_cached(
        "INSERT INTO discounts (id, subscription_id, customer_id, percent_off, amount_off, \
         currency, months, description, status, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'Active', ?9, ?9)",
    )?
    .execute(params![
        id,
        d.subscription_id,
        d.customer_id,
        percent,
        amount,
        d.currency,
        d.months,
        d.description,
        now
    ])?;
    Ok(id)
}

pub fn get_discount(
    conn: &Connection,
    subscription: &SubscriptionId,
    id: &DiscountId,
) -> rusqlite::Result<Option<Discount>> {
    conn.prepare_cached(&format!(
        "SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE id = ?1 AND subscription_id = ?2"
    ))?
    .query_row(params![id, subscription], discount_from_row)
    .optional()
}

/// A subscription's discounts, in the order they were given.
pub fn discounts_of(
    conn: &Connection,
    subscription: &SubscriptionId,
) -> rusqlite::Result<Vec<Discount>> {
    conn.prepare_cached(&format!(
        "SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE subscription_id = ?1 ORDER BY seq"
    ))?
    .query_map([subscription], discount_from_row)?
    .collect()
}

pub fn set_discount_status(
    conn: &Connection,
    id: &DiscountId,
    status: DiscountStatus,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE discounts SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'Active'",
        )?
        .execute(params![id, status, now])?;
    Ok(n == 1)
}

/// Counts an invoice a discount reduced; `ended` when that used up its months.
pub fn use_discount(conn: &Connection, id: &str, ended: bool, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE discounts SET invoices_applied = invoices_applied + 1, \
         status = CASE WHEN ?2 THEN 'Ended' ELSE status END, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, ended, now])?;
    Ok(())
}

fn active_row(r: &Row<'_>) -> rusqlite::Result<DiscountRow> {
    let percent: Option<String> = r.get(2)?;
    let amount: Option<i64> = r.get(3)?;
    let off = match (percent.and_then(|p| p.parse::<Decimal>().ok()), amount) {
        (Some(p), _) => DiscountOff::Percent(p),
        (None, Some(a)) => DiscountOff::Amount(a),
        (None, None) => DiscountOff::Amount(0),
    };
    let months: Option<i64> = r.get(4)?;
    Ok(DiscountRow {
        id: r.get(0)?,
        subscription_id: r.get(1)?,
        off,
        months: months.map(|m| m as u32),
        applied: r.get::<_, i64>(5)? as u32,
        description: r.get(6)?,
    })
}

/// Active discounts of the customers with ids in `(after, upto]`: (customer, discount).
pub fn active_in(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<(String, DiscountRow)>> {
    conn.prepare_cached(
        "SELECT id, subscription_id, percent_off, amount_off, months, invoices_applied, \
         description, customer_id FROM discounts INDEXED BY discounts_active \
         WHERE status = 'Active' AND customer_id > ?1 AND customer_id <= ?2 ORDER BY seq",
    )?
    .query_map(params![after, upto], |r| Ok((r.get(7)?, active_row(r)?)))?
    .collect()
}

pub fn active_of(conn: &Connection, customer: &str) -> rusqlite::Result<Vec<DiscountRow>> {
    conn.prepare_cached(
        "SELECT id, subscription_id, percent_off, amount_off, months, invoices_applied, \
         description FROM discounts INDEXED BY discounts_active \
         WHERE status = 'Active' AND customer_id = ?1 ORDER BY seq",
    )?
    .query_map([customer], active_row)?
    .collect()
}
