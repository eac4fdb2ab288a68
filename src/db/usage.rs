//! SQL for usage: the usage prices a subscription has (`subscription_usage_prices`), the
//! records as received (`usage_records`) and their totals per subscription, month and metric
//! (`usage_totals`), which the bill run and the usage reports read.

use chrono::NaiveDate;
use rusqlite::{CachedStatement, Connection, OptionalExtension, params};

use super::sql_date::read_date;
pub use super::usage_prices::{
    SubscriptionPrice, prices_of, retire_prices, schedule_price, set_price,
};
use crate::domain::billing_rows::UsageRow;
use crate::domain::ids::SubscriptionId;
use crate::domain::period::Period;
use crate::domain::usage::{Quantity, UsagePrice};

fn json_error(i: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

/// Writes the records of one batch with statements prepared once.
pub struct UsageWriter<'c> {
    record: CachedStatement<'c>,
    total: CachedStatement<'c>,
}

/// One accepted record.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub record_id: &'a str,
    pub subscription_id: &'a str,
    pub metric: &'a str,
    pub quantity: Quantity,
    pub occurred_at: &'a str,
    pub period: Period,
}

/// Largest total a month of one metric may reach (millionths); past it a record is refused
/// rather than let SQLite turn the sum into a float.
const MAX_TOTAL: i64 = i64::MAX / 2;

impl<'c> UsageWriter<'c> {
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            record: conn.prepare_cached(
                "INSERT OR IGNORE INTO usage_records (record_id, subscription_id, metric, \
                 quantity, occurred_at, period, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            total: conn.prepare_cached(
                "INSERT INTO usage_totals (subscription_id, period, metric, customer_id, \
                 quantity, records) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (subscription_id, period, metric) DO UPDATE SET \
                   quantity = quantity + excluded.quantity, records = records + excluded.records \
                 WHERE quantity <= ?7 - excluded.quantity \
                 RETURNING quantity",
            )?,
        })
    }

    /// Stores a record; `false` when one with its id was stored before (a resend).
    pub fn record(&mut self, r: &NewRecord<'_>, now: &str) -> rusqlite::Result<bool> {
        let n = self.record.execute(params![
            r.record_id,
            r.subscription_id,
            r.metric,
            r.quantity.millionths(),
            r.occurred_at,
            r.period,
            now
        ])?;
        Ok(n == 1)
    }

    /// Adds `quantity` in `records` records to a month's total; `false` (nothing added) when
    /// the total would grow past what it can hold.
    pub fn add_total(
        &mut self,
        subscription: &str,
        period: Period,
        metric: &str,
        customer: &str,
        quantity: Quantity,
        records: i64,
    ) -> rusqlite::Result<bool> {
        let added: Option<i64> = self
            .total
            .query_row(
                params![
                    subscription,
                    period,
                    metric,
                    customer,
                    quantity.millionths(),
                    records,
                    MAX_TOTAL
                ],
                |r| r.get(0),
            )
            .optional()?;
        Ok(added.is_some())
    }
}

/// Removes records stored in this batch (their total could not take them).
pub fn forget_records(conn: &Connection, record_ids: &[&str]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM usage_records WHERE record_id = ?1")?;
    for id in record_ids {
        stmt.execute([id])?;
    }
    Ok(())
}

/// A month's usage of one metric: (metric, quantity, records, billed quantity).
pub type MonthTotal = (String, Quantity, i64, Quantity);

/// A subscription's usage in `period`, by metric.
pub fn month_totals(
    conn: &Connection,
    subscription: &SubscriptionId,
    period: Period,
) -> rusqlite::Result<Vec<MonthTotal>> {
    conn.prepare_cached(
        "SELECT metric, quantity, records, billed_quantity FROM usage_totals \
         WHERE subscription_id = ?1 AND period = ?2 ORDER BY metric",
    )?
    .query_map(params![subscription, period], |r| {
        Ok((
            r.get(0)?,
            Quantity::from_millionths(r.get(1)?),
            r.get(2)?,
            Quantity::from_millionths(r.get(3)?),
        ))
    })?
    .collect()
}

const UNBILLED: &str = "SELECT u.customer_id, u.subscription_id, u.period, u.quantity, \
    u.billed_quantity, p.price, p.next_price, p.next_from \
    FROM usage_totals AS u INDEXED BY usage_totals_unbilled \
    JOIN subscription_usage_prices AS p ON p.subscription_id = u.subscription_id \
     AND p.metric = u.metric";

/// Parses the stored prices of a row, remembering the last text parsed: the rows of a chunk
/// mostly share a few catalog prices.
#[derive(Default)]
struct PriceCache(Vec<(String, UsagePrice)>);

impl PriceCache {
    fn get(&mut self, text: String, idx: usize) -> rusqlite::Result<UsagePrice> {
        if let Some((_, p)) = self.0.iter().find(|(t, _)| *t == text) {
            return Ok(p.clone());
        }
        let p = UsagePrice::from_stored(&text).map_err(|e| json_error(idx, e))?;
        if self.0.len() >= 8 {
            self.0.remove(0);
        }
        self.0.push((text, p.clone()));
        Ok(p)
    }
}

fn unbilled_row(
    r: &rusqlite::Row<'_>,
    cache: &mut PriceCache,
) -> rusqlite::Result<(String, UsageRow)> {
    let next: Option<String> = r.get(6)?;
    let next_price = match (next, read_date(r, 7)?) {
        (Some(text), Some(from)) => Some((from, cache.get(text, 6)?)),
        _ => None,
    };
    Ok((
        r.get(0)?,
        UsageRow {
            subscription_id: r.get(1)?,
            period: r.get(2)?,
            quantity: Quantity::from_millionths(r.get(3)?),
            billed: Quantity::from_millionths(r.get(4)?),
            price: cache.get(r.get(5)?, 5)?,
            next_price,
        },
    ))
}

/// Usage not yet (fully) billed, of months up to `through`, of the customers with ids in
/// `(after, upto]`: (customer, row), by customer, subscription, month and metric.
pub fn unbilled_in(
    conn: &Connection,
    after: &str,
    upto: &str,
    through: Period,
) -> rusqlite::Result<Vec<(String, UsageRow)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{UNBILLED} WHERE u.quantity <> u.billed_quantity AND u.customer_id > ?1 \
         AND u.customer_id <= ?2 AND u.period <= ?3 \
         ORDER BY u.customer_id, u.subscription_id, u.period, u.metric"
    ))?;
    let mut rows = stmt.query(params![after, upto, through])?;
    let mut cache = PriceCache::default();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(unbilled_row(r, &mut cache)?);
    }
    Ok(out)
}

/// One customer's usage not yet billed, of months up to `through`.
pub fn unbilled_of(
    conn: &Connection,
    customer: &str,
    through: Period,
) -> rusqlite::Result<Vec<UsageRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{UNBILLED} WHERE u.quantity <> u.billed_quantity AND u.customer_id = ?1 \
         AND u.period <= ?2 ORDER BY u.subscription_id, u.period, u.metric"
    ))?;
    let mut rows = stmt.query(params![customer, through])?;
    let mut cache = PriceCache::default();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(unbilled_row(r, &mut cache)?.1);
    }
    Ok(out)
}

/// Usage billed by an invoice: batched like the subscriptions' billing state.
const BILLED_BATCH: usize = 64;

/// Records what invoices billed of each month's usage, [`BILLED_BATCH`] rows per statement.
pub struct BilledWriter<'c> {
    conn: &'c Connection,
    pending: Vec<(String, Period, String, i64)>,
}

impl<'c> BilledWriter<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            pending: Vec::new(),
        }
    }

    pub fn billed(
        &mut self,
        subscription: &str,
        period: Period,
        metric: &str,
        quantity: Quantity,
    ) -> rusqlite::Result<()> {
        self.pending.push((
            subscription.to_owned(),
            period,
            metric.to_owned(),
            quantity.millionths(),
        ));
        if self.pending.len() == BILLED_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> rusqlite::Result<()> {
        self.flush()
    }

    fn flush(&mut self) -> rusqlite::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let values = vec!["(?, ?, ?, ?)"; self.pending.len()].join(", ");
        let sql = format!(
            "UPDATE usage_totals SET billed_quantity = v.column4 FROM (VALUES {values}) AS v \
             WHERE usage_totals.subscription_id = v.column1 AND usage_totals.period = v.column2 \
               AND usage_totals.metric = v.column3"
        );
        // Only the full batch's statement is worth a place in the statement cache.
        if self.pending.len() == BILLED_BATCH {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            bind_billed(&mut stmt, &self.pending)?;
            stmt.raw_execute()?;
        } else {
            let mut stmt = self.conn.prepare(&sql)?;
            bind_billed(&mut stmt, &self.pending)?;
            stmt.raw_execute()?;
        }
        self.pending.clear();
        Ok(())
    }
}

fn bind_billed(
    stmt: &mut rusqlite::Statement<'_>,
    rows: &[(String, Period, String, i64)],
) -> rusqlite::Result<()> {
    for (i, (sub, period, metric, q)) in rows.iter().enumerate() {
        stmt.raw_bind_parameter(4 * i + 1, sub)?;
        stmt.raw_bind_parameter(4 * i + 2, period)?;
        stmt.raw_bind_parameter(4 * i + 3, metric)?;
        stmt.raw_bind_parameter(4 * i + 4, q)?;
    }
    Ok(())
}

/// What checking a record needs of its subscription: its customer, start and end dates, and
/// the metrics it is priced for (each with the last day usage of it is still taken, once a
/// plan change dropped it).
#[derive(Debug, Clone)]
pub struct UsageTarget {
    pub customer_id: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub metrics: Vec<(String, Option<NaiveDate>)>,
}

/// One statement per subscription, no price parsed: a batch names up to a thousand of them.
pub fn target(conn: &Connection, subscription: &str) -> rusqlite::Result<Option<UsageTarget>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.customer_id, s.start_date, s.end_date, p.metric, p.accepted_until \
         FROM subscriptions AS s \
         LEFT JOIN subscription_usage_prices AS p ON p.subscription_id = s.id \
         WHERE s.id = ?1",
    )?;
    let mut rows = stmt.query([subscription])?;
    let mut target: Option<UsageTarget> = None;
    while let Some(r) = rows.next()? {
        let t = match &mut target {
            Some(t) => t,
            None => target.insert(UsageTarget {
                customer_id: r.get(0)?,
                start: r.get(1)?,
                end: r.get(2)?,
                metrics: Vec::new(),
            }),
        };
        if let Some(metric) = r.get::<_, Option<String>>(3)? {
            t.metrics.push((metric, r.get(4)?));
        }
    }
    Ok(target)
}
