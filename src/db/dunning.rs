//! SQL for dunning: the collectable invoices it looks at, what it did, exemptions and the
//! customers it suspended.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::dunning::DunningAction;
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::money::Currency;

/// An invoice still to be paid, with its customer's state as dunning needs it.
#[derive(Debug, Clone)]
pub struct OpenItem {
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub customer_id: CustomerId,
    pub due_date: NaiveDate,
    pub currency: Currency,
    /// Minor units.
    pub amount_due: i64,
    /// The last reminder step sent for it.
    pub reminded: Option<u32>,
}

/// Every Open or Overdue invoice with something still due (after payments and credit notes), by
/// due date.
pub fn open_items(conn: &Connection) -> rusqlite::Result<Vec<OpenItem>> {
    open_items_where(conn, "", params![])
}

/// The open items due before `day`: the ones dunning can act on that day. Read down the
/// collectable invoices' due-date index, so next month's invoices are not read at all.
pub fn open_items_due_before(conn: &Connection, day: NaiveDate) -> rusqlite::Result<Vec<OpenItem>> {
    open_items_where(conn, "AND i.due_date < ?1", params![day])
}

/// What a customer owes on one invoice: the aging report's input, without
/// the invoice numbers and reminder steps dunning needs.
#[derive(Debug, Clone)]
pub struct OpenAmount {
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub due_date: NaiveDate,
    /// Minor units.
    pub amount_due: i64,
}

/// Every amount still due on an Open or Overdue invoice.
pub fn open_amounts(conn: &Connection) -> rusqlite::Result<Vec<OpenAmount>> {
    conn.prepare_cached(
        "SELECT customer_id, currency, due_date, \
                total_amount - amount_paid - amount_credited \
           FROM invoices \
          WHERE status IN ('Open', 'Overdue') \
            AND total_amount > amount_paid + amount_credited",
    )?
    .query_map([], |r| {
        Ok(OpenAmount {
            customer_id: r.get(0)?,
            currency: r.get(1)?,
            due_date: r.get(2)?,
            amount_due: r.get(3)?,
        })
    })?
    .collect()
}

/// A customer's Open or Overdue invoices with something still due.
pub fn open_items_of(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<Vec<OpenItem>> {
    open_items_where(conn, "AND i.customer_id = ?1", params![customer])
}

fn open_items_where(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<OpenItem>> {
    conn.prepare_cached(&format!(
        "SELECT i.id, i.invoice_number, i.customer_id, i.due_date, i.currency, \
                i.total_amount - i.amount_paid - i.amount_credited, \
                (SELECT max(step) FROM dunning_actions a \
                  WHERE a.invoice_id = i.id AND a.action = 'Reminder') \
           FROM invoices i \
          WHERE i.status IN ('Open', 'Overdue') \
            AND i.total_amount > i.amount_paid + i.amount_credited {filter} \
          ORDER BY i.due_date, i.seq"
    ))?
    .query_map(args, |r| {
        Ok(OpenItem {
            invoice_id: r.get(0)?,
            invoice_number: r.get(1)?,
            customer_id: r.get(2)?,
            due_date: r.get(3)?,
            currency: r.get(4)?,
            amount_due: r.get(5)?,
            reminded: r.get(6)?,
        })
    })?
    .collect()
}

/// The newest thing dunning did (0: nothing yet); reminders are not audit entries, so pages
/// that keep tomorrow's plan look at this as well as the audit trail.
pub fn last_action(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM dunning_actions")?
        .query_row([], |r| r.get(0))
}

/// One thing dunning did.
#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    pub at: &'a str,
    pub day: NaiveDate,
    pub customer: &'a CustomerId,
    pub invoice: Option<&'a InvoiceId>,
    pub action: DunningAction,
    pub step: Option<u32>,
    pub detail: Option<&'a str>,
}

/// Records an action; a reminder step already taken for the invoice is not recorded again
/// (returns false).
pub fn record(conn: &Connection, a: &NewAction<'_>) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO dunning_actions (at, day, customer_id, invoice_id, action, step, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            a.at,
            a.day,
            a.customer,
            a.invoice,
            a.action.as_str(),
            a.step,
            a.detail
        ])?
        > 0)
}

/// An action as the history lists it.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub at: String,
    pub day: NaiveDate,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub invoice_id: Option<InvoiceId>,
    pub invoice_number: Option<String>,
    pub action: DunningAction,
    pub step: Option<u32>,
    pub detail: Option<String>,
}

/// The latest actions, newest first; only `customer`'s when given.
pub fn history(
    conn: &Connection,
    customer: Option<&CustomerId>,
    limit: usize,
) -> rusqlite::Result<Vec<ActionRow>> {
    conn.prepare_cached(
        "SELECT a.at, a.day, a.customer_id, \
                coalesce(c.company_name, c.first_name || ' ' || c.last_name, ''), \
                a.invoice_id, i.invoice_number, a.action, a.step, a.detail \
           FROM dunning_actions a JOIN customers c ON c.id = a.customer_id \
           LEFT JOIN invoices i ON i.id = a.invoice_id \
          WHERE ?1 IS NULL OR a.customer_id = ?1 \
          ORDER BY a.seq DESC LIMIT ?2",
    )?
    .query_map(params![customer, limit as i64], |r| {
        let action: String = r.get(6)?;
        Ok(ActionRow {
            at: r.get(0)?,
            day: r.get(1)?,
            customer_id: r.get(2)?,
            customer_name: r.get(3)?,
            invoice_id: r.get(4)?,
            invoice_number: r.get(5)?,
            action: action.parse().map_err(|e: String| {
                rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
            })?,
            step: r.get(7)?,
            detail: r.get(8)?,
        })
    })?
    .collect()
}

/// A customer's exemption from dunning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemption {
    pub customer_id: CustomerId,
    pub reason: String,
    pub until: NaiveDate,
    pub created_at: String,
    pub created_by: String,
}

fn exemption_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Exemption> {
    Ok(Exemption {
        customer_id: r.get(0)?,
        reason: r.get(1)?,
        until: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
    })
}

pub fn exemption(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<Option<Exemption>> {
    conn.prepare_cached(
        "SELECT customer_id, reason, until, created_at, created_by FROM dunning_exemptions \
         WHERE customer_id = ?1",
    )?
    .query_row([customer], exemption_row)
    .optional()
}

/// Exemptions still in force on `today`.
pub fn exemptions(conn: &Connection, today: NaiveDate) -> rusqlite::Result<Vec<Exemption>> {
    conn.prepare_cached(
        "SELECT customer_id, reason, until, created_at, created_by FROM dunning_exemptions \
         WHERE until >= ?1 ORDER BY until",
    )?
    .query_map([today], exemption_row)?
    .collect()
}

pub fn put_exemption(conn: &Connection, e: &Exemption) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO dunning_exemptions (customer_id, reason, until, created_at, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO UPDATE SET \
         reason = excluded.reason, until = excluded.until, created_at = excluded.created_at, \
         created_by = excluded.created_by",
    )?
    .execute(params![
        e.customer_id,
        e.reason,
        e.until,
        e.created_at,
        e.created_by
    ])?;
    Ok(())
}

pub fn remove_exemption(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM dunning_exemptions WHERE customer_id = ?1")?
        .execute([customer])?
        > 0)
}

/// Customers dunning suspended (and has not reactivated).
pub fn suspended(conn: &Connection) -> rusqlite::Result<Vec<CustomerId>> {
    conn.prepare_cached("SELECT customer_id FROM dunning_suspensions ORDER BY customer_id")?
        .query_map([], |r| r.get(0))?
        .collect()
}

pub fn is_suspended(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM dunning_suspensions WHERE customer_id = ?1")?
        .query_row([customer], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn mark_suspended(conn: &Connection, customer: &CustomerId, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO dunning_suspensions (customer_id, suspended_at) VALUES (?1, ?2) \
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![customer, now])?;
    Ok(())
}

pub fn clear_suspended(conn: &Connection, customer: &CustomerId) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM dunning_suspensions WHERE customer_id = ?1")?
        .execute([customer])?
        > 0)
}
