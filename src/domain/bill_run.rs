//! What a bill run reports: as stored in `bill_runs`, returned by the API and printed by the CLI.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::period::Period;
use crate::domain::enums::{BillRunStatus, BillRunTrigger, InvoiceStatus, LineKind, LineType};
use crate::domain::ids::BillRunId;
use crate::domain::money::{Currency, as_json_number};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// Already had an invoice for the period (a rerun, or a run after a crash).
    pub already_invoiced: u64,
    /// Had subscriptions but nothing to charge or credit (e.g. all suspended or ended).
    pub nothing_due: u64,
    /// Would need lines in more than one currency; listed in `needsAttention`.
    pub mixed_currencies: u64,
}

impl Skipped {
    pub fn add(&mut self, other: &Skipped) {
        self.already_invoiced += other.already_invoiced;
        self.nothing_due += other.nothing_due;
        self.mixed_currencies += other.mixed_currencies;
    }
}

/// A run's amounts in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotals {
    pub currency: Currency,
    pub invoices: u64,
    #[serde(serialize_with = "as_json_number")]
    pub net_amount: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub tax_amount: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub total_amount: Decimal,
}

/// One currency's running sums, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencySum {
    pub currency: Currency,
    pub invoices: u64,
    pub net: i64,
    pub tax: i64,
}

/// Running sums per currency, in the order the currencies were first met.
#[derive(Debug, Clone, Default)]
pub struct Sums(pub Vec<CurrencySum>);

impl Sums {
    pub fn add(&mut self, add: CurrencySum) {
        match self.0.iter_mut().find(|s| s.currency == add.currency) {
            Some(s) => {
                s.invoices += add.invoices;
                s.net += add.net;
                s.tax += add.tax;
            }
            None => self.0.push(add),
        }
    }

    pub fn merge(&mut self, other: &Sums) {
        for s in &other.0 {
            self.add(*s);
        }
    }

    pub fn totals(&self) -> Vec<CurrencyTotals> {
        let mut out: Vec<CurrencyTotals> = self
            .0
            .iter()
            .map(|s| CurrencyTotals {
                currency: s.currency,
                invoices: s.invoices,
                net_amount: s.currency.from_minor(s.net),
                tax_amount: s.currency.from_minor(s.tax),
                total_amount: s.currency.from_minor(s.net + s.tax),
            })
            .collect();
        out.sort_by(|a, b| a.currency.as_str().cmp(b.currency.as_str()));
        out
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillRun {
    /// Absent for a dry run, which is not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_run_id: Option<BillRunId>,
    pub period: Period,
    pub status: BillRunStatus,
    pub trigger: BillRunTrigger,
    pub dry_run: bool,
    pub invoice_date: NaiveDate,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Invoices created (for a dry run: that would be created).
    pub invoices_created: u64,
    pub customers_skipped: Skipped,
    /// Customers that could not be billed and need someone to look at them.
    pub needs_attention: Vec<String>,
    pub totals: Vec<CurrencyTotals>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Dry run only: the invoices it would create (at most [`PREVIEW_LIMIT`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoices: Option<Vec<PreviewInvoice>>,
    /// Dry run only: how many would-be invoices were left out of `invoices`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoices_omitted: Option<u64>,
}

/// Most invoices a dry run returns.
pub const PREVIEW_LIMIT: usize = 1000;

/// Most customer ids kept in `needsAttention`.
pub const ATTENTION_LIMIT: usize = 100;

/// An invoice a dry run would create: the contract's `Invoice` without id and number, which
/// only a real run assigns.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewInvoice {
    pub customer_id: String,
    pub status: InvoiceStatus,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(serialize_with = "as_json_number")]
    pub total_amount: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub tax_amount: Decimal,
    pub currency: Currency,
    pub line_items: Vec<PreviewLine>,
    pub period: Period,
    #[serde(serialize_with = "as_json_number")]
    pub net_amount: Decimal,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewLine {
    pub description: String,
    #[serde(serialize_with = "as_json_number")]
    pub quantity: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub unit_price: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    pub kind: LineKind,
    pub line_type: LineType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addon_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}
