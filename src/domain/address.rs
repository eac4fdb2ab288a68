use serde::{Deserialize, Serialize};

use super::FieldError;
use super::text::parse_opt_text;

/// A postal address as the request carries it. Every part is optional (addresses differ by
/// country), but a part that is sent must be real text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    #[serde(default, deserialize_with = "string_not_null")]
    pub street: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    pub postal_code: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    pub country: Option<String>,
}

/// An address part may be left out, but not sent as `null`: the schema says it is a string.
fn string_not_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// A validated address, stored as JSON and returned as the contract's `Address`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// `field` is the name of the address in the request (`address`, `billingAddress`).
    pub fn parse(field: &str, input: &AddressInput) -> Result<Self, FieldError> {
        let part = |name: &str, v: &Option<String>, max| {
            parse_opt_text(&format!("{field}.{name}"), v.as_deref(), max)
        };
        Ok(Self {
            street: part("street", &input.street, 200)?,
            city: part("city", &input.city, 100)?,
            state: part("state", &input.state, 100)?,
            postal_code: part("postalCode", &input.postal_code, 20)?,
            country: part("country", &input.country, 100)?,
        })
    }

    /// One line per non-empty part, for invoices and the admin pages.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.street {
            out.push(s.clone());
        }
        let city_line = [&self.postal_code, &self.city, &self.state]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        if !city_line.is_empty() {
            out.push(city_line);
        }
        if let Some(c) = &self.country {
            out.push(c.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_part_is_named_with_its_address() {
        let input = AddressInput {
            city: Some("  ".into()),
            ..Default::default()
        };
        let err = Address::parse("billingAddress", &input).unwrap_err();
        assert_eq!(err.field, "billingAddress.city");
    }
}
