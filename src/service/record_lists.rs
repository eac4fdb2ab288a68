//! The admin UI's Subscriptions and Payments lists: every record across customers, filtered,
//! searched, sorted, counted and totalled, each row with the customer it belongs to (and, for a
//! payment, its invoice and who recorded it).

use chrono_tz::Tz;

use crate::db::Db;
use crate::db::customer_search::fts_query;
use crate::db::invoice_search::NumberQuery;
use crate::db::list_totals::CurrencySum;
use crate::db::payment_lists::{self, PaymentQuery, PaymentSearch};
use crate::db::subscription_lists::{self, SubscriptionQuery};
use crate::db::{customers, who};
use crate::domain::FieldError;
use crate::domain::clock::start_of_day;
use crate::domain::enums::ProductStatus;
use crate::domain::ids::{CustomerId, ProductId};
use crate::domain::list_order::InvoiceSearch;
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::payment::Payment;
use crate::domain::record_lists::{PaymentListing, SubscriptionListing};
use crate::domain::subscription::Subscription;
use crate::error::ServiceError;

/// A page of a list, how many match and their totals per currency.
#[derive(Debug, Clone)]
pub struct RecordPage<T> {
    pub rows: Vec<T>,
    pub total: u64,
    /// The total was counted only up to a cap; there are more.
    pub capped: bool,
    /// Every match per currency: how many, and their amounts added up (minor units).
    pub totals: Option<Vec<CurrencySum>>,
}

/// A subscription with its customer's name and account number.
#[derive(Debug, Clone)]
pub struct SubscriptionLine {
    pub subscription: Subscription,
    pub customer_name: String,
    pub account_number: String,
}

/// A payment with its invoice's number, its customer, and who recorded it.
#[derive(Debug, Clone)]
pub struct PaymentLine {
    pub payment: Payment,
    pub invoice_number: String,
    pub customer_id: Option<CustomerId>,
    pub customer_name: String,
    pub account_number: String,
    pub recorded_by: Option<Actor>,
}

/// The Subscriptions list's question in the terms of its SQL.
pub(crate) fn subscription_query(l: &SubscriptionListing) -> Result<SubscriptionQuery, FieldError> {
    let customer_fts = match &l.search {
        None => None,
        Some(text) => Some(fts_query(text).ok_or_else(|| {
            FieldError::new(
                "q",
                "type at least three letters or digits of a customer's name, account number \
                 or e-mail",
            )
        })?),
    };
    Ok(SubscriptionQuery {
        status: l.status,
        product: l.product.clone(),
        start_from: l.start_from,
        start_to: l.start_to,
        customer_fts,
    })
}

/// The Payments list's question in the terms of its SQL: days in the operator's time zone
/// become the instants they start and end at.
pub(crate) fn payment_query(tz: Tz, l: &PaymentListing) -> PaymentQuery {
    let search = l.search.as_ref().map(|text| PaymentSearch {
        number: match InvoiceSearch::parse(text) {
            Some(InvoiceSearch::Number(prefix)) => Some(NumberQuery {
                running: (prefix.len() <= 6 && prefix.chars().all(|c| c.is_ascii_digit()))
                    .then(|| prefix.parse().ok())
                    .flatten(),
                prefix,
            }),
            _ => None,
        },
        reference: text.clone(),
        customer_fts: fts_query(text),
    });
    PaymentQuery {
        method: l.method,
        from: l.paid_from.map(|d| start_of_day(tz, d)),
        until: l
            .paid_to
            .and_then(|d| d.succ_opt())
            .map(|d| start_of_day(tz, d)),
        search,
    }
}

/// A customer's name as the lists show it, and account number (empty for an unknown one).
fn customer_of(conn: &rusqlite::Connection, id: &CustomerId) -> rusqlite::Result<(String, String)> {
    Ok(customers::get(conn, id)?
        .map(|c| (c.display_name(), c.account_number.clone()))
        .unwrap_or_default())
}

pub async fn subscriptions(
    db: &Db,
    listing: SubscriptionListing,
    page: PageRequest,
) -> Result<RecordPage<SubscriptionLine>, ServiceError> {
    let query = subscription_query(&listing)?;
    let order = listing.order;
    db.read(move |conn| {
        let found = subscription_lists::list(conn, &query, order, page)?;
        let mut rows = Vec::with_capacity(found.items.len());
        for subscription in found.items {
            let (customer_name, account_number) = customer_of(conn, &subscription.customer_id)?;
            rows.push(SubscriptionLine {
                subscription,
                customer_name,
                account_number,
            });
        }
        Ok(RecordPage {
            rows,
            total: crate::db::list_totals::count(&found.totals),
            capped: false,
            totals: Some(found.totals),
        })
    })
    .await
}

pub async fn payments(
    db: &Db,
    tz: Tz,
    listing: PaymentListing,
    page: PageRequest,
) -> Result<RecordPage<PaymentLine>, ServiceError> {
    let query = payment_query(tz, &listing);
    let order = listing.order;
    db.read(move |conn| {
        let found = payment_lists::list(conn, &query, order, page)?;
        let ids: Vec<String> = found
            .items
            .iter()
            .map(|p| p.payment_id.to_string())
            .collect();
        let actors = who::actors_of(conn, &ids, "payment.recorded")?;
        let mut rows = Vec::with_capacity(found.items.len());
        for (payment, recorded_by) in found.items.into_iter().zip(actors) {
            let (invoice_number, customer_id) =
                match payment_lists::invoice_and_customer(conn, &payment.invoice_id)? {
                    Some((n, c)) => (n, Some(c)),
                    None => (String::new(), None),
                };
            let (customer_name, account_number) = match &customer_id {
                Some(c) => customer_of(conn, c)?,
                None => Default::default(),
            };
            rows.push(PaymentLine {
                payment,
                invoice_number,
                customer_id,
                customer_name,
                account_number,
                recorded_by,
            });
        }
        Ok(RecordPage {
            rows,
            // Only a search stops counting at the cap (and then has no totals); a list by its
            // filters alone counts exactly, however many.
            capped: found.totals.is_none(),
            total: found.total,
            totals: found.totals,
        })
    })
    .await
}

/// The products the Subscriptions list can be narrowed to.
pub async fn product_choices(
    db: &Db,
) -> Result<Vec<(ProductId, String, ProductStatus)>, ServiceError> {
    db.read(|conn| Ok(subscription_lists::product_choices(conn)?))
        .await
}
