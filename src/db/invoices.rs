//! SQL for `invoices` and `invoice_lines`.

use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::invoice::{Invoice, InvoiceFilter, InvoiceLine};
use crate::domain::money::Currency;
use crate::domain::page::PageRequest;

const COLUMNS: &str = "id, invoice_number, customer_id, status, invoice_date, due_date, \
    total_amount, tax_amount, currency";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Invoice> {
    let currency: Currency = row.get(8)?;
    Ok(Invoice {
        invoice_id: row.get(0)?,
        invoice_number: row.get(1)?,
        customer_id: row.get(2)?,
        status: row.get(3)?,
        invoice_date: row.get(4)?,
        due_date: row.get(5)?,
        total_amount: currency.from_minor(row.get(6)?),
        tax_amount: currency.from_minor(row.get(7)?),
        currency,
        line_items: Vec::new(),
    })
}

fn load_lines(conn: &Connection, inv: &mut Invoice) -> rusqlite::Result<()> {
    let currency = inv.currency;
    inv.line_items = conn
        .prepare_cached(
            "SELECT description, quantity, unit_price, amount FROM invoice_lines \
             WHERE invoice_id = ?1 ORDER BY position",
        )?
        .query_map([&inv.invoice_id], |r| {
            let quantity: String = r.get(1)?;
            Ok(InvoiceLine {
                description: r.get(0)?,
                quantity: quantity.parse::<Decimal>().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                unit_price: currency.from_minor(r.get(2)?),
                amount: currency.from_minor(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(())
}

pub fn get(conn: &Connection, id: &InvoiceId) -> rusqlite::Result<Option<Invoice>> {
    let inv = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM invoices WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    inv.map(|mut i| load_lines(conn, &mut i).map(|()| i))
        .transpose()
}

/// One page of a customer's invoices, newest first, and how many match in all.
pub fn list_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    filter: &InvoiceFilter,
    page: PageRequest,
) -> rusqlite::Result<(Vec<Invoice>, u64)> {
    const WHERE: &str = "WHERE customer_id = ?1 AND (?2 IS NULL OR invoice_date >= ?2) \
        AND (?3 IS NULL OR invoice_date <= ?3) AND (?4 IS NULL OR status = ?4)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM invoices {WHERE}"))?
        .query_row(
            params![customer, filter.from_date, filter.to_date, filter.status],
            |r| r.get(0),
        )?;
    let mut invoices = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM invoices {WHERE} \
             ORDER BY invoice_date DESC, seq DESC LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                customer,
                filter.from_date,
                filter.to_date,
                filter.status,
                i64::from(page.page_size),
                page.offset() as i64
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for inv in &mut invoices {
        load_lines(conn, inv)?;
    }
    Ok((invoices, total as u64))
}
