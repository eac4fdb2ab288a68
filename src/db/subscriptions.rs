//! SQL for `subscriptions` and `subscription_addons`.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::enums::SubscriptionStatus;
use crate::domain::ids::{CustomerId, ProductId, SubscriptionId};
use crate::domain::money::Currency;
use crate::domain::subscription::{Subscription, SubscriptionAddon};

const COLUMNS: &str = "id, customer_id, product_id, product_name, status, start_date, end_date, \
    monthly_charge, currency";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    let currency: Currency = row.get(8)?;
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
    })
}

fn load_addons(conn: &Connection, sub: &mut Subscription) -> rusqlite::Result<()> {
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

/// Sets a subscription's status (and end date, for a cancellation); `false` when it does not exist.
pub fn set_status(
    conn: &Connection,
    id: &SubscriptionId,
    status: SubscriptionStatus,
    end_date: Option<NaiveDate>,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE subscriptions SET status = ?2, end_date = COALESCE(?3, end_date), \
             updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id, status, end_date, now])?;
    Ok(n == 1)
}

/// Ids of a customer's subscriptions that are not cancelled yet.
pub fn open_ids_for_customer(
    conn: &Connection,
    customer: &CustomerId,
) -> rusqlite::Result<Vec<(SubscriptionId, NaiveDate)>> {
    conn.prepare_cached(
        "SELECT id, start_date FROM subscriptions WHERE customer_id = ?1 AND status <> 'Cancelled'",
    )?
    .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}
