//! SQL for customer statements: a customer's invoices, payments, credit notes and refunds as
//! one ledger.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::domain::ids::CustomerId;
use crate::domain::money::Currency;

/// One ledger entry: an invoice or a refund (debit), a payment or a credit note (credit), in
/// minor units.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub date: NaiveDate,
    pub description: String,
    pub currency: Currency,
    pub debit: i64,
    pub credit: i64,
}

/// Everything on `customer`'s account up to `to` (inclusive), in date order: invoices that
/// stand (not cancelled), payments, credit notes (on a cancelled invoice only what went to the
/// credit balance still counts: the rest was written off with the invoice) and refunds of
/// payments (a debit: the money went back to the customer).
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
           UNION ALL \
           SELECT n.issue_date, 'Credit note ' || n.credit_note_number || ' on ' \
                  || i.invoice_number || ': ' || n.reason, n.currency, 0, \
                  CASE WHEN i.status = 'Cancelled' THEN n.to_balance ELSE n.amount END, 2, n.seq \
             FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id \
            WHERE n.customer_id = ?1 AND n.issue_date <= ?2 \
              AND (i.status <> 'Cancelled' OR n.to_balance > 0) \
           UNION ALL \
           SELECT substr(r.created_at, 1, 10), 'Refund of a payment on ' || i.invoice_number \
                  || ': ' || r.reason, r.currency, r.amount, 0, 3, r.seq \
             FROM refunds r JOIN invoices i ON i.id = r.invoice_id \
            WHERE i.customer_id = ?1 AND substr(r.created_at, 1, 10) <= ?2 \
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
