use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::FieldError;
use super::enums::{SubscriptionStatus, SuspendedBy};
use super::ids::{CustomerId, ProductId, SubscriptionId};
use super::money::{Currency, as_json_number};

/// A subscription, shaped as the contract's `Subscription`. Name and charges are the catalog's at
/// the moment of subscribing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: SubscriptionId,
    pub customer_id: CustomerId,
    pub product_id: ProductId,
    pub product_name: String,
    pub status: SubscriptionStatus,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    #[serde(serialize_with = "as_json_number")]
    pub monthly_charge: Decimal,
    pub currency: Currency,
    pub addons: Vec<SubscriptionAddon>,
    /// Set while `Suspended`: by the customer's status or by the subscription's own action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_by: Option<SuspendedBy>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionAddon {
    pub addon_id: ProductId,
    pub addon_name: String,
    #[serde(serialize_with = "as_json_number")]
    pub charge: Decimal,
}

/// A request for a new subscription, syntactically valid; the catalog rules are checked against
/// the store when it is created.
#[derive(Debug, Clone)]
pub struct SubscriptionOrder {
    pub product_id: String,
    pub start_date: NaiveDate,
    pub addons: Vec<String>,
}

impl SubscriptionOrder {
    /// A subscription starts from today (the past has been billed or not, and is not rewritten)
    /// up to [`super::date::YEARS_AHEAD`] years ahead.
    pub fn check_start(&self, today: NaiveDate) -> Result<(), FieldError> {
        if self.start_date < today {
            return Err(FieldError::new(
                "startDate",
                format!(
                    "{} is in the past; the earliest start is today, {today}",
                    self.start_date
                ),
            ));
        }
        let latest = super::date::latest_date(today);
        if self.start_date > latest {
            return Err(FieldError::new(
                "startDate",
                format!(
                    "{} is too far ahead; the latest start is {latest}, {} years from today",
                    self.start_date,
                    super::date::YEARS_AHEAD
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(start: &str) -> SubscriptionOrder {
        SubscriptionOrder {
            product_id: "prd_x".into(),
            start_date: crate::domain::date::parse_date("startDate", start).unwrap(),
            addons: Vec::new(),
        }
    }

    #[test]
    fn a_start_lies_from_today_to_five_years_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert!(order("2026-11-26").check_start(today).is_ok());
        assert!(order("2031-11-26").check_start(today).is_ok());
        for bad in ["2026-11-25", "2031-11-27", "9999-12-31"] {
            assert_eq!(
                order(bad).check_start(today).unwrap_err().field,
                "startDate",
                "{bad}"
            );
        }
    }
}
