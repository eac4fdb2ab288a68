//! SQL for `subscription_usage_prices`: the usage prices a subscription has, one per metric,
//! copied from its product and add-ons, with a catalog change scheduled from a month on.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::sql_date::read_date;
use crate::domain::ids::SubscriptionId;
use crate::domain::usage::{Metric, UsagePrice};

fn json_error(i: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

/// A usage price a subscription has.
#[derive(Debug, Clone)]
pub struct SubscriptionPrice {
    pub metric: Metric,
    pub product_id: String,
    pub price: UsagePrice,
    pub next: Option<(NaiveDate, UsagePrice)>,
    /// Set once a plan change dropped the metric: usage up to that day is still taken.
    pub accepted_until: Option<NaiveDate>,
}

/// Every usage price of a subscription, by metric.
pub fn prices_of(
    conn: &Connection,
    subscription: &str,
) -> rusqlite::Result<Vec<SubscriptionPrice>> {
    conn.prepare_cached(
        "SELECT metric, product_id, price, next_price, next_from, accepted_until \
         FROM subscription_usage_prices WHERE subscription_id = ?1 ORDER BY metric",
    )?
    .query_map([subscription], |r| {
        let price: String = r.get(2)?;
        let next: Option<String> = r.get(3)?;
        let next = match (next, read_date(r, 4)?) {
            (Some(p), Some(from)) => Some((
                from,
                UsagePrice::from_stored(&p).map_err(|e| json_error(3, e))?,
            )),
            _ => None,
        };
        Ok(SubscriptionPrice {
            metric: Metric::from_stored(r.get::<_, String>(0)?),
            product_id: r.get(1)?,
            price: UsagePrice::from_stored(&price).map_err(|e| json_error(2, e))?,
            next,
            accepted_until: read_date(r, 5)?,
        })
    })?
    .collect()
}

/// Gives a subscription a usage price (from its product or an add-on), replacing one it had for
/// the metric.
pub fn set_price(
    conn: &Connection,
    subscription: &SubscriptionId,
    product_id: &str,
    price: &UsagePrice,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO subscription_usage_prices (subscription_id, metric, product_id, price) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (subscription_id, metric) DO UPDATE SET product_id = excluded.product_id, \
         price = excluded.price, next_price = NULL, next_from = NULL, accepted_until = NULL",
    )?
    .execute(params![
        subscription,
        price.metric,
        product_id,
        price.to_stored()
    ])?;
    Ok(())
}

/// After a plan change: the metrics no longer priced take usage up to `until` only.
pub fn retire_prices(
    conn: &Connection,
    subscription: &SubscriptionId,
    keep: &[&str],
    until: NaiveDate,
) -> rusqlite::Result<()> {
    let keep = serde_json::to_string(keep).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "UPDATE subscription_usage_prices SET accepted_until = ?3 \
         WHERE subscription_id = ?1 AND accepted_until IS NULL \
           AND metric NOT IN (SELECT value FROM json_each(?2))",
    )?
    .execute(params![subscription, keep, until])?;
    Ok(())
}

/// A catalog change of a product's usage price, for every subscription priced by it: from
/// `from` (the first day of a month) on. A change whose day has come is made the current price
/// first.
pub fn schedule_price(
    conn: &Connection,
    product_id: &str,
    price: &UsagePrice,
    from: NaiveDate,
    today: NaiveDate,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE subscription_usage_prices SET price = next_price \
         WHERE product_id = ?1 AND next_price IS NOT NULL AND next_from <= ?2",
    )?
    .execute(params![product_id, today])?;
    conn.prepare_cached(
        "UPDATE subscription_usage_prices SET next_price = ?3, next_from = ?4 \
         WHERE product_id = ?1 AND metric = ?2 AND accepted_until IS NULL",
    )?
    .execute(params![product_id, price.metric, price.to_stored(), from])
}
