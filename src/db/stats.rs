//! Aggregates for monitoring, read at each `/metrics` scrape. Each is one pass over a covering
//! index (see `V5__metrics_indexes.sql`), never over the tables themselves.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::enums::{BillRunStatus, InvoiceStatus, SubscriptionStatus};
use crate::domain::money::Currency;

/// Active subscriptions in one currency and what they bill each month, add-ons included.
#[derive(Debug, Clone)]
pub struct Recurring {
    pub currency: Currency,
    pub subscriptions: u64,
    pub monthly_minor: i64,
}

pub fn active_recurring(conn: &Connection) -> rusqlite::Result<Vec<Recurring>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.currency, COUNT(*), \
                SUM(s.monthly_charge) + COALESCE(SUM((SELECT SUM(a.charge) FROM subscription_addons a \
                                                      WHERE a.subscription_id = s.id)), 0) \
           FROM subscriptions s WHERE s.status = ?1 GROUP BY s.currency",
    )?;
    stmt.query_map(params![SubscriptionStatus::Active], |r| {
        Ok(Recurring {
            currency: r.get(0)?,
            subscriptions: r.get::<_, i64>(1)?.max(0) as u64,
            monthly_minor: r.get(2)?,
        })
    })?
    .collect()
}

/// Unpaid invoices of one status and currency.
#[derive(Debug, Clone)]
pub struct Unpaid {
    pub status: InvoiceStatus,
    pub currency: Currency,
    pub invoices: u64,
    /// What is still due on them: totals less the payments already recorded.
    pub due_minor: i64,
}

pub fn unpaid_invoices(conn: &Connection) -> rusqlite::Result<Vec<Unpaid>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, currency, COUNT(*), SUM(total_amount - amount_paid) FROM invoices \
          WHERE status IN (?1, ?2) GROUP BY status, currency",
    )?;
    stmt.query_map(params![InvoiceStatus::Open, InvoiceStatus::Overdue], |r| {
        Ok(Unpaid {
            status: r.get(0)?,
            currency: r.get(1)?,
            invoices: r.get::<_, i64>(2)?.max(0) as u64,
            due_minor: r.get(3)?,
        })
    })?
    .collect()
}

/// Every currency the catalog prices in, in code order: the currencies a subscription, an invoice
/// or a payment can be in (they take the product's). The catalog is a short table, so reading it
/// whole costs nothing.
pub fn currencies_in_use(conn: &Connection) -> rusqlite::Result<Vec<Currency>> {
    conn.prepare_cached("SELECT DISTINCT currency FROM products ORDER BY currency")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// The newest bill run (dry runs are never stored).
#[derive(Debug, Clone)]
pub struct LastBillRun {
    pub period: String,
    pub status: BillRunStatus,
    /// When it finished, or started while it is still running (RFC 3339).
    pub at: String,
    pub invoices_created: u64,
}

pub fn last_bill_run(conn: &Connection) -> rusqlite::Result<Option<LastBillRun>> {
    conn.prepare_cached(
        "SELECT period, status, COALESCE(finished_at, started_at), invoices_created \
           FROM bill_runs ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([], |r| {
        Ok(LastBillRun {
            period: r.get(0)?,
            status: r.get(1)?,
            at: r.get(2)?,
            invoices_created: r.get::<_, i64>(3)?.max(0) as u64,
        })
    })
    .optional()
}
