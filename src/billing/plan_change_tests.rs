//! Plan changes: the old plan credited from the change's day, the new one charged from it, on
//! the 1st, the last day of a month and the 31st; add-ons kept or replaced.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::billing::draft::{CustomerOutcome, DraftInvoice, bill_customer};
use crate::domain::billing_rows::Extras;
use crate::domain::enums::{LineKind, SubscriptionStatus};
use crate::domain::period::Period;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// Fiber 100 at 29.99 since 1 September, billed and charged through `through`, with the
/// Static IP add-on (5.00).
fn customer(through: &str) -> CustomerRows {
    let through = Some(d(through));
    CustomerRows {
        customer_id: "cus_1".into(),
        tax_exempt: false,
        subs: vec![SubRow {
            seq: 1,
            id: "sub_1".into(),
            product_name: "Fiber 100".into(),
            status: SubscriptionStatus::Active,
            start: d("2026-09-01"),
            end: None,
            monthly: 2999,
            currency: Currency::USD,
            billed_through: through,
            charged_through: through,
            addons: vec![AddonRow {
                addon_id: "prd_ip".into(),
                name: "Static IP".into(),
                charge: 500,
                billed_through: through,
                charged_through: through,
                start: None,
                next_charge: None,
            }],
            plan_start: None,
            next_charge: None,
        }],
        extras: Extras::default(),
    }
}

fn fiber500(addons: &[(&str, &str, i64)]) -> NewPlan {
    NewPlan {
        product_id: "prd_500".into(),
        product_name: "Fiber 500".into(),
        monthly: 4999,
        addons: addons
            .iter()
            .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), *c))
            .collect(),
    }
}

fn change(c: &mut CustomerRows, plan: &NewPlan, from: &str) -> Switch {
    let s = switch(&c.subs[0], "prd_100", plan, d(from));
    apply_to_rows(c, "sub_1", plan, &s, d(from), Currency::USD);
    s
}

fn next_invoice(c: &CustomerRows, period: &str) -> DraftInvoice {
    match bill_customer(c, p(period), Decimal::ZERO).unwrap() {
        CustomerOutcome::Invoice { invoice, .. } => invoice,
        other => panic!("expected an invoice, got {other:?}"),
    }
}

fn lines(inv: &DraftInvoice) -> Vec<(String, i64)> {
    inv.lines
        .iter()
        .map(|l| (l.rated.description.clone(), l.rated.amount))
        .collect()
}

fn owned(v: &[(&str, i64)]) -> Vec<(String, i64)> {
    v.iter().map(|(a, b)| ((*a).to_owned(), *b)).collect()
}

#[test]
fn a_change_on_the_first_credits_the_whole_old_month_and_charges_the_whole_new_one() {
    let mut c = customer("2026-11-30");
    let s = change(
        &mut c,
        &fiber500(&[("prd_ip", "Static IP", 500)]),
        "2026-11-01",
    );
    assert_eq!(s.kept_addons, ["prd_ip"]);
    assert_eq!(s.closed.len(), 1, "the old plan; the kept add-on goes on");
    assert_eq!(s.closed[0].last_day, d("2026-10-31"));
    assert_eq!(
        lines(&next_invoice(&c, "2026-12")),
        owned(&[
            ("Credit: Fiber 100 · 2026-11-01–2026-11-30", -2999),
            ("Fiber 500 · 2026-11-01–2026-11-30", 4999),
            ("Fiber 500 · 2026-12-01–2026-12-31", 4999),
            (
                "Static IP (add-on to Fiber 500) · 2026-12-01–2026-12-31",
                500
            ),
        ])
    );
}

#[test]
fn a_change_on_the_last_day_of_a_month_credits_and_charges_that_one_day() {
    let mut c = customer("2026-11-30");
    change(&mut c, &fiber500(&[]), "2026-11-30");
    // 2999 / 30 = 99.97 and 500 / 30 = 16.67 credited; 4999 / 30 = 166.63 charged.
    assert_eq!(
        lines(&next_invoice(&c, "2026-12")),
        owned(&[
            (
                "Credit: Fiber 100 · 2026-11-30–2026-11-30 · 1/30 days",
                -100
            ),
            (
                "Credit: Static IP (add-on to Fiber 100) · 2026-11-30–2026-11-30 · 1/30 days",
                -17
            ),
            ("Fiber 500 · 2026-11-30–2026-11-30 · 1/30 days", 167),
            ("Fiber 500 · 2026-12-01–2026-12-31", 4999),
        ])
    );
}

#[test]
fn a_change_on_the_31st_prorates_by_a_31_day_month() {
    let mut c = customer("2026-12-31");
    change(
        &mut c,
        &fiber500(&[("prd_ip", "Static IP", 500)]),
        "2026-12-31",
    );
    // 2999 / 31 = 96.74 credited, 4999 / 31 = 161.26 charged.
    assert_eq!(
        lines(&next_invoice(&c, "2027-01")),
        owned(&[
            ("Credit: Fiber 100 · 2026-12-31–2026-12-31 · 1/31 days", -97),
            ("Fiber 500 · 2026-12-31–2026-12-31 · 1/31 days", 161),
            ("Fiber 500 · 2027-01-01–2027-01-31", 4999),
            (
                "Static IP (add-on to Fiber 500) · 2027-01-01–2027-01-31",
                500
            ),
        ])
    );
}

#[test]
fn a_change_before_the_month_was_billed_charges_the_old_plan_up_to_the_day_before() {
    // Billed through October; November's run has not happened yet.
    let mut c = customer("2026-10-31");
    change(
        &mut c,
        &fiber500(&[("prd_ip", "Static IP", 500)]),
        "2026-11-15",
    );
    // 2999 × 14/30 = 13.995 -> 14.00; 4999 × 16/30 = 26.661 -> 26.66.
    assert_eq!(
        lines(&next_invoice(&c, "2026-11")),
        owned(&[
            ("Fiber 100 · 2026-11-01–2026-11-14 · 14/30 days", 1400),
            ("Fiber 500 · 2026-11-15–2026-11-30 · 16/30 days", 2666),
            (
                "Static IP (add-on to Fiber 500) · 2026-11-01–2026-11-30",
                500
            ),
        ])
    );
}

#[test]
fn a_subscription_that_has_not_started_takes_the_new_plan_in_place() {
    let mut c = customer("2026-10-31");
    c.subs[0].start = d("2026-12-01");
    c.subs[0].billed_through = None;
    c.subs[0].charged_through = None;
    let s = change(&mut c, &fiber500(&[]), "2026-11-20");
    assert!(!s.started);
    assert!(s.closed.is_empty());
    assert_eq!(
        lines(&next_invoice(&c, "2026-12")),
        owned(&[("Fiber 500 · 2026-12-01–2026-12-31", 4999)])
    );
}

proptest! {
    /// Over the change's month, what is charged is the old plan's days before the change and
    /// the new plan's days from it: each within a cent of its exact share.
    #[test]
    fn every_day_of_the_month_is_charged_once_at_the_plan_it_was_on(
        old in 0_i64..100_000,
        new in 0_i64..100_000,
        day in 1_u32..=31,
        month in 1_u32..=12,
        already_billed in any::<bool>(),
    ) {
        let period = Period::containing(NaiveDate::from_ymd_opt(2027, month, 1).unwrap());
        let day = day.min(period.days());
        let from = NaiveDate::from_ymd_opt(2027, month, day).unwrap();
        let through = if already_billed { period.last_day() } else { period.previous().last_day() };
        let mut c = customer(&through.to_string());
        c.subs[0].monthly = old;
        c.subs[0].addons.clear();
        let plan = NewPlan { monthly: new, ..fiber500(&[]) };
        change(&mut c, &plan, &from.to_string());
        let inv = next_invoice(&c, &period.to_string());
        let in_month: i64 = inv
            .lines
            .iter()
            .filter(|l| l.rated.first >= period.first_day() && l.rated.last <= period.last_day())
            .map(|l| l.rated.amount)
            .sum();
        let n = Decimal::from(period.days());
        let before = Decimal::from(day - 1);
        // The old plan's days before the change and the new plan's from it, exactly.
        let expected = Decimal::from(old) * before / n + Decimal::from(new) * (n - before) / n;
        // A month already billed had the old plan's whole month charged before this invoice.
        let earlier = if already_billed { old } else { 0 };
        let charged = Decimal::from(in_month + earlier);
        prop_assert!((charged - expected).abs() <= Decimal::ONE, "{charged} vs {expected}");
        for l in &inv.lines {
            match l.rated.kind {
                LineKind::Charge => prop_assert!(l.rated.amount >= 0),
                LineKind::Credit => prop_assert!(l.rated.amount <= 0),
            }
        }
    }
}
