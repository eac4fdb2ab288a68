//! Read-only figures for the admin UI: dashboard totals and charts, a customer's balance.

use rusqlite::{Connection, params};

use crate::domain::enums::ProductType;
use crate::domain::ids::CustomerId;
use crate::domain::money::Currency;

/// Per month (`YYYY-MM`) from `from_date` on, in `currency`, in minor units: what was invoiced
/// (invoice totals by invoice date, all but cancelled) and what was paid (payments by the day
/// they were made, UTC).
pub fn monthly_invoiced_and_paid(
    conn: &Connection,
    from_date: &str,
    currency: Currency,
) -> rusqlite::Result<Vec<(String, i64, i64)>> {
    conn.prepare_cached(
        "SELECT month, SUM(invoiced), SUM(paid) FROM ( \
           SELECT substr(invoice_date, 1, 7) AS month, total_amount AS invoiced, 0 AS paid \
           FROM invoices WHERE invoice_date >= ?1 AND status <> 'Cancelled' AND currency = ?2 \
           UNION ALL \
           SELECT substr(paid_at, 1, 7), 0, amount FROM payments \
           WHERE paid_at >= ?1 AND currency = ?2) \
         GROUP BY month ORDER BY month",
    )?
    .query_map(params![from_date, currency], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// The currency most invoices are in (the one the charts show), if any.
pub fn main_currency(conn: &Connection) -> rusqlite::Result<Option<Currency>> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency FROM (SELECT currency, COUNT(*) n FROM invoices GROUP BY currency \
         UNION ALL SELECT currency, 0 FROM products) GROUP BY currency ORDER BY SUM(n) DESC LIMIT 1",
    )?;
    let mut rows = stmt.query_map([], |r| r.get(0))?;
    rows.next().transpose()
}

/// Active subscriptions per product type.
pub fn subscriptions_by_type(conn: &Connection) -> rusqlite::Result<Vec<(ProductType, u64)>> {
    conn.prepare_cached(
        "SELECT p.product_type, COUNT(*) FROM subscriptions s JOIN products p ON p.id = s.product_id \
         WHERE s.status = 'Active' GROUP BY p.product_type ORDER BY 2 DESC",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
    .collect()
}

/// What a customer owes per currency: what is unpaid on open and overdue invoices, in minor units.
pub fn balance_due(
    conn: &Connection,
    customer: &CustomerId,
) -> rusqlite::Result<Vec<(Currency, i64)>> {
    conn.prepare_cached(
        "SELECT currency, SUM(total_amount - amount_paid - amount_credited) FROM invoices \
         WHERE customer_id = ?1 AND status IN ('Open', 'Overdue') GROUP BY currency",
    )?
    .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}
