//! One customer's invoice for a period: every line of every subscription and add-on, the net
//! total, tax and total, and the billing state each item moves to. Pure: no database.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::period::Period;
use super::rating::{Chargeable, RatedLine, rate};
use super::tax::tax_minor;
use crate::domain::enums::{InvoiceStatus, SubscriptionStatus};
use crate::domain::money::Currency;

/// An add-on as stored, with its billing state.
#[derive(Debug, Clone)]
pub struct AddonRow {
    pub addon_id: String,
    pub name: String,
    pub charge: i64,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
}

/// A subscription as stored, with its billing state and add-ons.
#[derive(Debug, Clone)]
pub struct SubRow {
    pub seq: i64,
    pub id: String,
    pub product_name: String,
    pub status: SubscriptionStatus,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub monthly: i64,
    pub currency: Currency,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
    pub addons: Vec<AddonRow>,
}

impl SubRow {
    /// The last chargeable day: the end date; for one cancelled before it started, the day
    /// before its start (nothing).
    fn last_day(&self) -> Option<NaiveDate> {
        match (self.status, self.end) {
            (_, Some(end)) => Some(end),
            (SubscriptionStatus::Cancelled, None) => {
                Some(self.start.pred_opt().unwrap_or(self.start))
            }
            (_, None) => None,
        }
    }
}

/// A customer's subscriptions, in the order they were made.
#[derive(Debug, Clone)]
pub struct CustomerRows {
    pub customer_id: String,
    pub tax_exempt: bool,
    pub subs: Vec<SubRow>,
}

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
