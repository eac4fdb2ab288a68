//! SQL for the bill run's view of subscriptions: one ordered scan per chunk of customers, and the
//! billing state (`billed_through`, `charged_through`) of subscriptions and add-ons.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{CachedStatement, Connection, params};

use super::sql_date::{SqlDate, read_date};

use crate::domain::billing_rows::{AddonRow, CustomerRows, Extras, SubRow};
use crate::domain::period::Period;

/// The last customer id of the next chunk: the first `limit` customers with subscriptions whose
/// id sorts after `after` (`""` for the first chunk). `None` when none is left.
pub fn chunk_end(conn: &Connection, after: &str, limit: usize) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT MAX(customer_id) FROM (SELECT DISTINCT customer_id FROM subscriptions \
         WHERE customer_id > ?1 ORDER BY customer_id LIMIT ?2)",
    )?
    .query_row(params![after, limit as i64], |r| r.get(0))
}

const ROW_COLUMNS: &str = "s.seq, s.id, s.customer_id, s.product_name, s.status, s.start_date, \
    s.end_date, s.monthly_charge, s.currency, s.billed_through, s.charged_through, c.tax_exempt, \
    a.addon_id, a.addon_name, a.charge, a.billed_through, a.charged_through, s.plan_start, \
    s.next_charge, s.next_charge_from, a.start_date, a.next_charge, a.next_charge_from";

/// Every subscription, with its add-ons, of the customers with ids in `(after, upto]`, grouped
/// by customer in id order, subscriptions in the order they were made: one ordered scan.
pub fn chunk_rows(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<CustomerRows>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} \
         FROM subscriptions AS s INDEXED BY subscriptions_by_customer \
         JOIN customers AS c ON c.id = s.customer_id \
         LEFT JOIN subscription_addons AS a ON a.subscription_id = s.id \
         WHERE s.customer_id > ?1 AND s.customer_id <= ?2 \
         ORDER BY s.customer_id, s.seq, a.position"
    ))?;
    let rows = stmt.query(params![after, upto])?;
    collect_rows(rows)
}

/// One customer's subscriptions as the bill run reads them (for a final invoice or a preview);
/// `None` when it has none.
pub fn customer_rows(conn: &Connection, customer: &str) -> rusqlite::Result<Option<CustomerRows>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} \
         FROM subscriptions AS s INDEXED BY subscriptions_by_customer \
         JOIN customers AS c ON c.id = s.customer_id \
         LEFT JOIN subscription_addons AS a ON a.subscription_id = s.id \
         WHERE s.customer_id = ?1 \
         ORDER BY s.seq, a.position"
    ))?;
    let rows = stmt.query(params![customer])?;
    Ok(collect_rows(rows)?.pop())
}

fn next_charge(
    row: &rusqlite::Row<'_>,
    charge: usize,
    from: usize,
) -> rusqlite::Result<Option<(NaiveDate, i64)>> {
    let charge: Option<i64> = row.get(charge)?;
    Ok(match (read_date(row, from)?, charge) {
        (Some(from), Some(charge)) => Some((from, charge)),
        _ => None,
    })
}

fn collect_rows(mut rows: rusqlite::Rows<'_>) -> rusqlite::Result<Vec<CustomerRows>> {
    let mut out: Vec<CustomerRows> = Vec::new();
    while let Some(row) = rows.next()? {
        let customer_id = row.get_ref(2)?.as_str()?;
        if out.last().is_none_or(|c| c.customer_id != customer_id) {
            out.push(CustomerRows {
                customer_id: customer_id.to_owned(),
                tax_exempt: row.get(11)?,
                subs: Vec::new(),
                extras: Extras::default(),
            });
        }
        let Some(customer) = out.last_mut() else {
            continue;
        };
        let seq: i64 = row.get(0)?;
        if customer.subs.last().is_none_or(|s| s.seq != seq) {
            customer.subs.push(SubRow {
                seq,
                id: row.get(1)?,
                product_name: row.get(3)?,
                status: row.get(4)?,
                start: read_date(row, 5)?.ok_or(rusqlite::Error::InvalidColumnType(
                    5,
                    "start_date".into(),
                    rusqlite::types::Type::Null,
                ))?,
                end: read_date(row, 6)?,
                monthly: row.get(7)?,
                currency: row.get(8)?,
                billed_through: read_date(row, 9)?,
                charged_through: read_date(row, 10)?,
                addons: Vec::new(),
                plan_start: read_date(row, 17)?,
                next_charge: next_charge(row, 18, 19)?,
            });
        }
        let addon_id: Option<String> = row.get(12)?;
        if let (Some(addon_id), Some(sub)) = (addon_id, customer.subs.last_mut()) {
            sub.addons.push(AddonRow {
                addon_id,
                name: row.get(13)?,
                charge: row.get(14)?,
                billed_through: read_date(row, 15)?,
                charged_through: read_date(row, 16)?,
                start: read_date(row, 20)?,
                next_charge: next_charge(row, 21, 22)?,
            });
        }
    }
    Ok(out)
}

/// Which customers with ids in `(after, upto]` already have an invoice for `period`.
pub fn invoiced_customers(
    conn: &Connection,
    period: Period,
    after: &str,
    upto: &str,
) -> rusqlite::Result<HashSet<String>> {
    conn.prepare_cached(
        "SELECT customer_id FROM invoices INDEXED BY invoices_one_per_customer_period \
         WHERE period = ?1 AND customer_id > ?2 AND customer_id <= ?3",
    )?
    .query_map(params![period, after, upto], |r| r.get(0))?
    .collect()
}

/// Subscription states written by one statement: a run updates most subscriptions, and one
/// statement per row would cost more than the rows themselves.
const STATE_BATCH: usize = 128;

/// Writes new billing states with statements prepared once per chunk of a bill run;
/// subscriptions' states are buffered and written [`STATE_BATCH`] at a time. Call
/// [`StateWriter::finish`] to write the rest.
pub struct StateWriter<'c> {
    conn: &'c Connection,
    batch: CachedStatement<'c>,
    pending: Vec<(i64, Option<SqlDate>, Option<SqlDate>)>,
    addon: CachedStatement<'c>,
}

impl<'c> StateWriter<'c> {
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            batch: conn.prepare_cached(&batch_update(STATE_BATCH))?,
            pending: Vec::with_capacity(STATE_BATCH),
            addon: conn.prepare_cached(
                "UPDATE subscription_addons SET billed_through = ?3, charged_through = ?4 \
                 WHERE subscription_id = ?1 AND addon_id = ?2",
            )?,
        })
    }

    pub fn subscription(
        &mut self,
        seq: i64,
        billed_through: Option<NaiveDate>,
        charged_through: Option<NaiveDate>,
    ) -> rusqlite::Result<()> {
        self.pending
            .push((seq, date(billed_through)?, date(charged_through)?));
        if self.pending.len() == STATE_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered subscription states.
    pub fn finish(mut self) -> rusqlite::Result<()> {
        self.flush()
    }

    fn flush(&mut self) -> rusqlite::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        if rows.len() == STATE_BATCH {
            bind_rows(&mut self.batch, &rows)?;
            self.batch.raw_execute()?;
        } else {
            let mut stmt = self.conn.prepare(&batch_update(rows.len()))?;
            bind_rows(&mut stmt, &rows)?;
            stmt.raw_execute()?;
        }
        self.pending = rows;
        self.pending.clear();
        Ok(())
    }

    pub fn addon(
        &mut self,
        subscription_id: &str,
        addon_id: &str,
        billed_through: Option<NaiveDate>,
        charged_through: Option<NaiveDate>,
    ) -> rusqlite::Result<()> {
        self.addon.execute(params![
            subscription_id,
            addon_id,
            date(billed_through)?,
            date(charged_through)?
        ])?;
        Ok(())
    }
}

/// `UPDATE ... FROM (VALUES (seq, billed, charged), ...)` for `n` rows.
fn batch_update(n: usize) -> String {
    let values = vec!["(?, ?, ?)"; n].join(", ");
    format!(
        "UPDATE subscriptions SET billed_through = v.column2, charged_through = v.column3 \
         FROM (VALUES {values}) AS v WHERE subscriptions.seq = v.column1"
    )
}

fn bind_rows(
    stmt: &mut rusqlite::Statement<'_>,
    rows: &[(i64, Option<SqlDate>, Option<SqlDate>)],
) -> rusqlite::Result<()> {
    for (i, (seq, billed, charged)) in rows.iter().enumerate() {
        stmt.raw_bind_parameter(3 * i + 1, seq)?;
        stmt.raw_bind_parameter(3 * i + 2, billed)?;
        stmt.raw_bind_parameter(3 * i + 3, charged)?;
    }
    Ok(())
}

fn date(d: Option<NaiveDate>) -> rusqlite::Result<Option<SqlDate>> {
    d.map(|d| {
        SqlDate::new(d).ok_or_else(|| {
            rusqlite::Error::ToSqlConversionFailure(format!("date {d} is out of range").into())
        })
    })
    .transpose()
}

/// For a subscription migrated from another system that billed it through `through`: its days
/// (and its add-ons') up to then count as billed and charged, so the first bill run here
/// charges from the day after, never the months since it started.
pub fn settle_migrated(
    conn: &Connection,
    id: &crate::domain::ids::SubscriptionId,
    through: NaiveDate,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE subscriptions SET billed_through = ?1, charged_through = ?1 \
          WHERE id = ?2 AND start_date <= ?1",
    )?
    .execute(rusqlite::params![through, id])?;
    conn.prepare_cached(
        "UPDATE subscription_addons SET billed_through = ?1, charged_through = ?1 \
          WHERE subscription_id = ?2 AND (start_date IS NULL OR start_date <= ?1) \
            AND EXISTS (SELECT 1 FROM subscriptions WHERE id = ?2 AND start_date <= ?1)",
    )?
    .execute(rusqlite::params![through, id])?;
    Ok(())
}

/// For data that existed before edgebss billed it (the demo): counts every subscription and
/// add-on started by `through` as billed and charged up to that day, and marks suspended ones
/// as suspended on their customer's behalf.
pub fn settle_history(conn: &Connection, through: NaiveDate) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE subscription_addons SET billed_through = ?1, charged_through = ?1 \
         WHERE subscription_id IN (SELECT id FROM subscriptions WHERE start_date <= ?1)",
        [through],
    )?;
    conn.execute(
        "UPDATE subscriptions SET billed_through = ?1, charged_through = ?1 WHERE start_date <= ?1",
        [through],
    )?;
    conn.execute(
        "UPDATE subscriptions SET suspended_by = 'Customer' WHERE status = 'Suspended'",
        [],
    )?;
    Ok(())
}
