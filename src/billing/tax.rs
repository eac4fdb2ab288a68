//! Tax on an invoice's net total.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Tax in minor units on `net` minor units at `rate_percent` (20 means 20 %), rounded to the
/// minor unit half away from zero; nothing for an exempt customer. `None` only if the result
/// cannot be represented, which a rate of at most 100 % rules out.
pub fn tax_minor(net: i64, rate_percent: Decimal, exempt: bool) -> Option<i64> {
    if exempt || rate_percent.is_zero() {
        return Some(0);
    }
    (Decimal::from(net) * rate_percent / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn rate(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn tax_is_a_percentage_of_the_net_total() {
        assert_eq!(tax_minor(4999, rate("20"), false), Some(1000)); // 999.8
        assert_eq!(tax_minor(10_000, rate("7.5"), false), Some(750));
        assert_eq!(tax_minor(4999, rate("0"), false), Some(0));
    }

    #[test]
    fn half_a_minor_unit_rounds_away_from_zero() {
        // 0.10 at 5 % is 0.005: 0.01. 0.30 at 5 % is 0.015: 0.02.
        assert_eq!(tax_minor(10, rate("5"), false), Some(1));
        assert_eq!(tax_minor(30, rate("5"), false), Some(2));
        // 1.10 at 5 % is 0.055: 0.06; just below half stays down: 1.09 at 5 % is 0.0545: 0.05.
        assert_eq!(tax_minor(110, rate("5"), false), Some(6));
        assert_eq!(tax_minor(109, rate("5"), false), Some(5));
        // A credit (negative net) mirrors it: -0.005 is -0.01.
        assert_eq!(tax_minor(-10, rate("5"), false), Some(-1));
    }

    #[test]
    fn an_exempt_customer_pays_no_tax() {
        assert_eq!(tax_minor(4999, rate("20"), true), Some(0));
    }
}
