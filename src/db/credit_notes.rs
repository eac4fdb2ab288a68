//! SQL for `credit_notes` and their number counters, `customer_credit` (the credit balance) and
//! `refunds`.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::billing_rows::CreditRow;
use crate::domain::credit_note::{CreditNote, Refund};
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId, PaymentId, RefundId};
use crate::domain::money::Currency;

const COLUMNS: &str = "n.id, n.credit_note_number, n.invoice_id, i.invoice_number, n.customer_id, \
    n.amount, n.currency, n.to_invoice, n.to_balance, n.reason, n.issue_date, n.created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CreditNote> {
    let currency: Currency = r.get(6)?;
    Ok(CreditNote {
        credit_note_id: r.get(0)?,
        credit_note_number: r.get(1)?,
        invoice_id: r.get(2)?,
        invoice_number: r.get(3)?,
        customer_id: r.get(4)?,
        amount: currency.from_minor(r.get(5)?),
        currency,
        applied_to_invoice: currency.from_minor(r.get(7)?),
        added_to_balance: currency.from_minor(r.get(8)?),
        reason: r.get(9)?,
        issue_date: r.get(10)?,
        created_at: r.get(11)?,
    })
}

/// The last credit note number given out in `year` (0 for none).
pub fn last_number(conn: &Connection, year: i32) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT last_number FROM credit_note_number_counters WHERE year = ?1")?
        .query_row([year], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub fn set_last_number(conn: &Connection, year: i32, last: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO credit_note_number_counters (year, last_number) VALUES (?1, ?2) \
         ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
    )?
    .execute(params![year, last])?;
    Ok(())
}

/// A credit note as stored; amounts in minor units.
pub struct NewCreditNote<'a> {
    pub number: &'a str,
    pub invoice_id: &'a InvoiceId,
    pub customer_id: &'a CustomerId,
    pub amount: i64,
    pub currency: Currency,
    pub to_invoice: i64,
    pub to_balance: i64,
    pub reason: &'a str,
    pub issue_date: NaiveDate,
}

pub fn insert(
    conn: &Connection,
    n: &NewCreditNote<'_>,
    now: &str,
) -> rusqlite::Result<CreditNoteId> {
    let id = CreditNoteId::generate();
    conn.prepare_cached(
        "INSERT INTO credit_notes (id, credit_note_number, invoice_id, customer_id, amount, \
         currency, to_invoice, to_balance, reason, issue_date, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        n.number,
        n.invoice_id,
        n.customer_id,
        n.amount,
        n.currency,
        n.to_invoice,
        n.to_balance,
        n.reason,
        n.issue_date,
        now
    ])?;
    Ok(id)
}

pub fn get(conn: &Connection, id: &CreditNoteId) -> rusqlite::Result<Option<CreditNote>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM credit_notes AS n JOIN invoices AS i ON i.id = n.invoice_id \
         WHERE n.id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()
}

pub fn of_invoice(conn: &Connection, invoice: &InvoiceId) -> rusqlite::Result<Vec<CreditNote>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM credit_notes AS n JOIN invoices AS i ON i.id = n.invoice_id \
         WHERE n.invoice_id = ?1 ORDER BY n.seq"
    ))?
    .query_map([invoice], from_row)?
    .collect()
}

/// A customer's credit notes, newest first.
pub fn of_customer(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<Vec<CreditNote>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM credit_notes AS n JOIN invoices AS i ON i.id = n.invoice_id \
         WHERE n.customer_id = ?1 ORDER BY n.seq DESC"
    ))?
    .query_map([customer], from_row)?
    .collect()
}

/// What credit notes have given back on an invoice so far (minor units).
pub fn credited_on(conn: &Connection, invoice: &InvoiceId) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(SUM(amount), 0) FROM credit_notes WHERE invoice_id = ?1")?
        .query_row([invoice], |r| r.get(0))
}

/// A customer's credit balance, if it ever had one.
pub fn balance(conn: &Connection, customer: &str) -> rusqlite::Result<Option<CreditRow>> {
    conn.prepare_cached("SELECT currency, balance FROM customer_credit WHERE customer_id = ?1")?
        .query_row([customer], |r| {
            Ok(CreditRow {
                currency: r.get(0)?,
                balance: r.get(1)?,
            })
        })
        .optional()
}

/// Credit balances above zero of the customers with ids in `(after, upto]`.
pub fn balances_in(
    conn: &Connection,
    after: &str,
    upto: &str,
) -> rusqlite::Result<Vec<(String, CreditRow)>> {
    conn.prepare_cached(
        "SELECT customer_id, currency, balance FROM customer_credit \
         INDEXED BY customer_credit_open \
         WHERE balance > 0 AND customer_id > ?1 AND customer_id <= ?2",
    )?
    .query_map(params![after, upto], |r| {
        Ok((
            r.get(0)?,
            CreditRow {
                currency: r.get(1)?,
                balance: r.get(2)?,
            },
        ))
    })?
    .collect()
}

/// Takes `amount` an invoice consumed off a customer's credit balance.
pub fn consume_balance(
    conn: &Connection,
    customer: &str,
    amount: i64,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE customer_credit SET balance = balance - ?2, updated_at = ?3 WHERE customer_id = ?1",
    )?
    .execute(params![customer, amount, now])?;
    Ok(())
}

/// Adds `delta` to a customer's credit balance in `currency`.
pub fn add_balance(
    conn: &Connection,
    customer: &str,
    currency: Currency,
    delta: i64,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO customer_credit (customer_id, currency, balance, updated_at) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (customer_id) DO UPDATE SET balance = balance + excluded.balance, \
         currency = excluded.currency, updated_at = excluded.updated_at",
    )?
    .execute(params![customer, currency, delta, now])?;
    Ok(())
}

const REFUND_COLUMNS: &str = "id, payment_id, invoice_id, amount, currency, reason, created_at";

fn refund_from_row(r: &Row<'_>) -> rusqlite::Result<Refund> {
    let currency: Currency = r.get(4)?;
    Ok(Refund {
        refund_id: r.get(0)?,
        payment_id: r.get(1)?,
        invoice_id: r.get(2)?,
        amount: currency.from_minor(r.get(3)?),
        currency,
        reason: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub struct NewRefund<'a> {
    pub payment_id: &'a PaymentId,
    pub invoice_id: &'a InvoiceId,
    pub amount: i64,
    pub currency: Currency,
    pub reason: &'a str,
}

pub fn insert_refund(
    conn: &Connection,
    r: &NewRefund<'_>,
    now: &str,
) -> rusqlite::Result<RefundId> {
    let id = RefundId::generate();
    conn.prepare_cached(
        "INSERT INTO refunds (id, payment_id, invoice_id, amount, currency, reason, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        r.payment_id,
        r.invoice_id,
        r.amount,
        r.currency,
        r.reason,
        now
    ])?;
    Ok(id)
}

pub fn get_refund(conn: &Connection, id: &RefundId) -> rusqlite::Result<Option<Refund>> {
    conn.prepare_cached(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE id = ?1"
    ))?
    .query_row([id], refund_from_row)
    .optional()
}

pub fn refunds_of_invoice(conn: &Connection, invoice: &InvoiceId) -> rusqlite::Result<Vec<Refund>> {
    conn.prepare_cached(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE invoice_id = ?1 ORDER BY seq"
    ))?
    .query_map([invoice], refund_from_row)?
    .collect()
}

/// What has been refunded of a payment so far (minor units).
pub fn refunded(conn: &Connection, payment: &PaymentId) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE payment_id = ?1")?
        .query_row([payment], |r| r.get(0))
}
