//! Rating usage: a month's quantity of a metric against its allowance and tiers. Pure.
//!
//! The units of a month above `includedQuantity` are charged band by band: each tier's units up
//! to its `upTo` (a total for the month) at its price, everything above the last tier at
//! `unitPrice`. A month's charge is rounded to the currency's minor unit half away from zero.
//! Usage that arrives after its month was invoiced is charged on the next invoice as the
//! difference between the month's charge with it and without it, so a month's lines always add
//! up to the charge for its whole quantity.

use rust_decimal::Decimal;

use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::domain::usage::{Quantity, UsagePrice};

/// One band of a month's usage: how many units, at which price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub units: Quantity,
    pub unit_price: Decimal,
}

/// The bands between two totals of a month: the units above `from` up to `to`, split where the
/// allowance and the tiers end. Units within the allowance are in no band.
pub fn bands(price: &UsagePrice, from: Quantity, to: Quantity) -> Vec<Band> {
    let mut out = Vec::new();
    let mut floor = price.included;
    let limits = price
        .tiers
        .iter()
        .map(|t| (Some(t.up_to), t.unit_price))
        .chain(std::iter::once((None, price.unit_price)));
    for (ceiling, unit_price) in limits {
        let lo = from.max(floor);
        let hi = match ceiling {
            Some(c) => to.min(c),
            None => to,
        };
        if hi > lo {
            out.push(Band {
                units: hi.saturating_sub(lo),
                unit_price,
            });
        }
        match ceiling {
            Some(c) => floor = c,
            None => break,
        }
    }
    out
}

/// The exact charge for a month's total, before rounding.
pub fn charge_of(price: &UsagePrice, total: Quantity) -> Decimal {
    bands(price, Quantity::ZERO, total)
        .iter()
        .map(|b| b.units.to_decimal() * b.unit_price)
        .sum()
}

/// A month's usage of one metric, rated for an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedUsage {
    /// Minor units: the month's charge with all of its quantity, less what was already billed.
    pub amount: i64,
    pub description: String,
    pub late: bool,
}

/// Rates `total` units of `period`, of which `billed` were on earlier invoices, in `currency`.
/// `None` only if the amount does not fit the currency's minor units.
pub fn rate_usage(
    price: &UsagePrice,
    currency: Currency,
    period: Period,
    total: Quantity,
    billed: Quantity,
) -> Option<RatedUsage> {
    let late = billed > Quantity::ZERO;
    let now = currency.to_minor(charge_of(price, total))?;
    let before = currency.to_minor(charge_of(price, billed))?;
    Some(RatedUsage {
        amount: now.checked_sub(before)?,
        description: describe(price, currency, period, total, billed),
        late,
    })
}

/// `Data · 2026-11 · 137.5 GB (100 GB included) · 37.5 GB × 0.50`; late usage says how much
/// more: `Data · 2026-10 · late: 12 GB more, 112 GB in all (100 GB included) · 12 GB × 0.50`.
/// Unit prices show at least the currency's decimals (0.5 as 0.50), finer ones as they are.
pub fn describe(
    price: &UsagePrice,
    currency: Currency,
    period: Period,
    total: Quantity,
    billed: Quantity,
) -> String {
    let unit = &price.unit;
    let mut text = format!("{} · {period} · ", price.label());
    if billed > Quantity::ZERO {
        text.push_str(&format!(
            "late: {} {unit} more, {total} {unit} in all",
            total.saturating_sub(billed)
        ));
    } else {
        text.push_str(&format!("{total} {unit}"));
    }
    if price.included > Quantity::ZERO {
        text.push_str(&format!(" ({} {unit} included)", price.included));
    }
    let parts: Vec<String> = bands(price, billed, total)
        .iter()
        .map(|b| {
            let mut p = b.unit_price;
            if p.scale() < currency.minor_units() {
                p.rescale(currency.minor_units());
            }
            format!("{} {unit} × {p}", b.units)
        })
        .collect();
    if !parts.is_empty() {
        text.push_str(" · ");
        text.push_str(&parts.join(" + "));
    }
    text
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
