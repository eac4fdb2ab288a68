//! One customer's invoice for a period: every line of every subscription and add-on, the net
//! total, tax and total, and the billing state each item moves to. Pure: no database.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rating::{Chargeable, RatedLine, rate};
use super::tax::tax_minor;
use crate::domain::bill_run::{CurrencySum, PreviewInvoice, PreviewLine};
use crate::domain::billing_rows::CustomerRows;
use crate::domain::enums::{InvoiceStatus, SubscriptionStatus};
use crate::domain::money::Currency;
use crate::domain::period::Period;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub rated: RatedLine,
    pub subscription_id: String,
    pub addon_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInvoice {
    pub customer_id: String,
    pub currency: Currency,
    pub lines: Vec<DraftLine>,
    pub net: i64,
    pub tax: i64,
    /// `Open`; `Paid` when the total is zero or less (nothing to collect).
    pub status: InvoiceStatus,
}

impl DraftInvoice {
    pub fn total(&self) -> i64 {
        self.net + self.tax
    }

    /// What this draft adds to a run's sums: one invoice, its net and tax.
    pub fn sum(&self) -> CurrencySum {
        CurrencySum {
            currency: self.currency,
            invoices: 1,
            net: self.net,
            tax: self.tax,
        }
    }

    /// The draft as a dry run shows it.
    pub fn preview(
        &self,
        period: Period,
        invoice_date: NaiveDate,
        due: NaiveDate,
    ) -> PreviewInvoice {
        let (d, c) = (self, self.currency);
        PreviewInvoice {
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

/// A new billing state for a subscription (`addon_id: None`) or one of its add-ons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateUpdate {
    pub subscription_seq: i64,
    pub subscription_id: String,
    pub addon_id: Option<String>,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerOutcome {
    /// Nothing to charge or credit; `updates` still records periods skipped while suspended.
    NothingDue { updates: Vec<StateUpdate> },
    /// Lines in more than one currency: one invoice cannot hold them. Nothing is changed.
    MixedCurrencies,
    Invoice {
        invoice: DraftInvoice,
        updates: Vec<StateUpdate>,
    },
}

/// Bills `customer` for `period` at `tax_rate_percent`.
pub fn bill_customer(
    customer: &CustomerRows,
    period: Period,
    tax_rate_percent: Decimal,
) -> anyhow::Result<CustomerOutcome> {
    let mut lines = Vec::new();
    let mut updates = Vec::new();
    let mut currencies: Vec<Currency> = Vec::new();
    for sub in &customer.subs {
        let last_day = sub.last_day();
        let suspended = sub.status == SubscriptionStatus::Suspended;
        let main = Chargeable {
            label: &sub.product_name,
            monthly: sub.monthly,
            start: sub.start,
            last_day,
            suspended,
            billed_through: sub.billed_through,
            charged_through: sub.charged_through,
        };
        let mut items = vec![(None, main)];
        let labels: Vec<String> = sub
            .addons
            .iter()
            .map(|a| format!("{} (add-on to {})", a.name, sub.product_name))
            .collect();
        for (addon, label) in sub.addons.iter().zip(&labels) {
            items.push((
                Some(addon.addon_id.as_str()),
                Chargeable {
                    label,
                    monthly: addon.charge,
                    start: sub.start,
                    last_day,
                    suspended,
                    billed_through: addon.billed_through,
                    charged_through: addon.charged_through,
                },
            ));
        }
        for (addon_id, item) in items {
            let rating = rate(&item, period);
            if !rating.lines.is_empty() && !currencies.contains(&sub.currency) {
                currencies.push(sub.currency);
            }
            if rating.changed(&item) {
                updates.push(StateUpdate {
                    subscription_seq: sub.seq,
                    subscription_id: sub.id.clone(),
                    addon_id: addon_id.map(str::to_owned),
                    billed_through: rating.billed_through,
                    charged_through: rating.charged_through,
                });
            }
            lines.extend(rating.lines.into_iter().map(|rated| DraftLine {
                rated,
                subscription_id: sub.id.clone(),
                addon_id: addon_id.map(str::to_owned),
            }));
        }
    }
    let currency = match currencies.as_slice() {
        [] => return Ok(CustomerOutcome::NothingDue { updates }),
        [one] => *one,
        _ => return Ok(CustomerOutcome::MixedCurrencies),
    };
    let net = lines
        .iter()
        .try_fold(0_i64, |sum, l| sum.checked_add(l.rated.amount))
        .ok_or_else(|| {
            anyhow::anyhow!("customer {}: the net total overflows", customer.customer_id)
        })?;
    let tax = tax_minor(net, tax_rate_percent, customer.tax_exempt)
        .ok_or_else(|| anyhow::anyhow!("customer {}: the tax overflows", customer.customer_id))?;
    let status = if net + tax > 0 {
        InvoiceStatus::Open
    } else {
        InvoiceStatus::Paid
    };
    Ok(CustomerOutcome::Invoice {
        invoice: DraftInvoice {
            customer_id: customer.customer_id.clone(),
            currency,
            lines,
            net,
            tax,
            status,
        },
        updates,
    })
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
