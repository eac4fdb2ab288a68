//! What the bill run reads for each customer: subscriptions and add-ons as stored, with how far
//! each is already billed.

use chrono::NaiveDate;

use super::enums::SubscriptionStatus;
use super::money::Currency;

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
    pub fn last_day(&self) -> Option<NaiveDate> {
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
