//! Usage rating: allowances, tiers and their boundaries, fractions, late usage.

use std::str::FromStr;

use proptest::prelude::*;

use super::*;
use crate::domain::usage::UsagePriceInput;

fn q(s: &str) -> Quantity {
    Quantity::parse("q", s).unwrap()
}

fn price(included: &str, unit_price: &str, tiers: &[(&str, &str)]) -> UsagePrice {
    UsagePrice::parse(
        "usage",
        &UsagePriceInput {
            metric: "data_gb".into(),
            name: Some("Data".into()),
            unit: "GB".into(),
            included_quantity: included.into(),
            unit_price: unit_price.into(),
            tiers: tiers
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        },
    )
    .unwrap()
}

fn nov() -> Period {
    Period::parse("period", "2026-11").unwrap()
}

fn rated(p: &UsagePrice, total: &str, billed: &str) -> RatedUsage {
    rate_usage(p, Currency::USD, nov(), q(total), q(billed)).unwrap()
}

#[test]
fn usage_above_the_allowance_is_charged_at_the_unit_price() {
    let p = price("100", "0.50", &[]);
    let r = rated(&p, "137.5", "0");
    // 37.5 × 0.50 = 18.75
    assert_eq!(r.amount, 1875);
    assert_eq!(
        r.description,
        "Data · 2026-11 · 137.5 GB (100 GB included) · 37.5 GB × 0.50"
    );
    assert!(!r.late);
}

#[test]
fn usage_within_the_allowance_costs_nothing_and_says_so() {
    let p = price("100", "0.50", &[]);
    for total in ["0", "99.999999", "100"] {
        let r = rated(&p, total, "0");
        assert_eq!(r.amount, 0, "{total}");
    }
    assert_eq!(
        rated(&p, "80", "0").description,
        "Data · 2026-11 · 80 GB (100 GB included)"
    );
}

#[test]
fn tiers_are_charged_band_by_band_and_a_total_exactly_at_a_limit_stays_in_its_band() {
    // 100 included; 100-200 at 0.50; 200-500 at 0.30; above 500 at 0.10.
    let p = price("100", "0.10", &[("200", "0.50"), ("500", "0.30")]);
    // Exactly at the first limit: 100 × 0.50.
    assert_eq!(rated(&p, "200", "0").amount, 5000);
    assert_eq!(
        rated(&p, "200", "0").description,
        "Data · 2026-11 · 200 GB (100 GB included) · 100 GB × 0.50"
    );
    // One millionth above it starts the next band: 50.00 + 0.0000003, rounded.
    assert_eq!(rated(&p, "200.000001", "0").amount, 5000);
    // Exactly at the second limit: 50 + 300 × 0.30 = 140.
    assert_eq!(rated(&p, "500", "0").amount, 14_000);
    // Above the last tier: 140 + 250 × 0.10 = 165.
    let r = rated(&p, "750", "0");
    assert_eq!(r.amount, 16_500);
    assert_eq!(
        r.description,
        "Data · 2026-11 · 750 GB (100 GB included) · 100 GB × 0.50 + 300 GB × 0.30 + 250 GB × 0.10"
    );
}

#[test]
fn fractional_quantities_are_rated_exactly_and_rounded_half_away_from_zero() {
    let p = price("0", "0.01", &[]);
    // 0.5 × 0.01 = 0.005: half a cent rounds up.
    assert_eq!(rated(&p, "0.5", "0").amount, 1);
    // 0.499999 × 0.01 = 0.00499999: down.
    assert_eq!(rated(&p, "0.499999", "0").amount, 0);
    // A per-SMS price finer than a cent: 333 × 0.0015 = 0.4995 -> 0.50.
    let sms = price("0", "0.0015", &[]);
    assert_eq!(rated(&sms, "333", "0").amount, 50);
    // 1/3 of a GB at 3.00: 0.333333 × 3 = 0.999999 -> 1.00.
    let gb = price("0", "3.00", &[]);
    assert_eq!(rated(&gb, "0.333333", "0").amount, 100);
}

#[test]
fn late_usage_is_charged_as_the_difference_and_a_months_lines_add_up() {
    let p = price("100", "0.50", &[]);
    // 90 GB billed (within the allowance), then 22.3 more arrive: 12.3 × 0.50 = 6.15.
    let late = rated(&p, "112.3", "90");
    assert_eq!(late.amount, 615);
    assert!(late.late);
    assert_eq!(
        late.description,
        "Data · 2026-11 · late: 22.3 GB more, 112.3 GB in all (100 GB included) · 12.3 GB × 0.50"
    );
    // Three cents' worth in three parts of a third each: the lines add up to the whole month.
    let third = price("0", "0.01", &[]);
    let parts = [
        rated(&third, "1", "0").amount,
        rated(&third, "2", "1").amount,
        rated(&third, "3", "2").amount,
    ];
    assert_eq!(parts.iter().sum::<i64>(), rated(&third, "3", "0").amount);
}

fn price_strategy() -> impl Strategy<Value = UsagePrice> {
    (
        0_i64..200,
        0_i64..10_000,
        prop::collection::vec((1_i64..300, 0_i64..10_000), 0..4),
    )
        .prop_map(|(included, unit, tiers)| {
            let mut floor = included;
            let tiers: Vec<(String, String)> = tiers
                .into_iter()
                .map(|(step, p)| {
                    floor += step;
                    (floor.to_string(), Decimal::new(p, 4).to_string())
                })
                .collect();
            UsagePrice::parse(
                "usage",
                &UsagePriceInput {
                    metric: "m".into(),
                    name: None,
                    unit: "u".into(),
                    included_quantity: included.to_string(),
                    unit_price: Decimal::new(unit, 4).to_string(),
                    tiers,
                },
            )
            .unwrap()
        })
}

proptest! {
    #[test]
    fn bands_cover_exactly_the_units_above_the_allowance(
        p in price_strategy(),
        total in 0_i64..2_000_000_000,
        cut in 0_i64..2_000_000_000,
    ) {
        let total = Quantity::from_millionths(total);
        let billed = Quantity::from_millionths(cut.min(total.millionths()));
        let units: i64 = bands(&p, billed, total).iter().map(|b| b.units.millionths()).sum();
        let above = |x: Quantity| x.saturating_sub(p.included).millionths();
        prop_assert_eq!(units, above(total) - above(billed));
    }

    #[test]
    fn a_month_billed_in_parts_costs_what_it_costs_at_once(
        p in price_strategy(),
        parts in prop::collection::vec(0_i64..300_000_000, 1..5),
    ) {
        let mut billed = Quantity::ZERO;
        let mut sum = 0_i64;
        for part in parts {
            let total = billed.checked_add(Quantity::from_millionths(part)).unwrap();
            sum += rate_usage(&p, Currency::USD, nov(), total, billed).unwrap().amount;
            billed = total;
        }
        let whole = rate_usage(&p, Currency::USD, nov(), billed, Quantity::ZERO).unwrap();
        prop_assert_eq!(sum, whole.amount);
        prop_assert!(whole.amount >= 0);
        let exact = charge_of(&p, billed);
        prop_assert!((Decimal::from(whole.amount) / Decimal::ONE_HUNDRED - exact).abs()
            <= Decimal::from_str("0.005").unwrap());
    }

    #[test]
    fn more_usage_never_costs_less(
        p in price_strategy(),
        a in 0_i64..2_000_000_000,
        b in 0_i64..2_000_000_000,
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(charge_of(&p, Quantity::from_millionths(lo))
            <= charge_of(&p, Quantity::from_millionths(hi)));
    }
}
