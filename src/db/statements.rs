//! SQL for customer statements: a customer's invoices and payments as one ledger.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::domain::ids::CustomerId;
use crate::domain::money::Currency;

/// One ledger entry: an invoice (debit) or a payment (credit), in minor units.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub date: NaiveDate,
    pub description: String,
    pub currency: Currency,
    pub debit: i64,
    pub credit: i64,
}

/// Everything on `customer`'s account up to `to` (inclusive), in date order: invoices that
/// stand (not cancelled) and payments.
pub fn ledger(
    conn: &Connection,
    customer: &CustomerId,
    to: NaiveDate,
) -> rusqlite::Result<Vec<LedgerRow>> {
    conn.prepare_cached(
        "SELECT day, what, currency, debit, credit FROM ( \
           SELECT invoice_date AS day, 'Invoice ' || invoice_number AS what, currency, \
                  total_amount AS debit, 0 AS credit, 0 AS ord, seq \
             FROM invoices WHERE customer_id = ?1 AND status <> 'Cancelled' AND invoice_date <= ?2 \
           UNION ALL \
           SELECT substr(p.paid_at, 1, 10), 'Payment (' || p.method || coalesce(', ' || p.reference, '') \
                  || ') on ' || i.invoice_number, p.currency, 0, p.amount, 1, p.seq \
             FROM payments p JOIN invoices i ON i.id = p.invoice_id \
            WHERE i.customer_id = ?1 AND substr(p.paid_at, 1, 10) <= ?2 \
         ) ORDER BY day, ord, seq",
    )?
    .query_map(params![customer, to], |r| {
        Ok(LedgerRow {
            date: r.get(0)?,
            description: r.get(1)?,
            currency: r.get(2)?,
            debit: r.get(3)?,
            credit: r.get(4)?,
        })
    })?
    .collect()
}
