//! Usage-based prices: an allowance, tiers, and a unit price above them; stored as JSON with
//! exact decimal text, shown by the API as exact JSON numbers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::money::as_json_number;
use super::text::{parse_opt_text, parse_text};
use super::usage::{Metric, Quantity, parse_decimal};

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
