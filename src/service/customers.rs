use crate::db::Db;
use crate::db::customers as sql;
use crate::domain::clock::Clock;
use crate::domain::customer::CustomerFilter;
use crate::domain::customer::{Customer, CustomerChanges, NewCustomer};
use crate::domain::enums::CustomerStatus;
use crate::domain::ids::CustomerId;
use crate::domain::page::{Page, PageRequest, Pagination};

use crate::error::ServiceError;

pub async fn create(db: &Db, clock: &Clock, new: NewCustomer) -> Result<Customer, ServiceError> {
    let now = clock.timestamp();
    db.write(move |conn| Ok(sql::insert(conn, new, &now)?))
        .await
}

pub async fn get(db: &Db, id: &CustomerId) -> Result<Customer, ServiceError> {
    let cid = id.clone();
    let missing = ServiceError::not_found("customer", id);
    db.read(move |conn| sql::get(conn, &cid)?.ok_or(missing))
        .await
}

pub async fn list(
    db: &Db,
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<Page<Customer>, ServiceError> {
    db.read(move |conn| {
        let (items, total) = sql::list(conn, filter, page)?;
        Ok(Page {
            items,
            pagination: Pagination::new(page, total),
        })
    })
    .await
}

/// Applies a change. A terminated customer is closed for good: nothing about it changes any more.
/// A change of status carries over to the customer's subscriptions (see
/// [`super::lifecycle::apply_customer_status`]).
pub async fn update(
    db: &Db,
    clock: &Clock,
    id: &CustomerId,
    changes: CustomerChanges,
) -> Result<Customer, ServiceError> {
    let cid = id.clone();
    let now = clock.timestamp();
    let id = id.to_owned();
    db.write(move |conn| {
        let current =
            sql::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        if current.status == CustomerStatus::Terminated {
            return Err(ServiceError::Conflict(format!(
                "customer `{id}` is terminated and can no longer be changed"
            )));
        }
        let updated = sql::update(conn, &cid, &changes, &now)?
            .ok_or_else(|| ServiceError::not_found("customer", &id))?;
        super::lifecycle::apply_customer_status(conn, &cid, current.status, updated.status, &now)?;
        Ok(updated)
    })
    .await
}

/// Customers whose name, e-mail, phone or account number contains every word of `query`
/// (words of three characters or more), with the list filters; results in creation order.
pub async fn search(
    db: &Db,
    query: &str,
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<crate::db::customer_search::SearchPage, ServiceError> {
    let Some(fts) = crate::db::customer_search::fts_query(query) else {
        return Err(crate::domain::FieldError::new(
            "q",
            "type at least three letters or digits to search",
        )
        .into());
    };
    db.read(move |conn| {
        Ok(crate::db::customer_search::search(
            conn, &fts, filter, page,
        )?)
    })
    .await
}
