//! The admin UI's lists beyond the API's: customers and invoices sorted, searched and narrowed by
//! date, and who did what (from the audit trail).

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::db::Db;
use crate::db::bill_run_lists;
use crate::db::customer_lists::{self, Created};
use crate::db::customer_search::{self, fts_query};
use crate::db::invoice_search::{self, InvoiceQuery, InvoiceRows, NumberQuery};
use crate::db::{customers, who};
use crate::domain::FieldError;
use crate::domain::bill_run::BillRun;
use crate::domain::clock::start_of_day;
use crate::domain::customer::Customer;
use crate::domain::date::format_timestamp;
use crate::domain::ids::{BillRunId, CustomerId};
use crate::domain::invoice::Invoice;
use crate::domain::list_order::{
    CustomerListing, CustomerSort, InvoiceListing, InvoiceSearch, RunFilter,
};
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::period::Period;
use crate::error::ServiceError;

/// A page of customers and how many match.
#[derive(Debug, Clone)]
pub struct CustomerRows {
    pub items: Vec<Customer>,
    pub total: u64,
    /// The total was counted only up to a cap; there are more.
    pub capped: bool,
}

/// The instants a range of days in `tz` spans: from the start of `from` to the start of the day
/// after `to`.
fn day_bounds(tz: Tz, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Created {
    Created {
        from: from.map(|d| format_timestamp(start_of_day(tz, d))),
        until: to
            .and_then(|d| d.succ_opt())
            .map(|d| format_timestamp(start_of_day(tz, d))),
    }
}

fn check_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    field: &str,
) -> Result<(), FieldError> {
    match (from, to) {
        (Some(a), Some(b)) if a > b => Err(FieldError::new(
            field,
            format!("{a} is after the end of the range, {b}"),
        )),
        _ => Ok(()),
    }
}

/// Customers as the list page asks for them. A search keeps creation order (newest first when
/// the account order is reversed): sorting every match of a common word by name would read them
/// all.
pub async fn customers(
    db: &Db,
    tz: Tz,
    listing: CustomerListing,
    search: &str,
    page: PageRequest,
) -> Result<CustomerRows, ServiceError> {
    check_range(listing.since_from, listing.since_to, "since")?;
    let created = day_bounds(tz, listing.since_from, listing.since_to);
    let search = crate::domain::text::parse_search("q", search)?.trim();
    if !search.is_empty() {
        let Some(fts) = fts_query(search) else {
            return Err(
                FieldError::new("q", "type at least three letters or digits to search").into(),
            );
        };
        let newest_first = listing.order.by == CustomerSort::Account && listing.order.desc;
        return db
            .read(move |conn| {
                let r = customer_search::search_in(
                    conn,
                    &fts,
                    listing.filter,
                    &created,
                    newest_first,
                    page,
                )?;
                Ok(CustomerRows {
                    capped: r.capped(),
                    total: r.total.min(customer_search::COUNT_CAP + 1),
                    items: r.items,
                })
            })
            .await;
    }
    db.read(move |conn| {
        let (items, total) =
            customer_lists::list(conn, listing.filter, &created, listing.order, page)?;
        Ok(CustomerRows {
            items,
            capped: listing.has_dates() && total > customer_lists::COUNT_CAP,
            total,
        })
    })
    .await
}

/// A page of invoices, each with its customer's name, how many match and their totals.
#[derive(Debug, Clone)]
pub struct InvoicePage {
    pub rows: Vec<(Invoice, String)>,
    pub total: u64,
    pub capped: bool,
    pub totals: Option<Vec<invoice_search::CurrencyTotal>>,
    /// The search looked at the first [`invoice_search::CUSTOMER_CAP`] matching customers only.
    pub by_customer: bool,
}

/// Invoices as the list page asks for them. A search shaped like an invoice number looks for
/// numbers first and, finding none, for customers (a phone number looks like an invoice number).
pub async fn invoices(
    db: &Db,
    listing: InvoiceListing,
    page: PageRequest,
) -> Result<InvoicePage, ServiceError> {
    super::invoices::check_filter(&listing.filter)?;
    if let Some(InvoiceSearch::Number(text) | InvoiceSearch::Customer(text)) = &listing.search {
        crate::domain::text::parse_search("q", text)?;
    }
    let mut query = InvoiceQuery {
        filter: listing.filter.clone(),
        bill_run: listing.bill_run.clone(),
        ..Default::default()
    };
    let mut fallback = None;
    match &listing.search {
        None => {}
        Some(InvoiceSearch::Number(text)) => {
            let running = (text.len() <= 6 && text.chars().all(|c| c.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten();
            query.number = Some(NumberQuery {
                prefix: text.clone(),
                running,
            });
            fallback = fts_query(text);
        }
        Some(InvoiceSearch::Customer(text)) => {
            let fts = fts_query(text).ok_or_else(|| {
                FieldError::new(
                    "q",
                    "type at least three letters or digits, or an invoice number",
                )
            })?;
            query.customer_fts = Some(fts);
        }
    }
    let order = listing.order;
    db.read(move |conn| {
        let mut rows: InvoiceRows = invoice_search::list(conn, &query, order, page)?;
        let mut by_customer = query.customer_fts.is_some();
        if rows.total == 0
            && let Some(fts) = fallback
        {
            query.number = None;
            query.customer_fts = Some(fts);
            rows = invoice_search::list(conn, &query, order, page)?;
            by_customer = true;
        }
        let mut named = Vec::with_capacity(rows.items.len());
        for inv in rows.items {
            let name = customers::get(conn, &inv.customer_id)?
                .map(|c| c.display_name())
                .unwrap_or_default();
            named.push((inv, name));
        }
        Ok(InvoicePage {
            rows: named,
            capped: rows.total > invoice_search::COUNT_CAP,
            total: rows.total.min(invoice_search::COUNT_CAP + 1),
            totals: rows.totals,
            by_customer,
        })
    })
    .await
}

/// Who most recently did `action` to each of `object_ids` (payments recorded, invoices
/// cancelled, runs finished), in the same order.
pub async fn actors(
    db: &Db,
    object_ids: Vec<String>,
    action: &'static str,
) -> Result<Vec<Option<Actor>>, ServiceError> {
    db.read(move |conn| Ok(who::actors_of(conn, &object_ids, action)?))
        .await
}

/// Who made each refund (`payment.refunded` on its payment, at the time it was made).
pub async fn refund_actors(
    db: &Db,
    refunds: Vec<(String, String)>,
) -> Result<Vec<Option<Actor>>, ServiceError> {
    db.read(move |conn| {
        let mut who = Vec::with_capacity(refunds.len());
        for (payment, at) in &refunds {
            who.push(who::actor_at(conn, payment, "payment.refunded", at)?);
        }
        Ok(who)
    })
    .await
}

/// Who did `action` to `object_id` last, and when.
pub async fn actor(
    db: &Db,
    object_id: String,
    action: &'static str,
) -> Result<Option<(Actor, String)>, ServiceError> {
    db.read(move |conn| Ok(who::actor_of(conn, &object_id, action)?))
        .await
}

/// What a customer's page shows beside the customer's own records.
#[derive(Debug, Clone, Default)]
pub struct CustomerFacts {
    /// When its first subscription started.
    pub first_start: Option<NaiveDate>,
    /// Who recorded each of the payments asked about, in order.
    pub payment_actors: Vec<Option<Actor>>,
    /// Who cancelled each of the subscriptions asked about, in order.
    pub cancel_actors: Vec<Option<Actor>>,
    /// Whether the catalog has anything to subscribe to.
    pub has_products: bool,
}

pub async fn customer_facts(
    db: &Db,
    customer: &CustomerId,
    payments: Vec<String>,
    cancelled: Vec<String>,
) -> Result<CustomerFacts, ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| {
        Ok(CustomerFacts {
            first_start: customer_lists::first_subscription_start(conn, &cid)?,
            payment_actors: who::actors_of(conn, &payments, "payment.recorded")?,
            cancel_actors: who::actors_of(conn, &cancelled, "subscription.cancelled")?,
            has_products: customer_lists::has_active_products(conn)?,
        })
    })
    .await
}

/// The day a customer's first subscription started, if it has any.
pub async fn first_subscription_start(
    db: &Db,
    customer: &CustomerId,
) -> Result<Option<NaiveDate>, ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| Ok(customer_lists::first_subscription_start(conn, &cid)?))
        .await
}

/// Runs with who ran each (from their audit entries; `None` while still running).
pub async fn bill_runs(
    db: &Db,
    filter: RunFilter,
    page: PageRequest,
) -> Result<(Vec<(BillRun, Option<Actor>)>, u64), ServiceError> {
    if let (Some(a), Some(b)) = (filter.from, filter.to)
        && a > b
    {
        return Err(FieldError::new("from", format!("{a} is after {b}")).into());
    }
    db.read(move |conn| {
        let (runs, total) = bill_run_lists::list(conn, &filter, page)?;
        let mut out = Vec::with_capacity(runs.len());
        for r in runs {
            let who = match &r.bill_run_id {
                Some(id) => bill_run_lists::started_by(conn, id.as_str())?,
                None => None,
            };
            out.push((r, who));
        }
        Ok((out, total))
    })
    .await
}

/// The periods a run has completed, oldest first.
pub async fn billed_periods(db: &Db) -> Result<Vec<Period>, ServiceError> {
    db.read(|conn| Ok(bill_run_lists::billed_periods(conn)?))
        .await
}

/// Who ran a bill run, once it has ended.
pub async fn run_started_by(db: &Db, run: &BillRunId) -> Result<Option<Actor>, ServiceError> {
    let id = run.to_string();
    db.read(move |conn| Ok(bill_run_lists::started_by(conn, &id)?))
        .await
}
