//! One-off charges (an installation fee, a router) and discounts on a subscription's charges.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::FieldError;
use super::enums::{ChargeStatus, DiscountStatus};
use super::ids::{ChargeId, CustomerId, DiscountId, InvoiceId, SubscriptionId};
use super::money::{Currency, as_json_number};
use super::text::parse_text;
use super::usage::parse_decimal;

/// A one-off charge, billed on the customer's next invoice.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    pub charge_id: ChargeId,
    pub customer_id: CustomerId,
    pub description: String,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    pub currency: Currency,
    /// The day it was made: the date its invoice line carries.
    pub charge_date: NaiveDate,
    pub status: ChargeStatus,
    /// The invoice that billed it, once `Billed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<InvoiceId>,
    pub created_at: String,
}

/// A charge as received; its amount is read once its currency is known.
#[derive(Debug)]
pub struct ChargeInput {
    pub description: String,
    pub amount: Box<RawValue>,
    /// `None`: the currency of the customer's subscriptions.
    pub currency: Option<Currency>,
}

impl ChargeInput {
    pub fn parse(
        description: &str,
        amount: Box<RawValue>,
        currency: Option<&str>,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            description: parse_text("description", description, 200)?,
            amount,
            currency: currency
                .map(|c| Currency::parse("currency", c))
                .transpose()?,
        })
    }
}

/// How much a discount takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountOff {
    /// A percentage of each charge line (0 < p <= 100).
    Percent(Decimal),
    /// An amount off each invoice, in minor units, spread over the subscription's charge lines.
    Amount(i64),
}

/// A discount on a subscription's charge lines.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Discount {
    pub discount_id: DiscountId,
    pub subscription_id: SubscriptionId,
    #[serde(serialize_with = "opt_number", skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<Decimal>,
    #[serde(serialize_with = "opt_number", skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<Decimal>,
    pub currency: Currency,
    /// How many invoices it reduces; absent: every one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Invoices it has reduced so far.
    pub invoices_applied: u32,
    pub description: String,
    pub status: DiscountStatus,
    pub created_at: String,
}

fn opt_number<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => as_json_number(d, s),
        None => s.serialize_none(),
    }
}

impl Discount {
    /// "10 %" or "USD 5.00 off".
    pub fn off_text(&self) -> String {
        match (self.percent_off, self.amount_off) {
            (Some(p), _) => format!("{} %", p.normalize()),
            (_, Some(a)) => format!("{} {} off", self.currency, a),
            _ => String::new(),
        }
    }
}

/// A discount as received: exactly one of `percentOff` and `amountOff` (its amount read once
/// the subscription's currency is known).
#[derive(Debug)]
pub struct DiscountInput {
    pub percent_off: Option<Decimal>,
    pub amount_off: Option<Box<RawValue>>,
    pub months: Option<u32>,
    pub description: String,
}

/// Most months a limited discount may run.
pub const MAX_DISCOUNT_MONTHS: i64 = 120;

impl DiscountInput {
    pub fn parse(
        percent_off: Option<&str>,
        amount_off: Option<Box<RawValue>>,
        months: Option<i64>,
        description: &str,
    ) -> Result<Self, FieldError> {
        let percent_off = match (percent_off, &amount_off) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(FieldError::new(
                    "percentOff",
                    "give exactly one of percentOff and amountOff",
                ));
            }
            (Some(text), None) => {
                let p = parse_decimal("percentOff", text)?.normalize();
                if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                    return Err(FieldError::new(
                        "percentOff",
                        "must be more than 0 and at most 100",
                    ));
                }
                if p.scale() > 2 {
                    return Err(FieldError::new("percentOff", "has more than 2 decimals"));
                }
                Some(p)
            }
            (None, Some(_)) => None,
        };
        let months = months
            .map(|m| {
                if (1..=MAX_DISCOUNT_MONTHS).contains(&m) {
                    Ok(m as u32)
                } else {
                    Err(FieldError::new(
                        "months",
                        format!("must be 1 to {MAX_DISCOUNT_MONTHS}; leave it out for ever"),
                    ))
                }
            })
            .transpose()?;
        Ok(Self {
            percent_off,
            amount_off,
            months,
            description: parse_text("description", description, 120)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn a_discount_is_a_percentage_or_an_amount_never_both() {
        let d = DiscountInput::parse(Some("12.5"), None, Some(3), " Loyalty ").unwrap();
        assert_eq!(d.percent_off, Some(Decimal::new(125, 1)));
        assert_eq!(d.description, "Loyalty");
        assert!(DiscountInput::parse(None, Some(raw("5")), None, "x").is_ok());
        for (p, a) in [(Some("10"), Some(raw("5"))), (None, None)] {
            assert_eq!(
                DiscountInput::parse(p, a, None, "x").unwrap_err().field,
                "percentOff"
            );
        }
        for bad in ["0", "100.01", "-5", "10.125"] {
            assert!(
                DiscountInput::parse(Some(bad), None, None, "x").is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            DiscountInput::parse(Some("10"), None, Some(0), "x")
                .unwrap_err()
                .field,
            "months"
        );
    }
}
