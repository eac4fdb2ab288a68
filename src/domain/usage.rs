//! Usage: exact quantities, metric names, and usage-based prices with an allowance and tiers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::money::as_json_number;

/// A usage quantity, exact to six decimals: an integer of millionths of the metric's unit.
///
/// Why a scaled integer: quantities are summed per subscription, month and metric on every
/// batch of records and read by every bill run. SQLite has no decimal type (a `DECIMAL` column
/// stores a fraction as a binary float), and decimal text cannot be summed in SQL without
/// going through floats; an integer of millionths is summed exactly by SQLite, compares and
/// indexes as an integer, and holds up to 9.2 trillion units, while six decimals cover what
/// mediation systems report (bytes as GB to the kilobyte, seconds as minutes to the
/// millisecond). More decimals than six are refused, never rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(i64);

/// Millionths in one unit.
const SCALE: i64 = 1_000_000;
/// Decimals a quantity may have.
pub const QUANTITY_DECIMALS: u32 = 6;
/// The largest quantity one record or one price may state (a billion units).
pub const MAX_QUANTITY: i64 = 1_000_000_000;

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    /// A quantity from the millionths the database stores.
    pub fn from_millionths(m: i64) -> Self {
        Self(m)
    }

    pub fn millionths(self) -> i64 {
        self.0
    }

    pub fn whole(units: i64) -> Self {
        Self(units.saturating_mul(SCALE))
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, QUANTITY_DECIMALS).normalize()
    }

    /// An exact decimal as a quantity: `None` if it is negative, has more than six decimals or
    /// is larger than [`MAX_QUANTITY`].
    pub fn from_decimal(d: Decimal) -> Option<Self> {
        if d.is_sign_negative() && !d.is_zero() {
            return None;
        }
        let d = d.normalize();
        if d.scale() > QUANTITY_DECIMALS || d > Decimal::from(MAX_QUANTITY) {
            return None;
        }
        let scaled = d * Decimal::from(SCALE);
        rust_decimal::prelude::ToPrimitive::to_i64(&scaled).map(Self)
    }

    /// Parses a quantity written as a decimal number (JSON number text, a CSV cell, a form
    /// field), exactly.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let d = parse_decimal(field, text)?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(FieldError::new(field, "must not be negative"));
        }
        if d.normalize().scale() > QUANTITY_DECIMALS {
            return Err(FieldError::new(
                field,
                format!("has more than {QUANTITY_DECIMALS} decimals"),
            ));
        }
        Self::from_decimal(d)
            .ok_or_else(|| FieldError::new(field, format!("must be at most {MAX_QUANTITY}")))
    }

    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity(self.0.saturating_sub(other.0).max(0))
    }

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.0.checked_add(other.0).map(Quantity)
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_decimal())
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_json_number(&self.to_decimal(), s)
    }
}

/// Reads a decimal number from its text exactly (JSON number text, with an exponent or not).
pub fn parse_decimal(field: &str, text: &str) -> Result<Decimal, FieldError> {
    let text = text.trim();
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(FieldError::new(field, "must be a number"));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|_| FieldError::new(field, "is not a number edgebss can represent exactly"))
}

/// The name of what is metered (`data_gb`, `voice_min`, `sms`): lower-case letters, digits and
/// underscores, starting with a letter, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Metric(String);

impl Metric {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let ok = s.len() <= 40
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "`{s}` is not a metric name: lower-case letters, digits and underscores, \
                     starting with a letter, at most 40 characters (e.g. data_gb)"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A metric as our own storage holds it.
    pub fn from_stored(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl TryFrom<String> for Metric {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Metric::parse("metric", &s).map_err(|e| e.message)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl rusqlite::types::ToSql for Metric {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.0.as_str()))
    }
}

/// A usage record as received: shaped right (the API refuses a malformed one outright), its
/// meaning still to be checked against the subscription.
#[derive(Debug, Clone)]
pub struct UsageRecordInput {
    /// The sender's own id: a record sent again with it counts once.
    pub record_id: String,
    pub subscription_id: String,
    pub metric: String,
    /// The quantity as written (a JSON number's text or a CSV cell), read exactly later.
    pub quantity: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Most records one request (or one write) takes.
pub const MAX_BATCH: usize = 1000;

/// Why a record was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedRecord {
    /// Its position in the batch (from 0).
    pub index: usize,
    pub code: &'static str,
    pub message: String,
}

/// What became of a batch of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageBatchResult {
    pub accepted: usize,
    /// Records sent before (same recordId): counted once, the first time.
    pub duplicates: usize,
    pub rejected: Vec<RejectedRecord>,
}

/// A subscription's usage of one metric in one month, as `GET …/usage` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricUsage {
    pub metric: Metric,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
    pub records: i64,
    pub included_quantity: Quantity,
    /// What invoices have billed of it so far.
    pub billed_quantity: Quantity,
    /// What the month's usage costs at its price, so far.
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
}

pub use super::usage_price::{Tier, UsagePrice, UsagePriceInput, UsagePriceView};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_exact_to_six_decimals_and_never_negative() {
        assert_eq!(
            Quantity::parse("q", "137.5").unwrap().millionths(),
            137_500_000
        );
        assert_eq!(Quantity::parse("q", "0.000001").unwrap().millionths(), 1);
        assert_eq!(Quantity::parse("q", "1e2").unwrap().to_string(), "100");
        assert_eq!(Quantity::parse("q", "2.500").unwrap().to_string(), "2.5");
        assert!(Quantity::parse("q", "0.0000001").is_err());
        assert!(Quantity::parse("q", "-1").is_err());
        assert!(Quantity::parse("q", "1000000001").is_err());
        assert!(Quantity::parse("q", "\"3\"").is_err());
    }
}
