//! SQL for the bill run's view of subscriptions: one ordered scan per chunk of customers, and the
//! billing state (`billed_through`, `charged_through`) of subscriptions and add-ons.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::billing::draft::{AddonRow, CustomerRows, SubRow};
use crate::billing::period::Period;

/// The last customer id of the next chunk: the first `limit` customers with subscriptions whose
/// id sorts after `after` (`""` for the first chunk). `None` when none is left.
pub fn chunk_end(conn: &Connection, after: &str, limit: usize) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT MAX(customer_id) FROM (SELECT DISTINCT customer_id FROM subscriptions \
         WHERE customer_id > ?1 ORDER BY customer_id LIMIT ?2)",
    )?
    .query_row(params![after, limit as i64], |r| r.get(0))
}

/// Every subscription, with its add-ons, of the customers with ids in `(after, upto]`, grouped
/// by customer in id order, subscriptions in the order they were made: one ordered scan.
pub fn chunk_rows(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<CustomerRows>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.seq, s.id, s.customer_id, s.product_name, s.status, s.start_date, s.end_date, \
                s.monthly_charge, s.currency, s.billed_through, s.charged_through, c.tax_exempt, \
                a.addon_id, a.addon_name, a.charge, a.billed_through, a.charged_through \
         FROM subscriptions AS s INDEXED BY subscriptions_by_customer \
         JOIN customers AS c ON c.id = s.customer_id \
         LEFT JOIN subscription_addons AS a ON a.subscription_id = s.id \
         WHERE s.customer_id > ?1 AND s.customer_id <= ?2 \
         ORDER BY s.customer_id, s.seq, a.position",
    )?;
    let mut rows = stmt.query(params![after, upto])?;
    let mut out: Vec<CustomerRows> = Vec::new();
    while let Some(row) = rows.next()? {
        let customer_id = row.get_ref(2)?.as_str()?;
        if out.last().is_none_or(|c| c.customer_id != customer_id) {
            out.push(CustomerRows {
                customer_id: customer_id.to_owned(),
                tax_exempt: row.get(11)?,
                subs: Vec::new(),
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
                start: row.get(5)?,
                end: row.get(6)?,
                monthly: row.get(7)?,
                currency: row.get(8)?,
                billed_through: row.get(9)?,
                charged_through: row.get(10)?,
                addons: Vec::new(),
            });
        }
        let addon_id: Option<String> = row.get(12)?;
        if let (Some(addon_id), Some(sub)) = (addon_id, customer.subs.last_mut()) {
            sub.addons.push(AddonRow {
                addon_id,
                name: row.get(13)?,
                charge: row.get(14)?,
                billed_through: row.get(15)?,
                charged_through: row.get(16)?,
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

pub fn set_subscription_state(
    conn: &Connection,
    seq: i64,
    billed_through: Option<NaiveDate>,
    charged_through: Option<NaiveDate>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE subscriptions SET billed_through = ?2, charged_through = ?3 WHERE seq = ?1",
    )?
    .execute(params![seq, billed_through, charged_through])?;
    Ok(())
}

pub fn set_addon_state(
    conn: &Connection,
    subscription_id: &str,
    addon_id: &str,
    billed_through: Option<NaiveDate>,
    charged_through: Option<NaiveDate>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE subscription_addons SET billed_through = ?3, charged_through = ?4 \
         WHERE subscription_id = ?1 AND addon_id = ?2",
    )?
    .execute(params![
        subscription_id,
        addon_id,
        billed_through,
        charged_through
    ])?;
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
