use crate::db::Db;
use crate::db::{customers, invoices as sql};
use crate::domain::FieldError;
use crate::domain::ids::CustomerId;
use crate::domain::invoice::{Invoice, InvoiceFilter};
use crate::domain::page::{Page, PageRequest, Pagination};

use super::ServiceError;

/// A customer's invoices, newest first. `fromDate`/`toDate` are inclusive bounds on the invoice date.
pub async fn list_for_customer(
    db: &Db,
    customer_id: &str,
    filter: InvoiceFilter,
    page: PageRequest,
) -> Result<Page<Invoice>, ServiceError> {
    if let (Some(from), Some(to)) = (filter.from_date, filter.to_date)
        && from > to
    {
        return Err(FieldError::new("fromDate", format!("{from} is after toDate {to}")).into());
    }
    let Some(cid) = CustomerId::parse(customer_id) else {
        return Err(ServiceError::not_found("customer", customer_id));
    };
    let id = customer_id.to_owned();
    db.read(move |conn| {
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        let (items, total) = sql::list_for_customer(conn, &cid, &filter, page)?;
        Ok(Page {
            items,
            pagination: Pagination::new(page, total),
        })
    })
    .await
}
