//! SQL for CSV exports: every row of a kind in a date range, in creation order.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::domain::customer::{Customer, CustomerFilter};
use crate::domain::enums::InvoiceStatus;
use crate::domain::ids::SubscriptionId;
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;

/// An inclusive date range; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Range {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Range {
    fn bounds(&self) -> (String, String) {
        (
            self.from
                .map_or_else(|| "0000-00-00".to_owned(), |d| d.to_string()),
            self.to
                .map_or_else(|| "9999-99-99".to_owned(), |d| d.to_string()),
        )
    }
}

/// Customers created in `range` (by day), matching `filter`.
pub fn customers(
    conn: &Connection,
    range: Range,
    filter: &CustomerFilter,
) -> rusqlite::Result<Vec<Customer>> {
    let (from, to) = range.bounds();
    conn.prepare(&format!(
        "SELECT {} FROM customers WHERE substr(created_at, 1, 10) BETWEEN ?1 AND ?2 \
         AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR customer_type = ?4) ORDER BY seq",
        super::customers::COLUMNS
    ))?
    .query_map(
        params![from, to, filter.status, filter.customer_type],
        super::customers::from_row,
    )?
    .collect()
}

/// Subscriptions starting in `range`.
pub fn subscriptions(conn: &Connection, range: Range) -> rusqlite::Result<Vec<SubscriptionId>> {
    let (from, to) = range.bounds();
    conn.prepare("SELECT id FROM subscriptions WHERE start_date BETWEEN ?1 AND ?2 ORDER BY seq")?
        .query_map(params![from, to], |r| r.get(0))?
        .collect()
}

/// Invoices dated in `range` (without lines), with `status` when given.
pub fn invoices(
    conn: &Connection,
    range: Range,
    status: Option<InvoiceStatus>,
) -> rusqlite::Result<Vec<Invoice>> {
    let (from, to) = range.bounds();
    conn.prepare(&format!(
        "SELECT {} FROM invoices WHERE invoice_date BETWEEN ?1 AND ?2 \
         AND (?3 IS NULL OR status = ?3) ORDER BY seq",
        super::invoices::COLUMNS
    ))?
    .query_map(params![from, to, status], super::invoices::from_row)?
    .collect()
}

/// Payments made in `range` (by the day of `paidAt`).
pub fn payments(conn: &Connection, range: Range) -> rusqlite::Result<Vec<Payment>> {
    let (from, to) = range.bounds();
    conn.prepare(&format!(
        "SELECT {} FROM payments WHERE substr(paid_at, 1, 10) BETWEEN ?1 AND ?2 ORDER BY seq",
        super::payments::COLUMNS
    ))?
    .query_map(params![from, to], super::payments::from_row)?
    .collect()
}
