//! Aggregates for monitoring, read at each `/metrics` scrape. Each is one pass over a covering
//! index (see `V5__metrics_indexes.sql`), never over the tables themselves.

use rusqlite::{Connection, params};

use crate::domain::enums::{InvoiceStatus, SubscriptionStatus};
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
    pub total_minor: i64,
}

pub fn unpaid_invoices(conn: &Connection) -> rusqlite::Result<Vec<Unpaid>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, currency, COUNT(*), SUM(total_amount) FROM invoices \
          WHERE status IN (?1, ?2) GROUP BY status, currency",
    )?;
    stmt.query_map(params![InvoiceStatus::Open, InvoiceStatus::Overdue], |r| {
        Ok(Unpaid {
            status: r.get(0)?,
            currency: r.get(1)?,
            invoices: r.get::<_, i64>(2)?.max(0) as u64,
            total_minor: r.get(3)?,
        })
    })?
    .collect()
}
