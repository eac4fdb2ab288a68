//! Request bodies shared by the charging operations: exact numbers and usage prices.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::domain::FieldError;
use crate::domain::enums::ProductType;
use crate::domain::product::Compatibility;
use crate::domain::usage::{UsagePrice, UsagePriceInput};

/// An optional field that, when sent, must hold a value: `null` is refused like any other wrong
/// type (the OpenAPI file does not allow it), where `Option` alone would take it for absent.
/// Use with `#[serde(default, deserialize_with = "some")]`.
pub fn some<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The text of a JSON number, refusing anything else (a string, null).
pub fn number_text<'a>(field: &str, raw: &'a RawValue) -> Result<&'a str, FieldError> {
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(FieldError::new(field, "must be a JSON number"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TierRequest {
    up_to: Box<RawValue>,
    unit_price: Box<RawValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsagePriceRequest {
    metric: String,
    #[serde(default, deserialize_with = "some")]
    name: Option<String>,
    unit: String,
    included_quantity: Box<RawValue>,
    unit_price: Box<RawValue>,
    #[serde(default)]
    tiers: Vec<TierRequest>,
}

impl UsagePriceRequest {
    pub fn parse(&self, field: &str) -> Result<UsagePrice, FieldError> {
        let tiers = self
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let at = format!("{field}.tiers[{i}]");
                Ok((
                    number_text(&format!("{at}.upTo"), &t.up_to)?.to_owned(),
                    number_text(&format!("{at}.unitPrice"), &t.unit_price)?.to_owned(),
                ))
            })
            .collect::<Result<Vec<_>, FieldError>>()?;
        UsagePrice::parse(
            field,
            &UsagePriceInput {
                metric: self.metric.clone(),
                name: self.name.clone(),
                unit: self.unit.clone(),
                included_quantity: number_text(
                    &format!("{field}.includedQuantity"),
                    &self.included_quantity,
                )?
                .to_owned(),
                unit_price: number_text(&format!("{field}.unitPrice"), &self.unit_price)?
                    .to_owned(),
                tiers,
            },
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompatibilityRequest {
    #[serde(default)]
    product_types: Vec<ProductType>,
    #[serde(default)]
    product_ids: Vec<String>,
}

impl CompatibilityRequest {
    pub fn parse(self, field: &str) -> Result<Compatibility, FieldError> {
        Compatibility::parse(field, self.product_types, self.product_ids)
    }
}
