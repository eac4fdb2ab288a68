use chrono::NaiveDate;

use crate::db::Db;
use crate::db::{customers, invoices as sql, subscriptions};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::enums::LineKind;
use crate::domain::ids::{CustomerId, InvoiceId, ProductId, SubscriptionId};
use crate::domain::invoice::{Invoice, InvoiceFilter, is_collectable};
use crate::domain::page::{Page, PageRequest, Pagination};

use crate::domain::event::EventType;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

use crate::db::record::Recorder;

/// A customer's invoices, newest first. `fromDate`/`toDate` are inclusive bounds on the invoice date.
pub async fn list_for_customer(
    db: &Db,
    customer_id: &CustomerId,
    filter: InvoiceFilter,
    page: PageRequest,
) -> Result<Page<Invoice>, ServiceError> {
    check_filter(&filter)?;
    let cid = customer_id.clone();
    let id = customer_id.to_owned();
    db.read_now(move |conn| {
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        let (items, total) = sql::list_for_customer(conn, &cid, &filter, page)?;
        Ok(Page {
            items,
            pagination: Pagination::new(page, total),
        })
    })
    .await
}

/// Refuses a date range that ends before it starts.
pub fn check_filter(filter: &InvoiceFilter) -> Result<(), ServiceError> {
    if let (Some(from), Some(to)) = (filter.from_date, filter.to_date)
        && from > to
    {
        return Err(FieldError::new("fromDate", format!("{from} is after toDate {to}")).into());
    }
    Ok(())
}

/// How far [`list_all`] counts its total; a list showing this many has at least as many.
pub const LIST_COUNT_CAP: u64 = crate::db::invoice_lists::COUNT_CAP as u64;

/// All customers' invoices (without lines), newest first, each with its customer's name; the
/// total is counted up to [`LIST_COUNT_CAP`].
pub async fn list_all(
    db: &Db,
    filter: InvoiceFilter,
    page: PageRequest,
) -> Result<Page<(Invoice, String)>, ServiceError> {
    check_filter(&filter)?;
    db.read_now(move |conn| {
        let (items, total) = crate::db::invoice_lists::list(conn, &filter, page)?;
        let mut named = Vec::with_capacity(items.len());
        for inv in items {
            let name = customers::get(conn, &inv.customer_id)?
                .map(|c| c.display_name())
                .unwrap_or_default();
            named.push((inv, name));
        }
        Ok(Page {
            items: named,
            pagination: Pagination::new(page, total),
        })
    })
    .await
}

pub async fn get(db: &Db, id: &InvoiceId) -> Result<Invoice, ServiceError> {
    let iid = id.clone();
    let missing = ServiceError::not_found("invoice", id);
    db.read_now(move |conn| sql::get(conn, &iid)?.ok_or(missing))
        .await
}

/// Cancels an `Open` or `Overdue` invoice that has no payments, recording why.
///
/// A cancelled invoice is written off: its days are not billed again. Its charges no longer
/// count as charged, so they are never credited later; and a credit it carried is given again on
/// the next invoice. Both only where no later invoice has billed the same subscription since.
pub async fn cancel(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &InvoiceId,
    reason: String,
) -> Result<Invoice, ServiceError> {
    let iid = id.clone();
    let origin = origin.clone();
    let now = clock.timestamp();
    let today = clock.today();
    let id = id.to_owned();
    db.write(move |conn| {
        let invoice =
            sql::get(conn, &iid)?.ok_or_else(|| ServiceError::not_found("invoice", &id))?;
        if !is_collectable(invoice.status) {
            return Err(ServiceError::Conflict(format!(
                "invoice `{id}` is {}; only Open or Overdue invoices can be cancelled",
                invoice.status
            )));
        }
        if !invoice.amount_paid.is_zero() {
            return Err(ServiceError::Conflict(format!(
                "invoice `{id}` has payments ({} {} paid) and cannot be cancelled",
                invoice.amount_paid, invoice.currency
            )));
        }
        undo_billing_state(conn, &iid)?;
        sql::cancel(conn, &iid, &reason, &now)?;
        let after = sql::get(conn, &iid)?.ok_or_else(|| ServiceError::not_found("invoice", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::InvoiceCancelled,
            ("invoice", iid.as_str()),
            Some(&invoice),
            &after,
        )?;
        super::dunning::reactivate_if_clear(conn, &rec, &invoice.customer_id, today, &now)?;
        rec.answer(&after)?;
        Ok(after)
    })
    .await
}

/// Gives back, per subscription and add-on on the invoice, the `charged_through` it had before
/// this invoice, when this invoice is still the last to have moved it.
fn undo_billing_state(conn: &rusqlite::Connection, invoice: &InvoiceId) -> rusqlite::Result<()> {
    let links = sql::line_links(conn, invoice)?;
    let mut groups: Vec<(
        LineKind,
        &SubscriptionId,
        Option<&ProductId>,
        NaiveDate,
        NaiveDate,
    )> = Vec::new();
    for (kind, sub, addon, first, last) in &links {
        match groups
            .iter_mut()
            .find(|g| g.1 == sub && g.2 == addon.as_ref())
        {
            Some(g) => {
                g.3 = g.3.min(*first);
                g.4 = g.4.max(*last);
            }
            None => groups.push((*kind, sub, addon.as_ref(), *first, *last)),
        }
    }
    for (kind, sub, addon, first, last) in groups {
        let before_first = first.pred_opt().unwrap_or(first);
        match kind {
            LineKind::Charge => {
                subscriptions::move_charged_through(conn, sub, addon, last, Some(before_first))?
            }
            LineKind::Credit => {
                subscriptions::move_charged_through(conn, sub, addon, before_first, Some(last))?
            }
        };
    }
    Ok(())
}

/// Marks every `Open` invoice due before today `Overdue`, each with its event; returns how many.
pub async fn mark_overdue(db: &Db, clock: &Clock, origin: &Origin) -> Result<usize, ServiceError> {
    let (today, now, origin) = (clock.today(), clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let ids = sql::mark_overdue(conn, today, &now)?;
        let rec = Recorder::new(conn, &origin, &now);
        for id in &ids {
            if let Some(invoice) = sql::get(conn, id)? {
                rec.event(EventType::InvoiceOverdue, &invoice)?;
                rec.audit_values(
                    EventType::InvoiceOverdue.as_str(),
                    ("invoice", id.as_str()),
                    serde_json::json!({"status": {"before": "Open", "after": "Overdue"}}),
                )?;
            }
        }
        Ok(ids.len())
    })
    .await
}
