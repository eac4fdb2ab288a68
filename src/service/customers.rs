use crate::db::Db;
use crate::db::customers as sql;
use crate::domain::clock::Clock;
use crate::domain::customer::CustomerFilter;
use crate::domain::customer::{Customer, CustomerChanges, NewCustomer};
use crate::domain::enums::CustomerStatus;
use crate::domain::ids::CustomerId;
use crate::domain::page::{Page, PageRequest, Pagination};

use crate::domain::event::EventType;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

use crate::db::record::Recorder;

pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    new: NewCustomer,
) -> Result<Customer, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let customer = sql::insert(conn, new, &now)?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::CustomerCreated,
            ("customer", customer.customer_id.as_str()),
            None::<&Customer>,
            &customer,
        )?;
        rec.answer(&customer)?;
        Ok(customer)
    })
    .await
}

pub async fn get(db: &Db, id: &CustomerId) -> Result<Customer, ServiceError> {
    let cid = id.clone();
    let missing = ServiceError::not_found("customer", id);
    db.read_now(move |conn| sql::get(conn, &cid)?.ok_or(missing))
        .await
}

pub async fn list(
    db: &Db,
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<Page<Customer>, ServiceError> {
    db.read_now(move |conn| {
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
    origin: &Origin,
    id: &CustomerId,
    changes: CustomerChanges,
) -> Result<Customer, ServiceError> {
    let origin = origin.clone();
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
        if let Some(kind) = changes.customer_type {
            CustomerChanges::check_names(
                kind,
                changes
                    .first_name
                    .as_deref()
                    .or(current.first_name.as_deref()),
                changes
                    .last_name
                    .as_deref()
                    .or(current.last_name.as_deref()),
                changes
                    .company_name
                    .as_deref()
                    .or(current.company_name.as_deref()),
            )
            .map_err(ServiceError::Unprocessable)?;
        }
        let updated = sql::update(conn, &cid, &changes, &now)?
            .ok_or_else(|| ServiceError::not_found("customer", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        record_update(&rec, &current, &updated)?;
        super::lifecycle::apply_customer_status(
            conn,
            &rec,
            &cid,
            current.status,
            updated.status,
            &now,
        )?;
        rec.answer(&updated)?;
        Ok(updated)
    })
    .await
}

/// The events of a customer's update: `customer.updated` when a contact or address field
/// changed, and one for a change of status; one audit entry with every changed field.
fn record_update(
    rec: &Recorder<'_>,
    before: &Customer,
    after: &Customer,
) -> Result<(), ServiceError> {
    let object = ("customer", after.customer_id.as_str());
    let mut contact_before = before.clone();
    contact_before.status = after.status;
    contact_before.updated_at.clone_from(&after.updated_at);
    let contact_changed =
        serde_json::to_value(&contact_before).ok() != serde_json::to_value(after).ok();
    let status_event = match (before.status, after.status) {
        (a, b) if a == b => None,
        (_, CustomerStatus::Suspended) => Some(EventType::CustomerSuspended),
        (_, CustomerStatus::Terminated) => Some(EventType::CustomerTerminated),
        (CustomerStatus::Suspended, CustomerStatus::Active) => Some(EventType::CustomerReactivated),
        _ => None,
    };
    if contact_changed || (status_event.is_none() && before.status != after.status) {
        rec.event(EventType::CustomerUpdated, after)?;
    }
    if let Some(event) = status_event {
        rec.event(event, after)?;
    }
    let action = match (contact_changed, status_event) {
        (false, Some(event)) => event.as_str(),
        _ => EventType::CustomerUpdated.as_str(),
    };
    Ok(rec.audit(action, object, Some(before), Some(after))?)
}

/// Customers whose name, e-mail, phone or account number contains every word of `query`
/// (words of three characters or more), with the list filters; results in creation order.
pub async fn search(
    db: &Db,
    query: &str,
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<crate::db::customer_search::SearchPage, ServiceError> {
    let query = crate::domain::text::parse_search("q", query)?;
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
