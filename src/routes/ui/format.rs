//! How amounts, dates and counts are written on the admin pages.

use rust_decimal::Decimal;

use crate::domain::money::Currency;

/// `1234567.5` -> `1,234,567.50`-style grouping of an amount at its currency's scale.
pub fn amount(currency: Currency, value: Decimal) -> String {
    let value = currency.round(value);
    let text = format!("{:.*}", currency.minor_units() as usize, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// An amount with its currency code: `USD 1,234.50`.
pub fn money(currency: Currency, value: Decimal) -> String {
    format!("{currency} {}", amount(currency, value))
}

/// Minor units with their currency code.
pub fn money_minor(currency: Currency, minor: i64) -> String {
    money(currency, currency.from_minor(minor))
}

/// Several currencies' totals on one line, or `0` when there are none.
pub fn money_list(items: &[(Currency, i64)]) -> String {
    if items.is_empty() {
        return "0".to_owned();
    }
    items
        .iter()
        .map(|(c, n)| money_minor(*c, *n))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn count(n: u64) -> String {
    amount(Currency::USD, Decimal::from(n))
        .split('.')
        .next()
        .unwrap_or("0")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_are_grouped_at_the_currency_scale() {
        let usd = Currency::USD;
        assert_eq!(
            amount(usd, Decimal::from_str("1234567.5").unwrap()),
            "1,234,567.50"
        );
        assert_eq!(amount(usd, Decimal::from_str("-29.9").unwrap()), "-29.90");
        assert_eq!(amount(usd, Decimal::ZERO), "0.00");
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(money(jpy, Decimal::from(1500)), "JPY 1,500");
        assert_eq!(count(100_000), "100,000");
    }
}
