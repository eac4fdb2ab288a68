//! The admin UI's Subscriptions list across customers: filtered by status, product and start
//! date, searched by customer, in start-date or monthly-charge order. Each page reads one index
//! of migration V15 in list order (named with `INDEXED BY`, so the plan never depends on what
//! SQLite guesses); its count and totals come from the sums that migration keeps.

use rusqlite::{Connection, ToSql, params_from_iter};

use super::list_totals::{self, CurrencySum, SubscriptionSums};
use super::subscriptions::{COLUMNS, from_row, load_addons};
use crate::domain::enums::{ProductStatus, SubscriptionStatus};
use crate::domain::ids::ProductId;
use crate::domain::list_order::Order;
use crate::domain::page::PageRequest;
use crate::domain::record_lists::SubscriptionSort;
use crate::domain::subscription::Subscription;

/// Most customers a search looks at (the first found, in account order).
pub const CUSTOMER_CAP: u64 = 200;

/// The list's question with the search resolved to an FTS5 query over customers.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionQuery {
    pub status: Option<SubscriptionStatus>,
    pub product: Option<ProductId>,
    pub start_from: Option<chrono::NaiveDate>,
    pub start_to: Option<chrono::NaiveDate>,
    /// Only the subscriptions of the customers this finds (see `customer_search::fts_query`).
    pub customer_fts: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SubscriptionRows {
    pub items: Vec<Subscription>,
    /// Every match, per currency: how many and what they charge a month.
    pub totals: Vec<CurrencySum>,
}

/// The WHERE clause and its arguments.
fn conditions(q: &SubscriptionQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(fts) = &q.customer_fts {
        conds.push(
            "customer_id IN (SELECT c.id FROM customer_search s JOIN customers c \
             ON c.seq = s.rowid WHERE customer_search MATCH ? ORDER BY s.rowid LIMIT 200)",
        );
        args.push(Box::new(fts.clone()));
    }
    if let Some(s) = q.status {
        conds.push("status = ?");
        args.push(Box::new(s));
    }
    if let Some(p) = &q.product {
        conds.push("product_id = ?");
        args.push(Box::new(p.clone()));
    }
    if let Some(d) = q.start_from {
        conds.push("start_date >= ?");
        args.push(Box::new(d));
    }
    if let Some(d) = q.start_to {
        conds.push("start_date <= ?");
        args.push(Box::new(d));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (clause, args)
}

/// The index a page is read through. `reads_in_order` says whether reading the charge order's
/// own index finds the page sooner than finding every match and sorting them.
fn index(q: &SubscriptionQuery, by: SubscriptionSort, reads_in_order: bool) -> &'static str {
    if q.customer_fts.is_some() {
        return "subscriptions_by_customer";
    }
    let by_filter = if q.product.is_some() {
        "subscriptions_by_product_start"
    } else if q.status.is_some() {
        "subscriptions_by_status_start"
    } else {
        "subscriptions_by_start"
    };
    match by {
        SubscriptionSort::Start => by_filter,
        SubscriptionSort::Charge if !reads_in_order => by_filter,
        SubscriptionSort::Charge if q.status.is_some() => "subscriptions_by_status_charge",
        SubscriptionSort::Charge => "subscriptions_by_charge",
    }
}

fn order_by(order: Order<SubscriptionSort>) -> String {
    let dir = if order.desc { "DESC" } else { "ASC" };
    match order.by {
        SubscriptionSort::Start => format!("start_date {dir}, seq {dir}"),
        SubscriptionSort::Charge => format!("monthly_charge {dir}, seq {dir}"),
    }
}

/// Whether a page ending at row `end` is found sooner by reading an order's index of `all` rows
/// (about one in `all / matches` of them match) than by reading the `matches` and sorting them.
pub fn reads_in_order(end: u64, all: u64, matches: u64) -> bool {
    end.saturating_mul(all) / matches.max(1) < matches
}

/// Every match's count and totals: kept sums, or for a search (a few hundred customers at
/// most) the matches themselves.
fn totals(conn: &Connection, q: &SubscriptionQuery) -> rusqlite::Result<Vec<CurrencySum>> {
    if q.customer_fts.is_none() {
        return list_totals::subscriptions(
            conn,
            &SubscriptionSums {
                status: q.status,
                product: q.product.as_ref(),
                from: q.start_from,
                to: q.start_to,
            },
        );
    }
    let (clause, args) = conditions(q);
    let mut sums = Vec::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT currency, COUNT(*), SUM(monthly_charge) FROM subscriptions \
         INDEXED BY subscriptions_by_customer {clause} GROUP BY currency ORDER BY currency"
    ))?;
    let mut rows = stmt.query(params_from_iter(args.iter().map(|a| a.as_ref())))?;
    while let Some(r) = rows.next()? {
        list_totals::add(&mut sums, r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
    }
    Ok(sums)
}

/// One page of the subscriptions `q` asks for (without their add-ons), and every match's count
/// and totals.
pub fn list(
    conn: &Connection,
    q: &SubscriptionQuery,
    order: Order<SubscriptionSort>,
    page: PageRequest,
) -> rusqlite::Result<SubscriptionRows> {
    let tx = conn.unchecked_transaction()?;
    let totals = totals(conn, q)?;
    let matches = list_totals::count(&totals);
    let in_order = order.by == SubscriptionSort::Charge && {
        let all = list_totals::count(&list_totals::subscriptions(
            conn,
            &SubscriptionSums::default(),
        )?);
        reads_in_order(page.offset() + u64::from(page.page_size), all, matches)
    };
    let items = if matches == 0 {
        Vec::new()
    } else {
        let (clause, args) = conditions(q);
        let offset = page.offset() as i64;
        let mut page_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        page_args.push(&offset);
        // The page size is written into the statement (a validated number): SQLite plans a
        // statement again whenever a bound LIMIT changes.
        conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM subscriptions INDEXED BY {} {clause} ORDER BY {} \
             LIMIT {} OFFSET ?",
            index(q, order.by, in_order),
            order_by(order),
            page.page_size
        ))?
        .query_map(params_from_iter(page_args), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    tx.commit()?;
    Ok(SubscriptionRows { items, totals })
}

/// Every subscription `q` asks for, in `order`, with its add-ons: what the list's export holds.
pub fn all(
    conn: &Connection,
    q: &SubscriptionQuery,
    order: Order<SubscriptionSort>,
) -> rusqlite::Result<Vec<Subscription>> {
    let (clause, args) = conditions(q);
    let mut subs = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM subscriptions INDEXED BY {} {clause} ORDER BY {}",
            index(q, order.by, order.by == SubscriptionSort::Charge),
            order_by(order)
        ))?
        .query_map(params_from_iter(args.iter().map(|a| a.as_ref())), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for s in &mut subs {
        load_addons(conn, s)?;
    }
    Ok(subs)
}

/// The products a subscription can be to (add-ons are subscribed to with one), by name: the
/// list's product filter.
pub fn product_choices(
    conn: &Connection,
) -> rusqlite::Result<Vec<(ProductId, String, ProductStatus)>> {
    conn.prepare_cached(
        "SELECT id, name, status FROM products WHERE product_type <> 'Addon' \
         ORDER BY lower(name), seq",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_charge_order_reads_its_index_only_when_matches_are_many() {
        // Every subscription matches: the first page is the first 25 of the index.
        assert!(reads_in_order(25, 80_000, 80_000));
        // Ten match: finding them is cheaper than reading 80,000 in order for them.
        assert!(!reads_in_order(25, 80_000, 10));
        let q = SubscriptionQuery {
            status: Some(SubscriptionStatus::Pending),
            ..Default::default()
        };
        assert_eq!(
            index(&q, SubscriptionSort::Charge, false),
            "subscriptions_by_status_start"
        );
        assert_eq!(
            index(&q, SubscriptionSort::Charge, true),
            "subscriptions_by_status_charge"
        );
    }
}
