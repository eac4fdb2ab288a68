//! Usage: exact quantities, metric names, and usage-based prices with an allowance and tiers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::money::as_json_number;
use super::text::{parse_opt_text, parse_text};

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

/// One band of a tiered price: the units above the previous limit (or the allowance) up to
/// `up_to`, counted in units of the month's total, at `unit_price` each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    #[serde(with = "millionths_text")]
    pub up_to: Quantity,
    pub unit_price: Decimal,
}

/// A usage-based price: the first `included` units of a month are free; the units above are
/// charged band by band (`tiers`, each up to a total), and everything above the last band (or
/// above the allowance when there are no tiers) at `unit_price`. Stored as JSON with decimals
/// written as strings, so they are read back exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePrice {
    pub metric: Metric,
    /// What invoice lines call it ("Data"); the metric's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub unit: String,
    #[serde(rename = "includedQuantity", with = "millionths_text")]
    pub included: Quantity,
    pub unit_price: Decimal,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

/// Most tiers a price may have.
pub const MAX_TIERS: usize = 10;
/// Decimals a unit price may have (finer than a currency's minor unit: 0.0015 per SMS).
pub const UNIT_PRICE_DECIMALS: u32 = 6;

/// A usage price as sent, every number still as its text.
#[derive(Debug, Clone, Default)]
pub struct UsagePriceInput {
    pub metric: String,
    pub name: Option<String>,
    pub unit: String,
    pub included_quantity: String,
    pub unit_price: String,
    /// (upTo, unitPrice)
    pub tiers: Vec<(String, String)>,
}

fn parse_unit_price(field: &str, text: &str) -> Result<Decimal, FieldError> {
    let d = parse_decimal(field, text)?.normalize();
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(field, "must not be negative"));
    }
    if d.scale() > UNIT_PRICE_DECIMALS {
        return Err(FieldError::new(
            field,
            format!("has more than {UNIT_PRICE_DECIMALS} decimals"),
        ));
    }
    if d > Decimal::from(1_000_000) {
        return Err(FieldError::new(field, "must be at most 1000000"));
    }
    // Keep the digits as written ("0.50" stays 0.50 on invoice lines).
    parse_decimal(field, text)
}

impl UsagePrice {
    /// Checks a usage price; `field` is where it sits in the request (`usage`).
    pub fn parse(field: &str, input: &UsagePriceInput) -> Result<Self, FieldError> {
        let f = |name: &str| format!("{field}.{name}");
        let metric = Metric::parse(&f("metric"), input.metric.trim())?;
        let name = parse_opt_text(&f("name"), input.name.as_deref(), 60)?;
        let unit = parse_text(&f("unit"), &input.unit, 20)?;
        let included = Quantity::parse(&f("includedQuantity"), &input.included_quantity)?;
        let unit_price = parse_unit_price(&f("unitPrice"), &input.unit_price)?;
        if input.tiers.len() > MAX_TIERS {
            return Err(FieldError::new(
                f("tiers"),
                format!("must list at most {MAX_TIERS} tiers"),
            ));
        }
        let mut tiers = Vec::with_capacity(input.tiers.len());
        let mut floor = included;
        for (i, (up_to, price)) in input.tiers.iter().enumerate() {
            let at = format!("{field}.tiers[{i}]");
            let up_to = Quantity::parse(&format!("{at}.upTo"), up_to)?;
            if up_to <= floor {
                return Err(FieldError::new(
                    format!("{at}.upTo"),
                    format!(
                        "must be more than {} (the includedQuantity and every earlier upTo)",
                        floor
                    ),
                ));
            }
            floor = up_to;
            tiers.push(Tier {
                up_to,
                unit_price: parse_unit_price(&format!("{at}.unitPrice"), price)?,
            });
        }
        Ok(Self {
            metric,
            name,
            unit,
            included,
            unit_price,
            tiers,
        })
    }

    /// What invoice lines call the metric.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(self.metric.as_str())
    }

    /// The JSON stored in the database.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_stored(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The price as the API shows it: numbers as JSON numbers.
    pub fn view(&self) -> UsagePriceView<'_> {
        UsagePriceView(self)
    }
}

/// [`UsagePrice`] serialised for the API, every number an exact JSON number.
pub struct UsagePriceView<'a>(&'a UsagePrice);

impl Serialize for UsagePriceView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct TierView<'a> {
            up_to: Quantity,
            #[serde(serialize_with = "as_json_number")]
            unit_price: &'a Decimal,
        }
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("metric", &p.metric)?;
        if let Some(name) = &p.name {
            m.serialize_entry("name", name)?;
        }
        m.serialize_entry("unit", &p.unit)?;
        m.serialize_entry("includedQuantity", &p.included)?;
        m.serialize_entry("unitPrice", &Num(&p.unit_price))?;
        let tiers: Vec<TierView<'_>> = p
            .tiers
            .iter()
            .map(|t| TierView {
                up_to: t.up_to,
                unit_price: &t.unit_price,
            })
            .collect();
        m.serialize_entry("tiers", &tiers)?;
        m.end()
    }
}

struct Num<'a>(&'a Decimal);

impl Serialize for Num<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_json_number(self.0, s)
    }
}

/// Serialises a quantity inside stored JSON as its exact decimal text.
mod millionths_text {
    use super::Quantity;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(q: &Quantity, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(q)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        let text = String::deserialize(d)?;
        Quantity::parse("quantity", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(included: &str, price: &str, tiers: &[(&str, &str)]) -> UsagePriceInput {
        UsagePriceInput {
            metric: "data_gb".into(),
            name: Some("Data".into()),
            unit: "GB".into(),
            included_quantity: included.into(),
            unit_price: price.into(),
            tiers: tiers
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        }
    }

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

    #[test]
    fn a_usage_price_round_trips_through_storage_exactly() {
        let p = UsagePrice::parse("usage", &input("100", "0.50", &[("200", "0.40")])).unwrap();
        let back = UsagePrice::from_stored(&p.to_stored()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.unit_price.to_string(), "0.50");
        let api = serde_json::to_string(&p.view()).unwrap();
        assert_eq!(
            api,
            r#"{"metric":"data_gb","name":"Data","unit":"GB","includedQuantity":100,"unitPrice":0.50,"tiers":[{"upTo":200,"unitPrice":0.40}]}"#
        );
    }

    #[test]
    fn tiers_must_rise_above_the_allowance() {
        let e = UsagePrice::parse("usage", &input("100", "0.5", &[("100", "0.4")])).unwrap_err();
        assert_eq!(e.field, "usage.tiers[0].upTo");
        let e = UsagePrice::parse("usage", &input("0", "0.5", &[("50", "0.4"), ("40", "0.3")]))
            .unwrap_err();
        assert_eq!(e.field, "usage.tiers[1].upTo");
        let e = UsagePrice::parse("usage", &input("0", "0.0000001", &[])).unwrap_err();
        assert_eq!(e.field, "usage.unitPrice");
        let mut bad = input("0", "1", &[]);
        bad.metric = "Data GB".into();
        assert_eq!(
            UsagePrice::parse("usage", &bad).unwrap_err().field,
            "usage.metric"
        );
    }
}
