//! What the dashboard asks someone to look at, and how far a new installation has been set up.

use rusqlite::{Connection, OptionalExtension, params};

pub use crate::domain::attention::{Overdue, SetUp};
use crate::domain::bill_run::BillRun;

/// The customers owing the most overdue money, most first (`invoices_overdue_by_customer`).
pub fn overdue_customers(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Overdue>> {
    conn.prepare_cached(
        "SELECT customer_id, currency, SUM(total_amount - amount_paid), COUNT(*) \
         FROM invoices INDEXED BY invoices_overdue_by_customer WHERE status = 'Overdue' \
         GROUP BY customer_id, currency ORDER BY 3 DESC, customer_id LIMIT ?1",
    )?
    .query_map(params![limit], |r| {
        Ok(Overdue {
            customer_id: r.get(0)?,
            currency: r.get(1)?,
            amount: r.get(2)?,
            invoices: r.get::<_, i64>(3)? as u64,
        })
    })?
    .collect()
}

/// How many customers have an overdue invoice.
pub fn overdue_customer_count(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM invoices \
             INDEXED BY invoices_overdue_by_customer WHERE status = 'Overdue')",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(n as u64)
}

/// Runs that failed or were cut off and whose period has not been completed by a later run,
/// newest first.
pub fn unfinished_runs(
    conn: &Connection,
    limit: u32,
) -> rusqlite::Result<Vec<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT r.id, r.period, r.status FROM bill_runs r \
         WHERE r.status IN ('Failed', 'Interrupted') AND NOT EXISTS (SELECT 1 FROM bill_runs l \
           WHERE l.period = r.period AND l.seq > r.seq AND l.status IN ('Completed', 'Running')) \
         ORDER BY r.seq DESC LIMIT ?1",
    )?
    .query_map(params![limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// The newest completed run, if any: its `needs_attention` lists the customers it could not
/// bill.
pub fn last_completed_run(conn: &Connection) -> rusqlite::Result<Option<BillRun>> {
    let id: Option<crate::domain::ids::BillRunId> = conn
        .prepare_cached(
            "SELECT id FROM bill_runs WHERE status = 'Completed' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => super::bill_runs::get(conn, &id),
        None => Ok(None),
    }
}

pub fn set_up(conn: &Connection) -> rusqlite::Result<SetUp> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM products), EXISTS (SELECT 1 FROM customers), \
         EXISTS (SELECT 1 FROM subscriptions), \
         EXISTS (SELECT 1 FROM bill_runs WHERE status = 'Completed'), \
         EXISTS (SELECT 1 FROM payments), (SELECT COUNT(*) > 1 FROM users)",
    )?
    .query_row([], |r| {
        Ok(SetUp {
            has_product: r.get(0)?,
            has_customer: r.get(1)?,
            has_subscription: r.get(2)?,
            has_bill_run: r.get(3)?,
            has_payment: r.get(4)?,
            has_second_user: r.get(5)?,
        })
    })
}

/// The sequence number of the newest audit entry: it grows with every change the server makes.
pub fn last_change(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM audit_log")?
        .query_row([], |r| r.get(0))
}
