//! Storing a rated invoice: its row, its lines, the billing state it moves, and what else it
//! settles (usage billed, one-off charges billed, discounts used, credit balance consumed).
//! Shared by the bill run's chunks and the final invoice of a termination, so both store an
//! invoice the same way. A plain recurring line goes through the statement the bill run has
//! always used; only the other kinds take the second one.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::draft::{DraftInvoice, StateUpdate};
use crate::db::sql_date::SqlDate;
use crate::db::{billing_state, charges, credit_notes, invoices, plans, usage};
use crate::domain::enums::LineType;
use crate::domain::ids::InvoiceId;
use crate::error::ServiceError;

/// What an invoice is stored with besides its draft.
pub struct InvoiceMeta<'a> {
    pub id: &'a InvoiceId,
    pub number: &'a str,
    pub invoice_date: SqlDate,
    pub due_date: SqlDate,
    pub tax_rate: &'a str,
    /// The bill run's period; `None` for a final invoice.
    pub period: Option<&'a str>,
    pub bill_run_id: Option<&'a str>,
    pub now: &'a str,
}

pub struct InvoiceStore<'c> {
    conn: &'c Connection,
    writer: invoices::InvoiceWriter<'c>,
    states: billing_state::StateWriter<'c>,
    billed: usage::BilledWriter<'c>,
}

impl<'c> InvoiceStore<'c> {
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            conn,
            writer: invoices::InvoiceWriter::new(conn)?,
            states: billing_state::StateWriter::new(conn)?,
            billed: usage::BilledWriter::new(conn),
        })
    }

    /// Stores `draft` (its row, lines and what it settles).
    pub fn invoice(
        &mut self,
        draft: &DraftInvoice,
        meta: &InvoiceMeta<'_>,
    ) -> Result<(), ServiceError> {
        self.writer.invoice(&invoices::NewInvoiceRow {
            id: meta.id,
            number: meta.number,
            customer_id: &draft.customer_id,
            status: draft.status,
            invoice_date: meta.invoice_date,
            due_date: meta.due_date,
            currency: draft.currency,
            net: draft.net,
            tax: draft.tax,
            tax_rate: meta.tax_rate,
            period: meta.period,
            bill_run_id: meta.bill_run_id,
            now: meta.now,
        })?;
        for (position, line) in draft.lines.iter().enumerate() {
            let (first, last) = (sql_date(line.rated.first)?, sql_date(line.rated.last)?);
            match (&line.subscription_id, line.line_type, &line.source_id) {
                (Some(sub), LineType::Recurring, None) => self.writer.line(
                    meta.id,
                    &invoices::NewLineRow {
                        position: position as i64,
                        description: &line.rated.description,
                        amount: line.rated.amount,
                        kind: line.rated.kind,
                        subscription_id: sub,
                        addon_id: line.addon_id.as_deref(),
                        period_start: first,
                        period_end: last,
                    },
                )?,
                _ => invoices::insert_typed_line(
                    self.conn,
                    meta.id,
                    &invoices::NewTypedLine {
                        position: position as i64,
                        description: &line.rated.description,
                        amount: line.rated.amount,
                        kind: line.rated.kind,
                        line_type: line.line_type,
                        source_id: line.source_id.as_deref(),
                        subscription_id: line.subscription_id.as_deref(),
                        addon_id: line.addon_id.as_deref(),
                        period_start: first,
                        period_end: last,
                    },
                )?,
            }
        }
        self.settle(draft, meta)
    }

    fn settle(&mut self, draft: &DraftInvoice, meta: &InvoiceMeta<'_>) -> Result<(), ServiceError> {
        let s = &draft.settles;
        for (sub, period, metric, quantity) in &s.usage {
            self.billed.billed(sub, *period, metric, *quantity)?;
        }
        for charge in &s.charges {
            charges::bill_charge(self.conn, charge, meta.id, meta.now)?;
        }
        for (discount, ended) in &s.discounts {
            charges::use_discount(self.conn, discount, *ended, meta.now)?;
        }
        if draft.credit_applied > 0 {
            invoices::add_credited(
                self.conn,
                meta.id,
                draft.credit_applied,
                draft.status,
                meta.now,
            )?;
            credit_notes::consume_balance(
                self.conn,
                &draft.customer_id,
                draft.credit_applied,
                meta.now,
            )?;
        }
        Ok(())
    }

    /// Moves subscriptions, add-ons and replaced plans to their new billing state.
    pub fn states(&mut self, updates: &[StateUpdate]) -> Result<(), ServiceError> {
        for u in updates {
            match (&u.past_plan, &u.addon_id) {
                (Some((seq, settled)), _) => plans::set_state(
                    self.conn,
                    *seq,
                    opt_date(u.billed_through)?,
                    opt_date(u.charged_through)?,
                    *settled,
                )?,
                (None, None) => self.states.subscription(
                    u.subscription_seq,
                    u.billed_through,
                    u.charged_through,
                )?,
                (None, Some(addon)) => self.states.addon(
                    &u.subscription_id,
                    addon,
                    u.billed_through,
                    u.charged_through,
                )?,
            }
        }
        Ok(())
    }

    /// Writes what is still buffered.
    pub fn finish(self) -> Result<(), ServiceError> {
        self.states.finish()?;
        self.billed.finish()?;
        Ok(())
    }
}

pub fn sql_date(d: NaiveDate) -> Result<SqlDate, ServiceError> {
    SqlDate::new(d)
        .ok_or_else(|| ServiceError::Unexpected(anyhow::anyhow!("date {d} is out of range")))
}

fn opt_date(d: Option<NaiveDate>) -> Result<Option<SqlDate>, ServiceError> {
    d.map(sql_date).transpose()
}
