//! Plan changes: what is asked, when it takes effect, and a subscription's history of plans.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{ProductId, SubscriptionId};
use super::money::{Currency, as_json_number};

/// When a plan change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanWhen {
    /// Today: the old plan's days from today on that were charged are credited, the new plan
    /// is charged from today.
    Now,
    /// The first day of the next period.
    EndOfPeriod,
}

impl PlanWhen {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanWhen::Now => "now",
            PlanWhen::EndOfPeriod => "end_of_period",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "now" => Some(Self::Now),
            "end_of_period" => Some(Self::EndOfPeriod),
            _ => None,
        }
    }
}

/// A plan change as asked: the new product, its add-ons (`None`: keep the current ones), when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOrder {
    pub product_id: String,
    pub addons: Option<Vec<String>>,
}

/// A plan change waiting for its day (`when: end_of_period`), as stored on the subscription and
/// shown by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledPlan {
    pub product_id: String,
    pub addons: Vec<String>,
    pub effective_date: NaiveDate,
}

/// One plan in a subscription's history: a past one (with its last day) or the current one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRecord {
    pub product_id: ProductId,
    pub product_name: String,
    #[serde(serialize_with = "as_json_number")]
    pub monthly_charge: Decimal,
    pub currency: Currency,
    pub start_date: NaiveDate,
    /// Absent for the current plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// Add-ons that ended with this plan (a past plan) or that it has now.
    pub addons: Vec<String>,
}

/// A subscription's plans, oldest first, the current one last.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanHistory {
    pub subscription_id: SubscriptionId,
    pub data: Vec<PlanRecord>,
}
