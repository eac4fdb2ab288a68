//! What a bill run reports: as stored in `bill_runs`, returned by the API and printed by the CLI.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::draft::DraftInvoice;
use super::period::Period;
use crate::domain::enums::{BillRunStatus, BillRunTrigger, InvoiceStatus, LineKind};
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

/// Running sums in minor units, per currency.
#[derive(Debug, Clone, Default)]
pub struct Sums(pub Vec<(Currency, u64, i64, i64)>);

impl Sums {
    pub fn add_invoice(&mut self, inv: &DraftInvoice) {
        self.add(inv.currency, 1, inv.net, inv.tax);
    }

    pub fn add(&mut self, currency: Currency, invoices: u64, net: i64, tax: i64) {
        match self.0.iter_mut().find(|(c, ..)| *c == currency) {
            Some((_, n, s_net, s_tax)) => {
                *n += invoices;
                *s_net += net;
                *s_tax += tax;
            }
            None => self.0.push((currency, invoices, net, tax)),
        }
    }

    pub fn merge(&mut self, other: &Sums) {
        for (c, n, net, tax) in &other.0 {
            self.add(*c, *n, *net, *tax);
        }
    }

    pub fn totals(&self) -> Vec<CurrencyTotals> {
        let mut out: Vec<CurrencyTotals> = self
            .0
            .iter()
            .map(|(c, n, net, tax)| CurrencyTotals {
                currency: *c,
                invoices: *n,
                net_amount: c.from_minor(*net),
                tax_amount: c.from_minor(*tax),
                total_amount: c.from_minor(net + tax),
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
    pub subscription_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addon_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

impl PreviewInvoice {
    pub fn new(d: &DraftInvoice, period: Period, invoice_date: NaiveDate, due: NaiveDate) -> Self {
        let c = d.currency;
        Self {
            customer_id: d.customer_id.clone(),
            status: d.status,
            invoice_date,
            due_date: due,
            total_amount: c.from_minor(d.total()),
            tax_amount: c.from_minor(d.tax),
            currency: c,
            line_items: d
                .lines
                .iter()
                .map(|l| PreviewLine {
                    description: l.rated.description.clone(),
                    quantity: Decimal::ONE,
                    unit_price: c.from_minor(l.rated.amount),
                    amount: c.from_minor(l.rated.amount),
                    kind: l.rated.kind,
                    subscription_id: l.subscription_id.clone(),
                    addon_id: l.addon_id.clone(),
                    period_start: l.rated.first,
                    period_end: l.rated.last,
                })
                .collect(),
            period,
            net_amount: c.from_minor(d.net),
        }
    }
}
