//! The admin UI's invoice list: filters, a search by number or customer, the invoices of one bill
//! run, three sort orders, and the totals of what matches. The statement is put together from
//! the conditions actually asked for, so SQLite can pick the index of migration V12 that serves
//! each combination in the order it returns (an `?n IS NULL OR ...` condition would hide them).

use rusqlite::{Connection, ToSql, params_from_iter};

use super::invoices::{self, from_row};
use crate::domain::ids::BillRunId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::list_order::{InvoiceSort, Order};
use crate::domain::money::Currency;
use crate::domain::page::PageRequest;

/// Most rows a count reads; past it the list says "more than".
pub const COUNT_CAP: u64 = 10_000;
/// Totals of everything that matches are summed when at most this many match (a sum reads every
/// row, so a list of a whole year shows the totals of its page and says so).
pub const TOTALS_CAP: u64 = 5_000;
/// Most customers an invoice search by customer looks at (written into its statement).
pub const CUSTOMER_CAP: u64 = 200;

/// What to look for in the invoice numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberQuery {
    /// Numbers starting with this (upper case).
    pub prefix: String,
    /// Numbers whose running part is this, in any year (`123` finds `INV-2026-000123`).
    pub running: Option<u32>,
}

/// The invoice list's question, with the search already resolved to SQL-level terms.
#[derive(Debug, Clone, Default)]
pub struct InvoiceQuery {
    pub filter: InvoiceFilter,
    pub bill_run: Option<BillRunId>,
    pub number: Option<NumberQuery>,
    /// An FTS5 query over customers (see `customer_search::fts_query`).
    pub customer_fts: Option<String>,
}

/// Per currency: how many, their total, what is still due (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: Currency,
    pub invoices: u64,
    pub total: i64,
    pub due: i64,
}

#[derive(Debug, Clone)]
pub struct InvoiceRows {
    pub items: Vec<Invoice>,
    /// Matches, counted up to [`COUNT_CAP`] + 1.
    pub total: u64,
    /// The totals of every match, when there are at most [`TOTALS_CAP`].
    pub totals: Option<Vec<CurrencyTotal>>,
}

/// The WHERE clause and its arguments for `q`.
fn conditions(q: &InvoiceQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(s) = q.filter.status {
        conds.push("status = ?");
        args.push(Box::new(s));
    }
    if let Some(d) = q.filter.from_date {
        conds.push("invoice_date >= ?");
        args.push(Box::new(d));
    }
    if let Some(d) = q.filter.to_date {
        conds.push("invoice_date <= ?");
        args.push(Box::new(d));
    }
    if let Some(r) = &q.bill_run {
        conds.push("bill_run_id = ?");
        args.push(Box::new(r.to_string()));
    }
    if let Some(n) = &q.number {
        // Numbers are capitals, digits and dashes, all sorting before `~`.
        match n.running {
            Some(running) => {
                conds.push(
                    "((invoice_number >= ? AND invoice_number < ? || '~') OR invoice_number IN \
                     (SELECT printf('INV-%d-%06d', year, ?) FROM invoice_number_counters))",
                );
                args.push(Box::new(n.prefix.clone()));
                args.push(Box::new(n.prefix.clone()));
                args.push(Box::new(i64::from(running)));
            }
            None => {
                conds.push("invoice_number >= ? AND invoice_number < ? || '~'");
                args.push(Box::new(n.prefix.clone()));
                args.push(Box::new(n.prefix.clone()));
            }
        }
    }
    if let Some(fts) = &q.customer_fts {
        conds.push(
            "customer_id IN (SELECT c.id FROM customer_search s JOIN customers c \
             ON c.seq = s.rowid WHERE customer_search MATCH ? ORDER BY s.rowid LIMIT 200)",
        );
        args.push(Box::new(fts.clone()));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (clause, args)
}

/// The ORDER BY for `order`. A bill run's invoices share their dates, so they are listed in the
/// order they were numbered, which its index keeps.
fn order_by(q: &InvoiceQuery, order: Order<InvoiceSort>) -> String {
    let dir = if order.desc { "DESC" } else { "ASC" };
    if q.bill_run.is_some() {
        return format!("seq {dir}");
    }
    match order.by {
        InvoiceSort::Date => format!("invoice_date {dir}, seq {dir}"),
        InvoiceSort::Due => format!("due_date {dir}, seq {dir}"),
        InvoiceSort::Number => format!("invoice_number {dir}"),
    }
}

/// One page of the invoices `q` asks for, without their lines.
pub fn list(
    conn: &Connection,
    q: &InvoiceQuery,
    order: Order<InvoiceSort>,
    page: PageRequest,
) -> rusqlite::Result<InvoiceRows> {
    let (clause, args) = conditions(q);
    let tx = conn.unchecked_transaction()?;
    // The LIMITs are written into the statements (constants, and the page size a validated
    // number): SQLite plans a statement again whenever a bound LIMIT changes.
    let count_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM invoices {clause} LIMIT {})",
            COUNT_CAP + 1
        ))?
        .query_row(params_from_iter(count_args), |r| r.get(0))?;
    let total = total as u64;
    let offset = page.offset() as i64;
    let mut page_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    page_args.push(&offset);
    let items = conn
        .prepare_cached(&format!(
            "SELECT {} FROM invoices {clause} ORDER BY {} LIMIT {} OFFSET ?",
            invoices::COLUMNS,
            order_by(q, order),
            page.page_size
        ))?
        .query_map(params_from_iter(page_args), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let totals = if total <= TOTALS_CAP {
        let sum_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = conn
            .prepare_cached(&format!(
                "SELECT currency, COUNT(*), SUM(total_amount), \
                 SUM(CASE WHEN status IN ('Open', 'Overdue') THEN total_amount - amount_paid \
                 ELSE 0 END) FROM invoices {clause} GROUP BY currency ORDER BY currency"
            ))?
            .query_map(params_from_iter(sum_args), |r| {
                Ok(CurrencyTotal {
                    currency: r.get(0)?,
                    invoices: r.get::<_, i64>(1)? as u64,
                    total: r.get(2)?,
                    due: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Some(rows)
    } else {
        None
    };
    tx.commit()?;
    Ok(InvoiceRows {
        items,
        total,
        totals,
    })
}
