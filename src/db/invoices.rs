//! SQL for `invoices` and `invoice_lines`.

use chrono::NaiveDate;
use rusqlite::{CachedStatement, Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

use crate::domain::enums::{InvoiceStatus, LineKind};
use crate::domain::ids::{CustomerId, InvoiceId, ProductId, SubscriptionId};
use crate::domain::invoice::{Invoice, InvoiceFilter, InvoiceLine, amount_due_minor};
use crate::domain::money::Currency;
use crate::domain::page::{MAX_PAGE_SIZE, PageRequest};

pub use super::sql_date::SqlDate;

pub(crate) const COLUMNS: &str = "id, invoice_number, customer_id, status, invoice_date, due_date, \
    total_amount, tax_amount, currency, net_amount, period, tax_rate, amount_paid, cancel_reason";

fn conversion_error(
    idx: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Invoice> {
    let currency: Currency = row.get(8)?;
    let status: InvoiceStatus = row.get(3)?;
    let total: i64 = row.get(6)?;
    let paid: i64 = row.get(12)?;
    let tax_rate: String = row.get(11)?;
    Ok(Invoice {
        invoice_id: row.get(0)?,
        invoice_number: row.get(1)?,
        customer_id: row.get(2)?,
        status,
        invoice_date: row.get(4)?,
        due_date: row.get(5)?,
        total_amount: currency.from_minor(total),
        tax_amount: currency.from_minor(row.get(7)?),
        currency,
        line_items: Vec::new(),
        net_amount: currency.from_minor(row.get(9)?),
        period: row.get(10)?,
        tax_rate_percent: tax_rate
            .parse::<Decimal>()
            .map_err(|e| conversion_error(11, e))?,
        amount_paid: currency.from_minor(paid),
        amount_due: currency.from_minor(amount_due_minor(status, total, paid)),
        cancel_reason: row.get(13)?,
    })
}

fn load_lines(conn: &Connection, inv: &mut Invoice) -> rusqlite::Result<()> {
    let currency = inv.currency;
    inv.line_items = conn
        .prepare_cached(
            "SELECT description, quantity, unit_price, amount, kind, subscription_id, addon_id, \
             period_start, period_end FROM invoice_lines WHERE invoice_id = ?1 ORDER BY position",
        )?
        .query_map([&inv.invoice_id], |r| {
            let quantity: String = r.get(1)?;
            Ok(InvoiceLine {
                description: r.get(0)?,
                quantity: quantity
                    .parse::<Decimal>()
                    .map_err(|e| conversion_error(1, e))?,
                unit_price: currency.from_minor(r.get(2)?),
                amount: currency.from_minor(r.get(3)?),
                kind: r.get(4)?,
                subscription_id: r.get(5)?,
                addon_id: r.get(6)?,
                period_start: r.get(7)?,
                period_end: r.get(8)?,
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
             ORDER BY invoice_date DESC, seq DESC LIMIT {MAX_PAGE_SIZE} OFFSET ?5"
        ))?
        .query_map(
            params![
                customer,
                filter.from_date,
                filter.to_date,
                filter.status,
                page.offset() as i64
            ],
            from_row,
        )?
        // A constant LIMIT: a bound one makes SQLite plan the statement again on each use.
        .take(page.page_size as usize)
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for inv in &mut invoices {
        load_lines(conn, inv)?;
    }
    Ok((invoices, total as u64))
}

/// An invoice as a bill run stores it; amounts in minor units.
#[derive(Debug, Clone)]
pub struct NewInvoiceRow<'a> {
    pub id: &'a InvoiceId,
    pub number: &'a str,
    pub customer_id: &'a str,
    pub status: InvoiceStatus,
    pub invoice_date: SqlDate,
    pub due_date: SqlDate,
    pub currency: Currency,
    pub net: i64,
    pub tax: i64,
    pub tax_rate: &'a str,
    pub period: &'a str,
    pub bill_run_id: &'a str,
    pub now: &'a str,
}

/// A line as a bill run stores it: quantity 1, unit price = amount (see the README's rules).
#[derive(Debug, Clone)]
pub struct NewLineRow<'a> {
    pub position: i64,
    pub description: &'a str,
    pub amount: i64,
    pub kind: LineKind,
    pub subscription_id: &'a str,
    pub addon_id: Option<&'a str>,
    pub period_start: SqlDate,
    pub period_end: SqlDate,
}

/// Stores invoices and their lines with statements prepared once, for a bill run that stores
/// thousands in one transaction.
pub struct InvoiceWriter<'c> {
    invoice: CachedStatement<'c>,
    line: CachedStatement<'c>,
}

impl<'c> InvoiceWriter<'c> {
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            invoice: conn.prepare_cached(
                "INSERT INTO invoices (id, invoice_number, customer_id, status, invoice_date, \
                 due_date, currency, net_amount, tax_amount, total_amount, tax_rate, period, \
                 bill_run_id, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            )?,
            line: conn.prepare_cached(
                "INSERT INTO invoice_lines (invoice_id, position, description, quantity, \
                 unit_price, amount, kind, subscription_id, addon_id, period_start, period_end) \
                 VALUES (?1, ?2, ?3, '1', ?4, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
        })
    }

    pub fn invoice(&mut self, row: &NewInvoiceRow<'_>) -> rusqlite::Result<()> {
        self.invoice.execute(params![
            row.id,
            row.number,
            row.customer_id,
            row.status,
            row.invoice_date,
            row.due_date,
            row.currency,
            row.net,
            row.tax,
            row.net + row.tax,
            row.tax_rate,
            row.period,
            row.bill_run_id,
            row.now,
        ])?;
        Ok(())
    }

    pub fn line(&mut self, invoice: &InvoiceId, line: &NewLineRow<'_>) -> rusqlite::Result<()> {
        self.line.execute(params![
            invoice,
            line.position,
            line.description,
            line.amount,
            line.kind,
            line.subscription_id,
            line.addon_id,
            line.period_start,
            line.period_end,
        ])?;
        Ok(())
    }
}

/// The billing links of an invoice's lines: (kind, subscription, add-on, first day, last day).
pub type LineLink = (
    LineKind,
    SubscriptionId,
    Option<ProductId>,
    NaiveDate,
    NaiveDate,
);

pub fn line_links(conn: &Connection, invoice: &InvoiceId) -> rusqlite::Result<Vec<LineLink>> {
    conn.prepare_cached(
        "SELECT kind, subscription_id, addon_id, period_start, period_end FROM invoice_lines \
         WHERE invoice_id = ?1 AND kind IS NOT NULL AND subscription_id IS NOT NULL \
           AND period_start IS NOT NULL AND period_end IS NOT NULL \
         ORDER BY position",
    )?
    .query_map([invoice], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?
    .collect()
}

/// Marks an invoice cancelled with its reason.
pub fn cancel(conn: &Connection, id: &InvoiceId, reason: &str, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE invoices SET status = 'Cancelled', cancel_reason = ?2, updated_at = ?3 \
         WHERE id = ?1",
    )?
    .execute(params![id, reason, now])?;
    Ok(())
}

/// Records a payment's amount on its invoice and sets the status that follows.
pub fn set_paid(
    conn: &Connection,
    id: &InvoiceId,
    amount_paid: i64,
    status: InvoiceStatus,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE invoices SET amount_paid = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, amount_paid, status, now])?;
    Ok(())
}

/// Marks every `Open` invoice due before `today` as `Overdue`; returns which, in id order.
pub fn mark_overdue(
    conn: &Connection,
    today: NaiveDate,
    now: &str,
) -> rusqlite::Result<Vec<InvoiceId>> {
    let mut ids = conn
        .prepare_cached(
            "UPDATE invoices SET status = 'Overdue', updated_at = ?2 \
             WHERE status = 'Open' AND due_date < ?1 RETURNING id",
        )?
        .query_map(params![today, now], |r| r.get::<_, InvoiceId>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.sort();
    Ok(ids)
}
