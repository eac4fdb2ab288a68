//! The named cases of the billing rules.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

fn fiber(start: NaiveDate) -> Chargeable<'static> {
    Chargeable {
        label: "Fiber 500",
        monthly: 4999,
        next: None,
        start,
        last_day: None,
        suspended: false,
        billed_through: None,
        charged_through: None,
    }
}

fn amounts(r: &Rating) -> Vec<i64> {
    r.lines.iter().map(|l| l.amount).collect()
}

fn descriptions(r: &Rating) -> Vec<&str> {
    r.lines.iter().map(|l| l.description.as_str()).collect()
}

#[test]
fn a_start_inside_the_period_is_prorated_from_the_start_day() {
    let r = rate(&fiber(d(2026, 11, 15)), p("2026-11"));
    // 4999 × 16 / 30 = 2666.13
    assert_eq!(amounts(&r), [2666]);
    assert_eq!(
        descriptions(&r),
        ["Fiber 500 · 2026-11-15–2026-11-30 · 16/30 days"]
    );
    assert_eq!(r.billed_through, Some(d(2026, 11, 30)));
    assert_eq!(r.charged_through, Some(d(2026, 11, 30)));
}

#[test]
fn a_subscription_created_after_its_months_run_is_caught_up_next_month() {
    // Created on 20 November, after November's run: December's invoice carries 20–30 November
    // prorated and all of December.
    let r = rate(&fiber(d(2026, 11, 20)), p("2026-12"));
    assert_eq!(amounts(&r), [prorate(4999, 11, 30), 4999]);
    assert_eq!(prorate(4999, 11, 30), 1833); // 1832.97
    assert_eq!(
        descriptions(&r),
        [
            "Fiber 500 · 2026-11-20–2026-11-30 · 11/30 days",
            "Fiber 500 · 2026-12-01–2026-12-31"
        ]
    );
    assert_eq!(r.charged_through, Some(d(2026, 12, 31)));
}

#[test]
fn a_start_on_the_31st_charges_one_day_of_a_31_day_month() {
    let r = rate(&fiber(d(2026, 12, 31)), p("2026-12"));
    assert_eq!(amounts(&r), [161]); // 4999 / 31 = 161.26
    assert_eq!(r.lines[0].days_in_month, 31);
    // Created on 31 January after January's run: February's invoice has 1/31 of January and
    // the whole of February.
    let r = rate(&fiber(d(2027, 1, 31)), p("2027-02"));
    assert_eq!(amounts(&r), [161, 4999]);
    assert_eq!(
        descriptions(&r)[0],
        "Fiber 500 · 2027-01-31–2027-01-31 · 1/31 days"
    );
}

#[test]
fn february_of_a_leap_year_has_29_days() {
    let r = rate(&fiber(d(2028, 2, 15)), p("2028-02"));
    assert_eq!(r.lines[0].days, 15);
    assert_eq!(r.lines[0].days_in_month, 29);
    assert_eq!(amounts(&r), [2586]); // 4999 × 15 / 29 = 2585.69
    let r = rate(&fiber(d(2027, 2, 15)), p("2027-02"));
    assert_eq!(amounts(&r), [2500]); // 4999 × 14 / 28 = 2499.5, half away from zero
}

#[test]
fn a_start_on_the_last_day_of_a_month_charges_that_day_then_whole_months() {
    let r = rate(&fiber(d(2026, 11, 30)), p("2026-12"));
    assert_eq!(amounts(&r), [167, 4999]); // 4999 / 30 = 166.63
    assert_eq!(r.lines[0].first, d(2026, 11, 30));
    assert_eq!(r.lines[0].last, d(2026, 11, 30));
    let next = Chargeable {
        billed_through: r.billed_through,
        charged_through: r.charged_through,
        ..fiber(d(2026, 11, 30))
    };
    assert_eq!(amounts(&rate(&next, p("2027-01"))), [4999]);
}

#[test]
fn a_period_already_billed_charges_nothing_again() {
    let mut c = fiber(d(2026, 11, 15));
    let first = rate(&c, p("2026-12"));
    c.billed_through = first.billed_through;
    c.charged_through = first.charged_through;
    let again = rate(&c, p("2026-12"));
    assert!(again.lines.is_empty());
    assert!(!again.changed(&c));
    // An older period, run late, finds nothing either.
    assert!(rate(&c, p("2026-11")).lines.is_empty());
}

#[test]
fn a_subscription_suspended_on_the_bill_day_is_not_charged_for_the_period() {
    let c = Chargeable {
        suspended: true,
        billed_through: Some(d(2026, 11, 30)),
        charged_through: Some(d(2026, 11, 30)),
        ..fiber(d(2026, 10, 1))
    };
    let r = rate(&c, p("2026-12"));
    assert!(r.lines.is_empty());
    // December is settled (skipped), so a resume in December does not bill it later...
    assert_eq!(r.billed_through, Some(d(2026, 12, 31)));
    assert_eq!(r.charged_through, Some(d(2026, 11, 30)));
    let resumed = Chargeable {
        suspended: false,
        billed_through: r.billed_through,
        charged_through: r.charged_through,
        ..c
    };
    // ...and January is charged whole.
    assert_eq!(amounts(&rate(&resumed, p("2027-01"))), [4999]);
}

#[test]
fn a_suspended_subscription_still_pays_earlier_days_never_billed() {
    let c = Chargeable {
        suspended: true,
        ..fiber(d(2026, 11, 20))
    };
    let r = rate(&c, p("2026-12"));
    assert_eq!(amounts(&r), [1833]);
    assert_eq!(r.charged_through, Some(d(2026, 11, 30)));
    assert_eq!(r.billed_through, Some(d(2026, 12, 31)));
}

#[test]
fn a_mid_period_cancellation_credits_the_days_charged_after_the_end_date() {
    // December was charged in full; the subscription is cancelled on 15 December.
    let c = Chargeable {
        last_day: Some(d(2026, 12, 15)),
        billed_through: Some(d(2026, 12, 31)),
        charged_through: Some(d(2026, 12, 31)),
        ..fiber(d(2026, 10, 1))
    };
    let r = rate(&c, p("2027-01"));
    assert_eq!(amounts(&r), [-prorate(4999, 16, 31)]);
    assert_eq!(prorate(4999, 16, 31), 2580); // 2580.13
    assert_eq!(
        descriptions(&r),
        ["Credit: Fiber 500 · 2026-12-16–2026-12-31 · 16/31 days"]
    );
    assert_eq!(r.lines[0].kind, LineKind::Credit);
    assert_eq!(r.charged_through, Some(d(2026, 12, 15)));
    // The credit is given once.
    let after = Chargeable {
        billed_through: r.billed_through,
        charged_through: r.charged_through,
        ..c
    };
    assert!(rate(&after, p("2027-02")).lines.is_empty());
}

#[test]
fn a_suspension_inside_a_charged_period_gives_no_credit() {
    let c = Chargeable {
        suspended: true,
        billed_through: Some(d(2026, 12, 31)),
        charged_through: Some(d(2026, 12, 31)),
        ..fiber(d(2026, 10, 1))
    };
    let r = rate(&c, p("2026-12"));
    assert!(r.lines.is_empty());
    assert!(!r.changed(&c));
}

#[test]
fn a_cancellation_before_the_start_credits_everything_charged() {
    // Pending from 10 December, charged in advance on 1 December, cancelled before it started.
    let start = d(2026, 12, 10);
    let c = Chargeable {
        last_day: Some(start.pred_opt().unwrap()),
        billed_through: Some(d(2026, 12, 31)),
        charged_through: Some(d(2026, 12, 31)),
        ..fiber(start)
    };
    let r = rate(&c, p("2027-01"));
    assert_eq!(amounts(&r), [-prorate(4999, 22, 31)]);
    assert_eq!(r.charged_through, None);
}

#[test]
fn an_end_date_inside_the_period_charges_up_to_and_including_it() {
    let c = Chargeable {
        last_day: Some(d(2026, 12, 10)),
        ..fiber(d(2026, 11, 20))
    };
    let r = rate(&c, p("2026-12"));
    assert_eq!(amounts(&r), [1833, prorate(4999, 10, 31)]);
    assert_eq!(r.charged_through, Some(d(2026, 12, 10)));
    assert_eq!(r.billed_through, Some(d(2026, 12, 10)));
}

#[test]
fn a_start_after_the_period_is_left_for_its_own_period() {
    let r = rate(&fiber(d(2027, 1, 5)), p("2026-12"));
    assert!(r.lines.is_empty());
    assert_eq!(r.billed_through, None);
}

#[test]
fn proration_rounds_half_away_from_zero() {
    assert_eq!(prorate(1, 1, 2), 1);
    assert_eq!(prorate(3, 1, 2), 2);
    assert_eq!(prorate(-3, 1, 2), -2);
    assert_eq!(prorate(100, 1, 3), 33);
    assert_eq!(prorate(0, 5, 31), 0);
    assert_eq!(prorate(4999, 31, 31), 4999);
}
