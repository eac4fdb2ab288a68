//! The final invoice of a terminated customer, issued at once instead of at the next run: the
//! credits for days charged after its subscriptions ended, days not yet billed up to today,
//! pending one-off charges, and all its usage not yet billed (the current month's included).
//! Stored like a bill run's invoice, with no period, so the month's run still finds the month
//! open and bills nothing twice (everything is marked billed).

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use rust_decimal::Decimal;

use super::draft::{CustomerOutcome, DraftInvoice, bill_customer};
use super::invoice_event::{Stored, invoice_of};
use super::store::{InvoiceMeta, InvoiceStore, sql_date};
use crate::db::record::Recorder;
use crate::db::{bill_runs, billing_extras, billing_state, email};
use crate::domain::billing_rows::CustomerRows;
use crate::domain::enums::SubscriptionStatus;
use crate::domain::event::EventType;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::Invoice;
use crate::domain::period::Period;
use crate::domain::templates::MessageKind;
use crate::error::ServiceError;

/// When and at which rates a final invoice is issued.
#[derive(Debug, Clone)]
pub struct FinalTerms {
    pub today: NaiveDate,
    pub tax_rate: Decimal,
    pub due_date: NaiveDate,
    pub now: String,
}

/// A customer's rows as billing reads them for a final invoice: subscriptions and everything
/// still to bill, usage of the current month included.
pub fn read_customer(
    conn: &Connection,
    customer: &str,
    today: NaiveDate,
) -> rusqlite::Result<Option<CustomerRows>> {
    let Some(mut rows) = billing_state::customer_rows(conn, customer)? else {
        return Ok(None);
    };
    rows.extras = billing_extras::customer_extras(conn, customer, Period::containing(today))?;
    Ok(Some(rows))
}

/// What terminating does to the rows, in memory, as `subscriptions::cancel_for_customer` does
/// in the database: started subscriptions end today (or on an earlier end date), the others
/// never run.
pub fn terminate_rows(rows: &mut CustomerRows, today: NaiveDate) {
    for s in &mut rows.subs {
        if s.status == SubscriptionStatus::Cancelled {
            continue;
        }
        s.status = SubscriptionStatus::Cancelled;
        s.end = if s.start <= today {
            Some(s.end.map_or(today, |e| e.min(today)))
        } else {
            None
        };
    }
}

/// Rates the final invoice of `rows` (already terminated); `None` when nothing is due.
pub fn draft(rows: &CustomerRows, terms: &FinalTerms) -> anyhow::Result<CustomerOutcome> {
    bill_customer(rows, Period::containing(terms.today), terms.tax_rate)
}

/// Issues and stores the final invoice of a customer whose subscriptions were just cancelled
/// (inside the same write job), with its `invoice.created` event; `None` when it has nothing
/// to bill.
pub fn issue(
    conn: &Connection,
    rec: &Recorder<'_>,
    customer: &str,
    terms: &FinalTerms,
) -> Result<Option<Invoice>, ServiceError> {
    let Some(rows) = read_customer(conn, customer, terms.today)? else {
        return Ok(None);
    };
    let (invoice, updates) = match draft(&rows, terms)? {
        CustomerOutcome::Invoice { invoice, updates } => (invoice, updates),
        CustomerOutcome::NothingDue { updates } => {
            let mut store = InvoiceStore::new(conn)?;
            store.states(&updates)?;
            store.finish()?;
            return Ok(None);
        }
        CustomerOutcome::MixedCurrencies => {
            tracing::warn!(
                customer,
                "no final invoice: the customer's subscriptions are in more than one currency"
            );
            return Ok(None);
        }
    };
    let year = terms.today.year();
    let number = bill_runs::last_invoice_number(conn, year)? + 1;
    bill_runs::set_last_invoice_number(conn, year, number)?;
    let id = InvoiceId::generate();
    let invoice_number = crate::db::sync::series(conn)?.invoice_number(year, number);
    let tax_rate = terms.tax_rate.normalize();
    let mut store = InvoiceStore::new(conn)?;
    store.invoice(
        &invoice,
        &InvoiceMeta {
            id: &id,
            number: &invoice_number,
            invoice_date: sql_date(terms.today)?,
            due_date: sql_date(terms.due_date)?,
            tax_rate: &tax_rate.to_string(),
            period: None,
            bill_run_id: None,
            now: &terms.now,
        },
    )?;
    store.states(&updates)?;
    store.finish()?;
    let stored = invoice_of(
        &invoice,
        &Stored {
            id: &id,
            number: &invoice_number,
            invoice_date: terms.today,
            due_date: terms.due_date,
            period: None,
            tax_rate,
        },
    );
    rec.event(EventType::InvoiceCreated, &stored)?;
    rec.audit_values(
        EventType::InvoiceCreated.as_str(),
        ("invoice", id.as_str()),
        serde_json::json!({
            "invoiceNumber": {"before": null, "after": invoice_number},
            "customerId": {"before": null, "after": customer},
            "totalAmount": {"before": null, "after": stored.total_amount.to_string()},
            "currency": {"before": null, "after": invoice.currency},
            "final": {"before": null, "after": true},
        }),
    )?;
    // Issued like a bill run's invoice, so e-mailed like one, in the same transaction.
    email::queue(
        conn,
        MessageKind::Invoice,
        &stored.customer_id,
        Some(&id),
        None,
        &terms.now,
        &rec.origin().actor.id,
    )?;
    Ok(Some(stored))
}

/// The final invoice terminating would issue now, without storing anything.
pub fn preview(
    rows: Option<CustomerRows>,
    terms: &FinalTerms,
) -> anyhow::Result<Option<DraftInvoice>> {
    let Some(mut rows) = rows else {
        return Ok(None);
    };
    terminate_rows(&mut rows, terms.today);
    Ok(match draft(&rows, terms)? {
        CustomerOutcome::Invoice { invoice, .. } => Some(invoice),
        _ => None,
    })
}
