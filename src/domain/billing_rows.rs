//! What the bill run reads for each customer: subscriptions and add-ons as stored, with how far
//! each is already billed.

use chrono::NaiveDate;

use rust_decimal::Decimal;

use super::charge::DiscountOff;
use super::enums::SubscriptionStatus;
use super::money::Currency;
use super::period::Period;
use super::usage::{Quantity, UsagePrice};

/// A catalog price change an item is charged from: the first day of a month and the new
/// monthly amount (minor units).
pub type NextCharge = Option<(NaiveDate, i64)>;

/// An add-on as stored, with its billing state.
#[derive(Debug, Clone)]
pub struct AddonRow {
    pub addon_id: String,
    pub name: String,
    pub charge: i64,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
    /// The day it was added by a plan change; `None`: with its subscription's plan.
    pub start: Option<NaiveDate>,
    pub next_charge: NextCharge,
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
    /// The first day of the current plan after a plan change; `None`: the start date.
    pub plan_start: Option<NaiveDate>,
    pub next_charge: NextCharge,
}

impl SubRow {
    /// The last chargeable day: the end date; for one cancelled before it started, the day
    /// before its start (nothing).
    pub fn last_day(&self) -> Option<NaiveDate> {
        match (self.status, self.end) {
            (_, Some(end)) => Some(end),
            (SubscriptionStatus::Cancelled, None) => {
                Some(self.start.pred_opt().unwrap_or(self.start))
            }
            (_, None) => None,
        }
    }

    /// The first day of the current plan.
    pub fn plan_start(&self) -> NaiveDate {
        self.plan_start.unwrap_or(self.start)
    }
}

/// A customer's subscriptions, in the order they were made.
#[derive(Debug, Clone)]
pub struct CustomerRows {
    pub customer_id: String,
    pub tax_exempt: bool,
    pub subs: Vec<SubRow>,
    /// What else the invoice settles; empty for most customers (the flat path).
    pub extras: Extras,
}

/// What a customer's invoice bills besides the current plans: replaced plans still to settle,
/// usage, one-off charges, discounts, and credit to consume. Read only for the customers that
/// have any, so a run over customers without them costs what it always did.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub past_plans: Vec<PastPlanRow>,
    pub usage: Vec<UsageRow>,
    pub charges: Vec<ChargeRow>,
    pub discounts: Vec<DiscountRow>,
    pub credit: Option<CreditRow>,
}

impl Extras {
    pub fn is_empty(&self) -> bool {
        self.past_plans.is_empty()
            && self.usage.is_empty()
            && self.charges.is_empty()
            && self.discounts.is_empty()
            && self.credit.is_none()
    }
}

/// A plan (or add-on) a plan change replaced, with its billing state.
#[derive(Debug, Clone)]
pub struct PastPlanRow {
    pub seq: i64,
    pub subscription_id: String,
    pub addon_id: Option<String>,
    pub label: String,
    pub monthly: i64,
    pub next_charge: NextCharge,
    pub currency: Currency,
    pub start: NaiveDate,
    pub last_day: NaiveDate,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
}

/// A subscription's usage of one metric in one month, with what invoices have billed of it and
/// the price it is rated at (and the price from a scheduled change, by month).
#[derive(Debug, Clone)]
pub struct UsageRow {
    pub subscription_id: String,
    pub period: Period,
    pub quantity: Quantity,
    pub billed: Quantity,
    pub price: UsagePrice,
    pub next_price: Option<(NaiveDate, UsagePrice)>,
}

impl UsageRow {
    /// The price for its month: a scheduled change counts from its first month.
    pub fn price_for_month(&self) -> &UsagePrice {
        match &self.next_price {
            Some((from, p)) if *from <= self.period.first_day() => p,
            _ => &self.price,
        }
    }
}

/// A one-off charge waiting for an invoice.
#[derive(Debug, Clone)]
pub struct ChargeRow {
    pub id: String,
    pub description: String,
    pub amount: i64,
    pub currency: Currency,
    pub date: NaiveDate,
}

/// An active discount on one of the customer's subscriptions.
#[derive(Debug, Clone)]
pub struct DiscountRow {
    pub id: String,
    pub subscription_id: String,
    pub off: DiscountOff,
    pub months: Option<u32>,
    pub applied: u32,
    pub description: String,
}

impl DiscountRow {
    /// "Loyalty (10 %)" or "Loyalty (5.00 off)".
    pub fn label(&self, currency: Currency) -> String {
        match self.off {
            DiscountOff::Percent(p) => format!("{} ({} %)", self.description, p.normalize()),
            DiscountOff::Amount(a) => {
                format!("{} ({} off)", self.description, currency.from_minor(a))
            }
        }
    }

    /// The percentage, when it is one.
    pub fn percent(&self) -> Option<Decimal> {
        match self.off {
            DiscountOff::Percent(p) => Some(p),
            DiscountOff::Amount(_) => None,
        }
    }
}

/// The customer's credit balance.
#[derive(Debug, Clone, Copy)]
pub struct CreditRow {
    pub currency: Currency,
    pub balance: i64,
}
