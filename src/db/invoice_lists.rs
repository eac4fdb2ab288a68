//! Invoice and payment lists across customers, for the admin UI (the API lists a customer's
//! invoices only, in `invoices`).

use rusqlite::{Connection, params};

use super::{invoices, payments};
use crate::domain::ids::CustomerId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;

/// Most rows a filtered count reads; past it the list says "more than".
pub const COUNT_CAP: i64 = 100_000;

const WHERE: &str = "WHERE (?1 IS NULL OR invoice_date >= ?1) AND (?2 IS NULL OR invoice_date <= ?2) \
    AND (?3 IS NULL OR status = ?3)";

/// One page of all invoices (without their lines), newest first, and how many match (counted
/// up to [`COUNT_CAP`]).
pub fn list(
    conn: &Connection,
    filter: &InvoiceFilter,
    page: PageRequest,
) -> rusqlite::Result<(Vec<Invoice>, u64)> {
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM invoices {WHERE} LIMIT ?4)"
        ))?
        .query_row(
            params![filter.from_date, filter.to_date, filter.status, COUNT_CAP],
            |r| r.get(0),
        )?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {} FROM invoices {WHERE} ORDER BY invoice_date DESC, seq DESC \
             LIMIT ?4 OFFSET ?5",
            invoices::COLUMNS
        ))?
        .query_map(
            params![
                filter.from_date,
                filter.to_date,
                filter.status,
                i64::from(page.page_size),
                page.offset() as i64
            ],
            invoices::from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// A customer's latest payments (newest first) with the number of the invoice each paid.
pub fn payments_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    limit: u32,
) -> rusqlite::Result<Vec<(Payment, String)>> {
    let columns: Vec<String> = payments::COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect();
    conn.prepare_cached(&format!(
        "SELECT {}, i.invoice_number FROM invoices i JOIN payments p ON p.invoice_id = i.id \
         WHERE i.customer_id = ?1 ORDER BY p.paid_at DESC, p.seq DESC LIMIT ?2",
        columns.join(", ")
    ))?
    .query_map(params![customer, limit], |r| {
        Ok((payments::from_row(r)?, r.get(8)?))
    })?
    .collect()
}
