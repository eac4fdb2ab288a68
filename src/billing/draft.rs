//! One customer's invoice for a period: every line of every subscription and add-on, the net
//! total, tax and total, and the billing state each item moves to. Pure: no database.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::draft_extras;
use super::rating::{Chargeable, RatedLine, rate};
use super::tax::tax_minor;
use crate::domain::bill_run::{CurrencySum, PreviewInvoice, PreviewLine};
use crate::domain::billing_rows::CustomerRows;
use crate::domain::enums::{InvoiceStatus, LineType, SubscriptionStatus};
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::domain::usage::Quantity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub rated: RatedLine,
    /// `None` for a one-off charge, which is the customer's.
    pub subscription_id: Option<String>,
    pub addon_id: Option<String>,
    pub line_type: LineType,
    /// What the line comes from: the charge, the discount, the metric, or the replaced plan.
    pub source_id: Option<String>,
}

impl DraftLine {
    /// A subscription's (or add-on's) recurring charge or credit.
    pub fn recurring(rated: RatedLine, subscription_id: &str, addon_id: Option<&str>) -> Self {
        Self {
            rated,
            subscription_id: Some(subscription_id.to_owned()),
            addon_id: addon_id.map(str::to_owned),
            line_type: LineType::Recurring,
            source_id: None,
        }
    }

    /// What the API shows as the line's source: the charge, discount or metric; a replaced
    /// plan's row number stays inside.
    pub fn public_source(&self) -> Option<&str> {
        match self.line_type {
            LineType::Recurring => None,
            _ => self.source_id.as_deref(),
        }
    }
}

/// What an invoice settles besides the billing state of subscriptions: usage it bills (the
/// month's total as billed), one-off charges, discounts it used (and whether that used one
/// up), and credit balance it consumed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settles {
    /// (subscription, month, metric, the month's quantity now billed)
    pub usage: Vec<(String, Period, String, Quantity)>,
    pub charges: Vec<String>,
    /// (discount, used up)
    pub discounts: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInvoice {
    pub customer_id: String,
    pub currency: Currency,
    pub lines: Vec<DraftLine>,
    pub net: i64,
    pub tax: i64,
    /// `Open`; `Paid` when nothing is left to collect (a total of zero or less, or one the
    /// customer's credit balance covers).
    pub status: InvoiceStatus,
    /// Minor units of the customer's credit balance the invoice consumes (lowering its amount
    /// due, like a payment).
    pub credit_applied: i64,
    pub settles: Settles,
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
                    line_type: l.line_type,
                    subscription_id: l.subscription_id.clone(),
                    addon_id: l.addon_id.clone(),
                    source_id: l.public_source().map(str::to_owned),
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
    /// For a replaced plan: its row, and whether nothing is left to bill or credit for it.
    pub past_plan: Option<(i64, bool)>,
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
    let extras = &customer.extras;
    let with_extras = !extras.is_empty();
    let mut settles = Settles::default();
    for sub in &customer.subs {
        let before = lines.len();
        let last_day = sub.last_day();
        let suspended = sub.status == SubscriptionStatus::Suspended;
        if with_extras {
            draft_extras::past_plans(sub, extras, period, &mut lines, &mut updates);
        }
        let plan_start = sub.plan_start();
        let main = Chargeable {
            label: &sub.product_name,
            monthly: sub.monthly,
            next: sub.next_charge,
            start: plan_start,
            last_day,
            suspended,
            billed_through: sub.billed_through,
            charged_through: sub.charged_through,
        };
        let mut items = vec![(None, main)];
        let labels: Vec<String> = sub
            .addons
            .iter()
            .map(|a| addon_label(&a.name, &sub.product_name))
            .collect();
        for (addon, label) in sub.addons.iter().zip(&labels) {
            items.push((
                Some(addon.addon_id.as_str()),
                Chargeable {
                    label,
                    monthly: addon.charge,
                    next: addon.next_charge,
                    start: addon.start.unwrap_or(plan_start),
                    last_day,
                    suspended,
                    billed_through: addon.billed_through,
                    charged_through: addon.charged_through,
                },
            ));
        }
        for (addon_id, item) in items {
            let rating = rate(&item, period);
            if rating.changed(&item) {
                updates.push(StateUpdate {
                    subscription_seq: sub.seq,
                    subscription_id: sub.id.clone(),
                    addon_id: addon_id.map(str::to_owned),
                    billed_through: rating.billed_through,
                    charged_through: rating.charged_through,
                    past_plan: None,
                });
            }
            lines.extend(
                rating
                    .lines
                    .into_iter()
                    .map(|rated| DraftLine::recurring(rated, &sub.id, addon_id)),
            );
        }
        if with_extras {
            draft_extras::usage(sub, extras, &mut lines, &mut settles)?;
        }
        if lines.len() > before && !currencies.contains(&sub.currency) {
            currencies.push(sub.currency);
        }
    }
    if with_extras {
        draft_extras::charges(extras, &mut lines, &mut currencies, &mut settles);
    }
    let currency = match currencies.as_slice() {
        [] => return Ok(CustomerOutcome::NothingDue { updates }),
        [one] => *one,
        _ => return Ok(CustomerOutcome::MixedCurrencies),
    };
    if with_extras && !extras.discounts.is_empty() {
        lines = draft_extras::discounts(lines, extras, currency, &mut settles)?;
    }
    let net = lines
        .iter()
        .try_fold(0_i64, |sum, l| sum.checked_add(l.rated.amount))
        .ok_or_else(|| {
            anyhow::anyhow!("customer {}: the net total overflows", customer.customer_id)
        })?;
    let tax = tax_minor(net, tax_rate_percent, customer.tax_exempt)
        .ok_or_else(|| anyhow::anyhow!("customer {}: the tax overflows", customer.customer_id))?;
    let credit_applied = match extras.credit {
        Some(c) if c.currency == currency => c.balance.min(net + tax).max(0),
        _ => 0,
    };
    let status = if net + tax - credit_applied > 0 {
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
            credit_applied,
            settles,
        },
        updates,
    })
}

/// How an add-on's lines name it.
pub fn addon_label(addon: &str, product: &str) -> String {
    format!("{addon} (add-on to {product})")
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
