//! SQL for `payments`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::enums::PaymentMethod;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::money::Currency;
use crate::domain::payment::Payment;

pub(crate) const COLUMNS: &str =
    "id, invoice_id, amount, currency, paid_at, method, reference, created_at";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Payment> {
    let currency: Currency = row.get(3)?;
    Ok(Payment {
        payment_id: row.get(0)?,
        invoice_id: row.get(1)?,
        amount: currency.from_minor(row.get(2)?),
        currency,
        paid_at: row.get(4)?,
        method: row.get(5)?,
        reference: row.get(6)?,
        created_at: row.get(7)?,
    })
}

/// What a new payment stores; the amount in minor units.
#[derive(Debug, Clone)]
pub struct NewPaymentRow<'a> {
    pub invoice_id: &'a InvoiceId,
    pub amount: i64,
    pub currency: Currency,
    pub paid_at: &'a str,
    pub method: PaymentMethod,
    pub reference: Option<&'a str>,
    pub now: &'a str,
}

pub fn insert(conn: &Connection, p: &NewPaymentRow<'_>) -> rusqlite::Result<PaymentId> {
    let id = PaymentId::generate();
    conn.prepare_cached(
        "INSERT INTO payments (id, invoice_id, amount, currency, paid_at, method, reference, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        p.invoice_id,
        p.amount,
        p.currency,
        p.paid_at,
        p.method,
        p.reference,
        p.now
    ])?;
    Ok(id)
}

pub fn get(
    conn: &Connection,
    invoice: &InvoiceId,
    id: &PaymentId,
) -> rusqlite::Result<Option<Payment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments WHERE id = ?1 AND invoice_id = ?2"
    ))?
    .query_row(params![id, invoice], from_row)
    .optional()
}

/// An invoice's payments in the order they were recorded.
pub fn list_for_invoice(conn: &Connection, invoice: &InvoiceId) -> rusqlite::Result<Vec<Payment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments WHERE invoice_id = ?1 ORDER BY seq"
    ))?
    .query_map([invoice], from_row)?
    .collect()
}
