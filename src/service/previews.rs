//! What the next invoice of a customer will carry with a change applied to its billing rows in
//! memory: the lines the admin UI shows before a charge, a discount or a plan change is
//! confirmed. Reads one snapshot and stores nothing.

use chrono::NaiveDate;
use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::billing::draft::{CustomerOutcome, bill_customer};
use crate::db::{billing_extras, billing_state, invoices};
use crate::domain::bill_run::PreviewLine;
use crate::domain::billing_rows::CustomerRows;
use crate::domain::ids::CustomerId;
use crate::domain::period::Period;
use crate::error::ServiceError;

/// The period of the customer's next invoice: this month's unless its bill run has invoiced it
/// already, and not before `not_before`.
pub fn next_period(
    conn: &Connection,
    customer: &CustomerId,
    today: NaiveDate,
    not_before: Period,
) -> Result<Period, ServiceError> {
    let this_month = Period::containing(today);
    let next = if invoices::has_run_invoice(conn, customer, this_month)? {
        this_month.next()
    } else {
        this_month
    };
    Ok(next.max(not_before))
}

/// The lines of the next invoice (of `period`) that `keep` selects, after `change` has been made
/// to the customer's rows.
pub fn lines_with(
    conn: &Connection,
    customer: &CustomerId,
    period: Period,
    today: NaiveDate,
    change: impl FnOnce(&mut CustomerRows),
    keep: impl Fn(&PreviewLine) -> bool,
) -> Result<Vec<PreviewLine>, ServiceError> {
    let Some(mut rows) = billing_state::customer_rows(conn, customer.as_str())? else {
        return Ok(Vec::new());
    };
    rows.extras = billing_extras::customer_extras(conn, customer.as_str(), period.previous())?;
    change(&mut rows);
    Ok(match bill_customer(&rows, period, Decimal::ZERO)? {
        CustomerOutcome::Invoice { invoice, .. } => invoice
            .preview(period, today, today)
            .line_items
            .into_iter()
            .filter(|l| keep(l))
            .collect(),
        _ => Vec::new(),
    })
}
