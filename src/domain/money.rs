//! Money: `rust_decimal` in code, exact integers of minor units in the database, JSON numbers on
//! the wire written from the decimal's own digits (never through a float).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serializer;
use serde_json::value::RawValue;

use super::FieldError;

/// An ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    /// A currency as entered: one of ISO 4217's current currencies (see
    /// [`super::currency_codes`]).
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        match Self::from_code(value) {
            Some(c) if super::currency_codes::is_accepted(value) => Ok(c),
            _ => Err(FieldError::new(
                field,
                format!("`{value}` is not an ISO 4217 currency code such as USD or EUR"),
            )),
        }
    }

    /// Any three upper-case letters: what the database holds is read back even if written
    /// before the code list was checked, or withdrawn from it since.
    fn from_code(value: &str) -> Option<Self> {
        let b = value.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Self([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // The constructor admits ASCII upper-case letters only.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in this currency's smallest unit (ISO 4217).
    pub fn minor_units(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }

    /// Rounds to this currency's minor unit, half away from zero (0.005 -> 0.01).
    pub fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// An amount as the integer of minor units the database stores; `None` when it does not fit.
    pub fn to_minor(&self, amount: Decimal) -> Option<i64> {
        let scaled = self.round(amount) * Decimal::from(10_i64.pow(self.minor_units()));
        scaled.to_i64()
    }

    /// Minor units back into an amount, at the currency's scale (`2990` USD -> `29.90`).
    pub fn from_minor(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.minor_units())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl rusqlite::types::ToSql for Currency {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

impl rusqlite::types::FromSql for Currency {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        Currency::from_code(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("`{text}` is not a currency code").into())
        })
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Serializes a decimal as a JSON number with exactly its digits (`29.90`, not `29.899999`).
pub fn as_json_number<S: Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(amount.to_string()).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&raw, s)
}

/// Reads an amount from the raw JSON text of a number, exactly. Strings, fractions finer than the
/// currency allows, and negative or absurd amounts are refused with the field named.
pub fn parse_amount(
    field: &str,
    raw: &RawValue,
    currency: Currency,
) -> Result<Decimal, FieldError> {
    let text = raw.get().trim();
    let bad = |why: &str| FieldError::new(field, why.to_owned());
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(bad("must be a JSON number"));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    let amount = parsed.map_err(|_| bad("is not a number edgebss can represent exactly"))?;
    if amount.scale() > currency.minor_units()
        && amount.normalize().scale() > currency.minor_units()
    {
        return Err(bad(&format!(
            "has more decimals than {} allows ({})",
            currency,
            currency.minor_units()
        )));
    }
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(bad("must not be negative"));
    }
    if amount > Decimal::from(1_000_000_000_i64) {
        return Err(bad("must be at most 1000000000"));
    }
    Ok(amount.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_minor_unit() {
        let usd = Currency::USD;
        assert_eq!(
            usd.round(Decimal::from_str("0.005").unwrap()).to_string(),
            "0.01"
        );
        assert_eq!(
            usd.round(Decimal::from_str("-0.005").unwrap()).to_string(),
            "-0.01"
        );
        assert_eq!(
            usd.round(Decimal::from_str("2.004").unwrap()).to_string(),
            "2.00"
        );
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(
            jpy.round(Decimal::from_str("10.5").unwrap()).to_string(),
            "11"
        );
    }

    #[test]
    fn minor_units_round_trip() {
        let usd = Currency::USD;
        assert_eq!(
            usd.to_minor(Decimal::from_str("29.90").unwrap()),
            Some(2990)
        );
        assert_eq!(usd.from_minor(2990).to_string(), "29.90");
        let kwd = Currency::parse("c", "KWD").unwrap();
        assert_eq!(kwd.from_minor(1500).to_string(), "1.500");
    }

    #[test]
    fn amounts_serialize_as_exact_json_numbers() {
        #[derive(serde::Serialize)]
        struct T {
            #[serde(serialize_with = "as_json_number")]
            a: Decimal,
        }
        let json = serde_json::to_string(&T {
            a: Decimal::from_str("29.90").unwrap(),
        })
        .unwrap();
        assert_eq!(json, r#"{"a":29.90}"#);
    }

    #[test]
    fn amounts_parse_exactly_or_are_refused() {
        let usd = Currency::USD;
        assert_eq!(
            parse_amount("amount", &raw("10.05"), usd)
                .unwrap()
                .to_string(),
            "10.05"
        );
        assert_eq!(
            parse_amount("amount", &raw("1e1"), usd)
                .unwrap()
                .to_string(),
            "10"
        );
        assert_eq!(
            parse_amount("amount", &raw("10.500"), usd)
                .unwrap()
                .to_string(),
            "10.5"
        );
        assert!(parse_amount("amount", &raw("10.001"), usd).is_err());
        assert!(parse_amount("amount", &raw("\"10\""), usd).is_err());
        assert!(parse_amount("amount", &raw("-1"), usd).is_err());
        assert!(Currency::parse("currency", "usd").is_err());
        assert!(Currency::parse("currency", "ZZZ").is_err(), "not ISO 4217");
        assert!(
            Currency::from_code("ZZZ").is_some(),
            "but read back if stored"
        );
    }
}
