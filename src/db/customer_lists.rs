//! The customer list in the orders and date ranges the admin UI offers (the API lists in
//! creation order only, in `customers`). Every query here walks an index of migration V12 in
//! the order it returns, so a page reads its own rows and the index entries before them.

use rusqlite::{Connection, params};

use super::customers::{self, COLUMNS, from_row, query_page};
use crate::domain::customer::{Customer, CustomerFilter};
use crate::domain::list_order::{CustomerSort, Order};
use crate::domain::page::PageRequest;

/// Most rows a date-range count reads; past it the list says "more than".
pub const COUNT_CAP: u64 = 100_000;

/// Creation-time bounds: RFC 3339 instants, `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    pub from: Option<String>,
    pub until: Option<String>,
}

impl Created {
    fn is_set(&self) -> bool {
        self.from.is_some() || self.until.is_some()
    }
}

/// One page of customers in `order`, and how many match (exact without a date range; counted up
/// to [`COUNT_CAP`] with one).
pub fn list(
    conn: &Connection,
    filter: CustomerFilter,
    created: &Created,
    order: Order<CustomerSort>,
    page: PageRequest,
) -> rusqlite::Result<(Vec<Customer>, u64)> {
    if created.is_set() {
        return list_created(conn, filter, created, order, page);
    }
    match order.by {
        CustomerSort::Account => customers::list_in_creation_order(conn, filter, page, order.desc),
        CustomerSort::Name => {
            let tx = conn.unchecked_transaction()?;
            let total = customers::count(conn, filter)?;
            let dir = if order.desc { "DESC" } else { "ASC" };
            // The status filter has an index in name order; a type alone is checked on the
            // name index's rows (one customer in ten is the rarest type).
            let (index, status_test) = match filter.status {
                Some(_) => ("customers_by_status_name", "status = ?1"),
                None => ("customers_by_name", "?1 IS NULL"),
            };
            let rows = query_page(
                conn,
                &format!(
                    "INDEXED BY {index} WHERE {status_test} \
                     AND (?2 IS NULL OR customer_type = ?2) \
                     ORDER BY sort_name {dir}, seq {dir}"
                ),
                params![filter.status, filter.customer_type, page.offset() as i64],
                page.page_size as usize,
            )?;
            tx.commit()?;
            Ok((rows, total))
        }
    }
}

/// Customers created within a range, through `customers_by_created` (creation time runs with
/// creation order, so account order is the index's own order).
fn list_created(
    conn: &Connection,
    filter: CustomerFilter,
    created: &Created,
    order: Order<CustomerSort>,
    page: PageRequest,
) -> rusqlite::Result<(Vec<Customer>, u64)> {
    const WHERE: &str = "WHERE created_at >= COALESCE(?1, '') \
        AND (?2 IS NULL OR created_at < ?2) AND (?3 IS NULL OR status = ?3) \
        AND (?4 IS NULL OR customer_type = ?4)";
    let tx = conn.unchecked_transaction()?;
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM customers INDEXED BY customers_by_created \
             {WHERE} LIMIT {})",
            COUNT_CAP + 1
        ))?
        .query_row(
            params![
                created.from,
                created.until,
                filter.status,
                filter.customer_type
            ],
            |r| r.get(0),
        )?;
    let dir = if order.desc { "DESC" } else { "ASC" };
    let order_by = match order.by {
        CustomerSort::Account => format!("created_at {dir}, seq {dir}"),
        CustomerSort::Name => format!("sort_name {dir}, seq {dir}"),
    };
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM customers INDEXED BY customers_by_created {WHERE} \
             ORDER BY {order_by} LIMIT {} OFFSET ?5",
            page.page_size
        ))?
        .query_map(
            params![
                created.from,
                created.until,
                filter.status,
                filter.customer_type,
                page.offset() as i64
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    tx.commit()?;
    Ok((rows, total as u64))
}

/// The day each customer's first subscription started, for "Customer since": a customer entered
/// after the service began is a customer since the service began.
pub fn first_subscription_start(
    conn: &Connection,
    customer: &crate::domain::ids::CustomerId,
) -> rusqlite::Result<Option<chrono::NaiveDate>> {
    conn.prepare_cached("SELECT MIN(start_date) FROM subscriptions WHERE customer_id = ?1")?
        .query_row([customer], |r| r.get(0))
}

/// Whether the catalog has a product (not an add-on) on sale.
pub fn has_active_products(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM products WHERE status = 'Active' AND product_type <> 'Addon')",
    )?
    .query_row([], |r| r.get(0))
}
