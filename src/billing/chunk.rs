//! One chunk of a bill run: read a slice of customers' subscriptions in one ordered scan, bill
//! each customer, and (for a real run) store the invoices, lines, billing state, invoice number
//! counter and the run's running totals, all in the chunk's one transaction.
//!
//! A real run reads and rates each chunk ahead, on a read connection, while the writer stores the
//! chunk before it ([`plan_ahead`]), so the two cores share the work. A plan made that way is used
//! only if [`ReadAhead`] says nothing it read can have changed since (the rule and its tests are
//! in `read_ahead`); otherwise the job reads and rates the chunk again itself, inside its
//! transaction.

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use rust_decimal::Decimal;

use super::draft::{CustomerOutcome, bill_customer};
use super::invoice_event::{Stored, invoice_of};
use super::read_ahead::{ReadAhead, Snapshot};
use super::store::{InvoiceMeta, InvoiceStore, sql_date};
use crate::db::record::Recorder;
use crate::db::{bill_runs, billing_extras, billing_state, email};
use crate::domain::bill_run::{PreviewInvoice, Skipped, Sums};
use crate::domain::event::EventType;
use crate::domain::ids::{BillRunId, CustomerId, InvoiceId};
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::templates::MessageKind;
use crate::error::ServiceError;

/// What every chunk of one run shares.
#[derive(Debug, Clone)]
pub struct ChunkContext {
    pub period: Period,
    pub tax_rate: Decimal,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    /// The run's timestamp for `created_at` / `updated_at`.
    pub now: String,
    pub chunk_customers: usize,
    /// Who started the run: its events and audit entries name them.
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub struct ChunkResult {
    /// The last customer of this chunk; `None` when there was none left (the run is done).
    pub last_customer: Option<String>,
    pub customers: u64,
    pub invoices: u64,
    pub skipped: Skipped,
    pub attention: Vec<String>,
    pub sums: Sums,
    /// The writer's number for the job that stored this chunk.
    pub job: u64,
    /// Whether the chunk had to be read and rated again in the writer because its plan ahead
    /// could be stale (or there was none).
    pub planned_in_writer: bool,
    /// The chunk's drafts, handed back so the caller frees them instead of the writer thread.
    pub spent: Spent,
}

/// A chunk's drafts once stored: dropping thousands of small allocations took measurable time
/// on the writer thread, so the job hands them back to its caller.
#[derive(Default)]
pub struct Spent(Option<Vec<(String, Plan)>>);

impl std::fmt::Debug for Spent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spent")
    }
}

impl Spent {
    /// Frees the drafts (on the caller's thread).
    pub fn free(self) {
        drop(self.0);
    }
}

enum Plan {
    AlreadyInvoiced,
    Bill(CustomerOutcome),
}

/// A chunk's last customer id, and what to do for each of its customers, in id order.
type ChunkPlan = (String, Vec<(String, Plan)>);

/// Reads and rates the chunk after `after`: the customers in it and what to do for each.
fn plan(
    conn: &Connection,
    ctx: &ChunkContext,
    after: &str,
) -> Result<Option<ChunkPlan>, ServiceError> {
    let Some(upto) = billing_state::chunk_end(conn, after, ctx.chunk_customers)? else {
        return Ok(None);
    };
    let mut customers = billing_state::chunk_rows(conn, after, &upto)?;
    // Usage is billed in arrears: the invoice of a period bills the months before it.
    let extras = billing_extras::chunk_extras(conn, after, &upto, ctx.period.previous())?;
    billing_extras::attach(&mut customers, extras);
    let invoiced = billing_state::invoiced_customers(conn, ctx.period, after, &upto)?;
    let mut plans = Vec::with_capacity(customers.len());
    for customer in customers {
        let plan = if invoiced.contains(&customer.customer_id) {
            Plan::AlreadyInvoiced
        } else {
            Plan::Bill(bill_customer(&customer, ctx.period, ctx.tax_rate)?)
        };
        plans.push((customer.customer_id, plan));
    }
    Ok(Some((upto, plans)))
}

/// A chunk read and rated on a read connection, ahead of its write job.
pub struct Ahead {
    after: String,
    plan: Option<ChunkPlan>,
    snapshot: Snapshot,
}

impl Ahead {
    /// Where the planned chunk starts: the `after` it was read for.
    pub fn after(&self) -> &str {
        &self.after
    }

    /// Where the planned chunk ends: the `after` of the chunk that follows it.
    pub fn upto(&self) -> Option<&str> {
        self.plan.as_ref().map(|(upto, _)| upto.as_str())
    }
}

/// Reads and rates the chunk after `after` in one snapshot of `conn` (a read connection);
/// `snapshot` was taken ([`Snapshot::before_reading`]) right before this call.
pub fn plan_ahead(
    conn: &Connection,
    ctx: &ChunkContext,
    after: &str,
    snapshot: Snapshot,
) -> Result<Ahead, ServiceError> {
    let tx = conn.unchecked_transaction()?;
    let plan = plan(&tx, ctx, after)?;
    tx.rollback()?;
    Ok(Ahead {
        after: after.to_owned(),
        plan,
        snapshot,
    })
}

/// Where a chunk job stands: its number, what earlier chunk jobs of its run noted, and the plan
/// made ahead for it, if any.
pub struct JobPlace<'a> {
    pub job: u64,
    pub marks: &'a ReadAhead,
    pub ahead: Option<Ahead>,
}

/// Bills the chunk after `after` and stores everything. Runs as one write job, so the chunk is
/// one transaction: after a crash it is either all there or not at all.
pub fn bill(
    conn: &Connection,
    ctx: &ChunkContext,
    run: &BillRunId,
    after: &str,
    place: JobPlace<'_>,
) -> Result<ChunkResult, ServiceError> {
    let data_version: i64 = conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?;
    let snapshot = place
        .ahead
        .as_ref()
        .filter(|a| a.after == after)
        .map(|a| a.snapshot);
    let fresh = place
        .marks
        .note_and_check(place.job, data_version, snapshot);
    let planned = match place.ahead {
        Some(ahead) if fresh => ahead.plan,
        _ => plan(conn, ctx, after)?,
    };
    let Some((upto, plans)) = planned else {
        return Ok(ChunkResult {
            job: place.job,
            planned_in_writer: !fresh,
            ..ChunkResult::default()
        });
    };
    let year = ctx.invoice_date.year();
    let (invoice_date, due_date) = (sql_date(ctx.invoice_date)?, sql_date(ctx.due_date)?);
    let first_number = bill_runs::last_invoice_number(conn, year)?;
    let series = crate::db::sync::series(conn)?;
    let mut store = InvoiceStore::new(conn)?;
    let rec = Recorder::new(conn, &ctx.origin, &ctx.now);
    // Each invoice's e-mail is queued with it, in the chunk's transaction.
    let mail = email::policy(conn)?;
    let mut number = first_number;
    let tax_rate = ctx.tax_rate.normalize().to_string();
    let period = ctx.period.to_string();
    let mut result = ChunkResult {
        last_customer: Some(upto),
        job: place.job,
        planned_in_writer: !fresh,
        ..Default::default()
    };
    for (customer_id, plan) in &plans {
        result.customers += 1;
        match plan {
            Plan::AlreadyInvoiced => result.skipped.already_invoiced += 1,
            Plan::Bill(CustomerOutcome::MixedCurrencies) => {
                result.skipped.mixed_currencies += 1;
                tracing::warn!(
                    customer = %customer_id,
                    period = %ctx.period,
                    "not billed: the customer's subscriptions are in more than one currency"
                );
                result.attention.push(customer_id.clone());
            }
            Plan::Bill(CustomerOutcome::NothingDue { updates }) => {
                result.skipped.nothing_due += 1;
                store.states(updates)?;
            }
            Plan::Bill(CustomerOutcome::Invoice { invoice, updates }) => {
                number += 1;
                let id = InvoiceId::generate();
                let invoice_number = series.invoice_number(year, number);
                store.invoice(
                    invoice,
                    &InvoiceMeta {
                        id: &id,
                        number: &invoice_number,
                        invoice_date,
                        due_date,
                        tax_rate: &tax_rate,
                        period: Some(&period),
                        bill_run_id: Some(run.as_str()),
                        now: &ctx.now,
                    },
                )?;
                store.states(updates)?;
                record_invoice(&rec, invoice, &id, &invoice_number, ctx, run)?;
                email::queue_with(
                    conn,
                    &mail,
                    MessageKind::Invoice,
                    &CustomerId::from_stored(customer_id.as_str()),
                    Some(&id),
                    None,
                    &ctx.now,
                    &ctx.origin.actor.id,
                )?;
                result.invoices += 1;
                result.sums.add(invoice.sum());
            }
        }
    }
    store.finish()?;
    if number != first_number {
        bill_runs::set_last_invoice_number(conn, year, number)?;
    }
    bill_runs::add_chunk(
        conn,
        run,
        result.invoices,
        &result.skipped,
        &result.attention,
        &result.sums,
    )?;
    result.spent = Spent(Some(plans));
    Ok(result)
}

/// The `invoice.created` event of an invoice the run stored, and its audit entry.
fn record_invoice(
    rec: &Recorder<'_>,
    draft: &super::draft::DraftInvoice,
    id: &InvoiceId,
    number: &str,
    ctx: &ChunkContext,
    run: &BillRunId,
) -> Result<(), ServiceError> {
    let stored = Stored {
        id,
        number,
        invoice_date: ctx.invoice_date,
        due_date: ctx.due_date,
        period: Some(ctx.period),
        tax_rate: ctx.tax_rate.normalize(),
    };
    let invoice = invoice_of(draft, &stored);
    rec.event(EventType::InvoiceCreated, &invoice)?;
    rec.audit_values(
        EventType::InvoiceCreated.as_str(),
        ("invoice", id.as_str()),
        serde_json::json!({
            "invoiceNumber": {"before": null, "after": number},
            "customerId": {"before": null, "after": invoice.customer_id},
            "totalAmount": {"before": null, "after": draft.currency.from_minor(draft.total()).to_string()},
            "currency": {"before": null, "after": draft.currency},
            "billRunId": {"before": null, "after": run},
        }),
    )?;
    Ok(())
}

/// Rates the chunk after `after` without storing anything; adds would-be invoices to
/// `previews` until it holds `limit`.
pub fn preview(
    conn: &Connection,
    ctx: &ChunkContext,
    after: &str,
    previews: &mut Vec<PreviewInvoice>,
    limit: usize,
) -> Result<ChunkResult, ServiceError> {
    let Some((upto, plans)) = plan(conn, ctx, after)? else {
        return Ok(ChunkResult::default());
    };
    let mut result = ChunkResult {
        last_customer: Some(upto),
        ..Default::default()
    };
    for (customer_id, plan) in plans {
        result.customers += 1;
        match plan {
            Plan::AlreadyInvoiced => result.skipped.already_invoiced += 1,
            Plan::Bill(CustomerOutcome::MixedCurrencies) => {
                result.skipped.mixed_currencies += 1;
                result.attention.push(customer_id);
            }
            Plan::Bill(CustomerOutcome::NothingDue { .. }) => result.skipped.nothing_due += 1,
            Plan::Bill(CustomerOutcome::Invoice { invoice, .. }) => {
                result.invoices += 1;
                result.sums.add(invoice.sum());
                if previews.len() < limit {
                    previews.push(invoice.preview(ctx.period, ctx.invoice_date, ctx.due_date));
                }
            }
        }
    }
    Ok(result)
}
