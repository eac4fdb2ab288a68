//! The admin UI's Payments list across invoices: filtered by method and the time paid, searched
//! by invoice number, reference or customer, in the order paid or by amount. A page reads one
//! index of migrations V12 and V15 in list order; its count and totals come from the sums V15
//! keeps. A search gathers its matches first (each way of matching through its own index, at
//! most [`COUNT_CAP`] + 1 each), then lists them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ToSql, params_from_iter};

use super::invoice_search::NumberQuery;
use super::list_totals::{self, CurrencySum, PaymentSums};
use super::payments::{COLUMNS, from_row};
use crate::domain::date::format_timestamp;
use crate::domain::enums::PaymentMethod;
use crate::domain::list_order::Order;
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;
use crate::domain::record_lists::PaymentSort;

/// Most matches a search counts; past it the list says "more than".
pub const COUNT_CAP: u64 = 10_000;

/// What a search looks for; a payment matching any of them is found.
#[derive(Debug, Clone, Default)]
pub struct PaymentSearch {
    /// Payments of invoices with such numbers.
    pub number: Option<NumberQuery>,
    /// References starting with this, in any case.
    pub reference: String,
    /// Payments of the customers this FTS5 query finds (the first 200).
    pub customer_fts: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PaymentQuery {
    pub method: Option<PaymentMethod>,
    /// Paid at or after.
    pub from: Option<DateTime<Utc>>,
    /// Paid before.
    pub until: Option<DateTime<Utc>>,
    pub search: Option<PaymentSearch>,
}

#[derive(Debug, Clone)]
pub struct PaymentRows {
    pub items: Vec<Payment>,
    /// Every match per currency, unless a search found more than [`COUNT_CAP`].
    pub totals: Option<Vec<CurrencySum>>,
    /// Matches, exact unless a search found more than [`COUNT_CAP`] (then `COUNT_CAP + 1`).
    pub total: u64,
}

/// The method and time conditions, each with its argument.
fn filters(q: &PaymentQuery) -> (Vec<&'static str>, Vec<Box<dyn ToSql>>) {
    let mut conds = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(m) = q.method {
        conds.push("method = ?");
        args.push(Box::new(m));
    }
    if let Some(t) = q.from {
        conds.push("paid_at >= ?");
        args.push(Box::new(format_timestamp(t)));
    }
    if let Some(t) = q.until {
        conds.push("paid_at < ?");
        args.push(Box::new(format_timestamp(t)));
    }
    (conds, args)
}

/// The statement listing the `seq` of every payment a search finds (with the filters), and its
/// arguments: one branch per way of matching, each through its own index and cut at the cap.
fn search_seqs(q: &PaymentQuery, s: &PaymentSearch) -> (String, Vec<Box<dyn ToSql>>) {
    let mut branches: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut branch = |index: &str, cond: &str, own: Vec<Box<dyn ToSql>>| {
        let (conds, filter_args) = filters(q);
        let mut all = vec![cond.to_owned()];
        all.extend(conds.iter().map(|c| (*c).to_owned()));
        branches.push(format!(
            "SELECT seq FROM (SELECT seq FROM payments INDEXED BY {index} WHERE {} LIMIT {})",
            all.join(" AND "),
            COUNT_CAP + 1
        ));
        args.extend(own);
        args.extend(filter_args);
    };
    if let Some(n) = &s.number {
        // Numbers are capitals, digits and dashes, all sorting before `~`.
        let mut own: Vec<Box<dyn ToSql>> =
            vec![Box::new(n.prefix.clone()), Box::new(n.prefix.clone())];
        let running = match n.running {
            Some(r) => {
                own.push(Box::new(i64::from(r)));
                " OR invoice_number IN \
                 (SELECT printf('INV-%d-%06d', year, ?) FROM invoice_number_counters)"
            }
            None => "",
        };
        branch(
            "payments_by_invoice",
            &format!(
                "invoice_id IN (SELECT id FROM invoices WHERE \
                 (invoice_number >= ? AND invoice_number < ? || '~'){running})"
            ),
            own,
        );
    }
    let upper = format!("{}\u{10FFFF}", s.reference);
    branch(
        "payments_by_reference",
        "reference IS NOT NULL AND reference COLLATE NOCASE >= ? \
         AND reference COLLATE NOCASE < ?",
        vec![Box::new(s.reference.clone()), Box::new(upper)],
    );
    if let Some(fts) = &s.customer_fts {
        branch(
            "payments_by_invoice",
            "invoice_id IN (SELECT i.id FROM invoices i WHERE i.customer_id IN \
             (SELECT c.id FROM customer_search s JOIN customers c ON c.seq = s.rowid \
              WHERE customer_search MATCH ? ORDER BY s.rowid LIMIT 200))",
            vec![Box::new(fts.clone())],
        );
    }
    (branches.join(" UNION "), args)
}

/// The index a page without a search is read through.
fn index(q: &PaymentQuery, by: PaymentSort, reads_in_order: bool) -> &'static str {
    match (by, q.method) {
        (PaymentSort::Amount, _) if reads_in_order => "payments_by_amount",
        (_, Some(_)) => "payments_by_method_paid_at",
        (_, None) => "payments_by_paid_at",
    }
}

fn order_by(order: Order<PaymentSort>) -> String {
    let dir = if order.desc { "DESC" } else { "ASC" };
    match order.by {
        // The columns of the time-paid indexes: payments paid at the same moment (a batch
        // imported from a bank file) are read in index order, with nothing left to sort.
        PaymentSort::Paid => format!("paid_at {dir}, currency {dir}, amount {dir}, seq {dir}"),
        PaymentSort::Amount => format!("amount {dir}, seq {dir}"),
    }
}

/// `FROM … WHERE …` of the payments `q` asks for, read through the index a page of `order`
/// ending at row `end` is best found with, and its arguments.
fn source(
    conn: &Connection,
    q: &PaymentQuery,
    order: Order<PaymentSort>,
    matches: u64,
    end: Option<u64>,
) -> rusqlite::Result<(String, Vec<Box<dyn ToSql>>)> {
    if let Some(s) = &q.search {
        // The matches by their rowids; no index of the table itself.
        let (seqs, args) = search_seqs(q, s);
        return Ok((
            format!("FROM payments NOT INDEXED WHERE seq IN ({seqs})"),
            args,
        ));
    }
    let in_order = order.by == PaymentSort::Amount
        && match end {
            None => true,
            Some(end) => {
                let all =
                    list_totals::count(&list_totals::payments(conn, &PaymentSums::default())?);
                super::subscription_lists::reads_in_order(end, all, matches)
            }
        };
    let (conds, args) = filters(q);
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    Ok((
        format!(
            "FROM payments INDEXED BY {} {clause}",
            index(q, order.by, in_order)
        ),
        args,
    ))
}

/// One page of the payments `q` asks for, how many match and their totals.
pub fn list(
    conn: &Connection,
    q: &PaymentQuery,
    order: Order<PaymentSort>,
    page: PageRequest,
) -> rusqlite::Result<PaymentRows> {
    let tx = conn.unchecked_transaction()?;
    let (total, totals) = match &q.search {
        None => {
            let sums = list_totals::payments(
                conn,
                &PaymentSums {
                    method: q.method,
                    from: q.from,
                    until: q.until,
                },
            )?;
            (list_totals::count(&sums), Some(sums))
        }
        Some(s) => {
            let (seqs, args) = search_seqs(q, s);
            let found: i64 = conn
                .prepare_cached(&format!("SELECT COUNT(*) FROM ({seqs})"))?
                .query_row(params_from_iter(args.iter().map(|a| a.as_ref())), |r| {
                    r.get(0)
                })?;
            let found = found as u64;
            let totals = if found <= COUNT_CAP {
                let mut sums = Vec::new();
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT currency, COUNT(*), SUM(amount) FROM payments NOT INDEXED \
                     WHERE seq IN ({seqs}) GROUP BY currency ORDER BY currency"
                ))?;
                let mut rows = stmt.query(params_from_iter(args.iter().map(|a| a.as_ref())))?;
                while let Some(r) = rows.next()? {
                    list_totals::add(&mut sums, r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
                }
                Some(sums)
            } else {
                None
            };
            (found.min(COUNT_CAP + 1), totals)
        }
    };
    let items = if total == 0 {
        Vec::new()
    } else {
        let end = page.offset() + u64::from(page.page_size);
        let (from, args) = source(conn, q, order, total, Some(end))?;
        let offset = page.offset() as i64;
        let mut page_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        page_args.push(&offset);
        conn.prepare_cached(&format!(
            "SELECT {COLUMNS} {from} ORDER BY {} LIMIT {} OFFSET ?",
            order_by(order),
            page.page_size
        ))?
        .query_map(params_from_iter(page_args), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    tx.commit()?;
    Ok(PaymentRows {
        items,
        totals,
        total,
    })
}

/// Every payment `q` asks for, in `order`: what the list's export holds.
pub fn all(
    conn: &Connection,
    q: &PaymentQuery,
    order: Order<PaymentSort>,
) -> rusqlite::Result<Vec<Payment>> {
    let (from, args) = source(conn, q, order, 0, None)?;
    conn.prepare(&format!(
        "SELECT {COLUMNS} {from} ORDER BY {}",
        order_by(order)
    ))?
    .query_map(params_from_iter(args.iter().map(|a| a.as_ref())), from_row)?
    .collect()
}

/// The number and the customer of the invoice a payment paid.
pub fn invoice_and_customer(
    conn: &Connection,
    invoice: &crate::domain::ids::InvoiceId,
) -> rusqlite::Result<Option<(String, crate::domain::ids::CustomerId)>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT invoice_number, customer_id FROM invoices WHERE id = ?1")?
        .query_row([invoice], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}
