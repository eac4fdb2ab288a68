//! Invoices with every kind of line: usage, one-off charges, discounts, replaced plans and the
//! credit balance.

use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::billing::draft::{CustomerOutcome, DraftInvoice, bill_customer};
use crate::domain::billing_rows::{
    AddonRow, ChargeRow, CreditRow, CustomerRows, DiscountRow, Extras, PastPlanRow, SubRow,
    UsageRow,
};
use crate::domain::charge::DiscountOff;
use crate::domain::enums::{InvoiceStatus, LineKind, LineType, SubscriptionStatus};
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::domain::usage::{Quantity, UsagePrice, UsagePriceInput};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

fn data_price() -> UsagePrice {
    UsagePrice::parse(
        "usage",
        &UsagePriceInput {
            metric: "data_gb".into(),
            name: Some("Data".into()),
            unit: "GB".into(),
            included_quantity: "100".into(),
            unit_price: "0.50".into(),
            tiers: Vec::new(),
        },
    )
    .unwrap()
}

/// Fiber 500 (49.99) with Static IP (5.00), billed through November.
fn fiber() -> SubRow {
    let through = Some(d("2026-11-30"));
    SubRow {
        seq: 1,
        id: "sub_1".into(),
        product_name: "Fiber 500".into(),
        status: SubscriptionStatus::Active,
        start: d("2026-10-01"),
        end: None,
        monthly: 4999,
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
    }
}

fn customer(extras: Extras) -> CustomerRows {
    CustomerRows {
        customer_id: "cus_1".into(),
        tax_exempt: false,
        subs: vec![fiber()],
        extras,
    }
}

fn discount(id: &str, off: DiscountOff, months: Option<u32>, applied: u32) -> DiscountRow {
    DiscountRow {
        id: id.into(),
        subscription_id: "sub_1".into(),
        off,
        months,
        applied,
        description: "Loyalty".into(),
    }
}

fn invoice(c: &CustomerRows, rate: &str) -> DraftInvoice {
    match bill_customer(c, p("2026-12"), Decimal::from_str(rate).unwrap()).unwrap() {
        CustomerOutcome::Invoice { invoice, .. } => invoice,
        other => panic!("expected an invoice, got {other:?}"),
    }
}

fn amounts(inv: &DraftInvoice) -> Vec<i64> {
    inv.lines.iter().map(|l| l.rated.amount).collect()
}

#[test]
fn usage_of_last_month_and_a_one_off_charge_are_on_the_invoice() {
    let c = customer(Extras {
        usage: vec![UsageRow {
            subscription_id: "sub_1".into(),
            period: p("2026-11"),
            quantity: Quantity::parse("q", "137.5").unwrap(),
            billed: Quantity::ZERO,
            price: data_price(),
            next_price: None,
        }],
        charges: vec![ChargeRow {
            id: "chg_1".into(),
            description: "Installation".into(),
            amount: 7500,
            currency: Currency::USD,
            date: d("2026-11-20"),
        }],
        ..Extras::default()
    });
    let inv = invoice(&c, "20");
    assert_eq!(amounts(&inv), [4999, 500, 1875, 7500]);
    let usage = &inv.lines[2];
    assert_eq!(usage.line_type, LineType::Usage);
    assert_eq!(
        usage.rated.description,
        "Data · 2026-11 · 137.5 GB (100 GB included) · 37.5 GB × 0.50"
    );
    assert_eq!(
        (usage.rated.first, usage.rated.last),
        (d("2026-11-01"), d("2026-11-30"))
    );
    assert_eq!(inv.lines[3].line_type, LineType::OneOff);
    assert_eq!(inv.lines[3].subscription_id, None);
    assert_eq!(inv.lines[3].rated.description, "Installation · 2026-11-20");
    // 148.74 net, 29.748 tax -> 29.75.
    assert_eq!((inv.net, inv.tax, inv.total()), (14_874, 2975, 17_849));
    assert_eq!(inv.settles.charges, ["chg_1"]);
    assert_eq!(inv.settles.usage.len(), 1);
}

#[test]
fn a_percentage_discount_follows_each_charge_line_and_counts_one_invoice() {
    let c = customer(Extras {
        discounts: vec![discount(
            "dsc_1",
            DiscountOff::Percent(Decimal::from(10)),
            Some(3),
            2,
        )],
        ..Extras::default()
    });
    let inv = invoice(&c, "0");
    // 10 % of 49.99 is 4.999 -> 5.00; of 5.00 is 0.50.
    assert_eq!(amounts(&inv), [4999, -500, 500, -50]);
    assert_eq!(inv.lines[1].line_type, LineType::Discount);
    assert_eq!(inv.lines[1].rated.kind, LineKind::Credit);
    assert_eq!(
        inv.lines[1].rated.description,
        "Discount Loyalty (10 %) · Fiber 500 · 2026-12-01–2026-12-31"
    );
    // Its third invoice of three: used up.
    assert_eq!(inv.settles.discounts, [("dsc_1".to_owned(), true)]);
}

#[test]
fn an_amount_off_is_spread_over_the_lines_and_never_takes_one_below_zero() {
    let c = customer(Extras {
        discounts: vec![
            discount("dsc_1", DiscountOff::Amount(5200), None, 0),
            discount("dsc_2", DiscountOff::Percent(Decimal::from(100)), None, 0),
        ],
        ..Extras::default()
    });
    let inv = invoice(&c, "20");
    // 52.00 off: 49.99 of the plan, 2.01 of the add-on; then 100 % of what is left (2.99).
    assert_eq!(amounts(&inv), [4999, -4999, 500, -201, -299]);
    assert_eq!(inv.net, 0);
    assert_eq!(inv.total(), 0);
    assert_eq!(inv.status, InvoiceStatus::Paid);
}

#[test]
fn the_credit_balance_pays_the_invoice_first() {
    let credit = |balance| {
        customer(Extras {
            credit: Some(CreditRow {
                currency: Currency::USD,
                balance,
            }),
            ..Extras::default()
        })
    };
    let part = invoice(&credit(2000), "0");
    assert_eq!((part.total(), part.credit_applied), (5499, 2000));
    assert_eq!(part.status, InvoiceStatus::Open);
    let all = invoice(&credit(9000), "0");
    assert_eq!((all.total(), all.credit_applied), (5499, 5499));
    assert_eq!(all.status, InvoiceStatus::Paid);
}

#[test]
fn a_replaced_plan_is_credited_beside_the_new_one() {
    let mut c = customer(Extras {
        past_plans: vec![PastPlanRow {
            seq: 7,
            subscription_id: "sub_1".into(),
            addon_id: None,
            label: "Fiber 100".into(),
            monthly: 2999,
            next_charge: None,
            currency: Currency::USD,
            start: d("2026-10-01"),
            last_day: d("2026-11-14"),
            billed_through: Some(d("2026-11-30")),
            charged_through: Some(d("2026-11-30")),
        }],
        ..Extras::default()
    });
    c.subs[0].plan_start = Some(d("2026-11-15"));
    c.subs[0].billed_through = None;
    c.subs[0].charged_through = None;
    match bill_customer(&c, p("2026-12"), Decimal::ZERO).unwrap() {
        CustomerOutcome::Invoice { invoice, updates } => {
            // 29.99 × 16/30 = 15.99 back; 49.99 × 16/30 = 26.66 and December.
            assert_eq!(amounts(&invoice)[..3], [-1599, 2666, 4999]);
            let past = updates.iter().find(|u| u.past_plan.is_some()).unwrap();
            assert_eq!(past.past_plan, Some((7, true)));
            assert_eq!(past.charged_through, Some(d("2026-11-14")));
        }
        other => panic!("expected an invoice, got {other:?}"),
    }
}

fn extras_strategy() -> impl Strategy<Value = Extras> {
    let usage = prop::collection::vec((0_i64..500_000_000, 0_i64..300_000_000), 0..3);
    let charges = prop::collection::vec(1_i64..100_000, 0..3);
    let discounts = prop::collection::vec(
        prop_oneof![
            (1_i64..=10_000).prop_map(|h| DiscountOff::Percent(Decimal::new(h, 2))),
            (1_i64..20_000).prop_map(DiscountOff::Amount),
        ],
        0..3,
    );
    let credit = prop::option::of(0_i64..20_000);
    (usage, charges, discounts, credit).prop_map(|(usage, charges, discounts, credit)| Extras {
        usage: usage
            .into_iter()
            .enumerate()
            .map(|(i, (total, billed))| UsageRow {
                subscription_id: "sub_1".into(),
                period: if i == 0 { p("2026-11") } else { p("2026-10") },
                quantity: Quantity::from_millionths(total.max(billed) + 1),
                billed: Quantity::from_millionths(if i == 0 { 0 } else { billed }),
                price: data_price(),
                next_price: None,
            })
            .collect(),
        charges: charges
            .into_iter()
            .enumerate()
            .map(|(i, amount)| ChargeRow {
                id: format!("chg_{i}"),
                description: "Router".into(),
                amount,
                currency: Currency::USD,
                date: d("2026-11-20"),
            })
            .collect(),
        discounts: discounts
            .into_iter()
            .enumerate()
            .map(|(i, off)| discount(&format!("dsc_{i}"), off, None, 0))
            .collect(),
        credit: credit.map(|balance| CreditRow {
            currency: Currency::USD,
            balance,
        }),
        past_plans: Vec::new(),
    })
}

proptest! {
    #[test]
    fn with_every_kind_of_line_the_total_is_the_lines_plus_tax(
        extras in extras_strategy(),
        rate in (0_u32..=2500).prop_map(|h| Decimal::new(i64::from(h), 2)),
        exempt in any::<bool>(),
        cancelled_early in any::<bool>(),
    ) {
        let mut c = customer(extras);
        c.tax_exempt = exempt;
        if cancelled_early {
            // Ended on 10 November: a credit line joins the others.
            c.subs[0].end = Some(d("2026-11-10"));
            c.subs[0].status = SubscriptionStatus::Cancelled;
        }
        let CustomerOutcome::Invoice { invoice: inv, .. } =
            bill_customer(&c, p("2026-12"), rate).unwrap() else {
            return Ok(());
        };
        let lines: i64 = inv.lines.iter().map(|l| l.rated.amount).sum();
        prop_assert_eq!(inv.net, lines);
        prop_assert_eq!(inv.total(), lines + inv.tax);
        let exact = if exempt { Decimal::ZERO } else { Decimal::from(lines) * rate / Decimal::ONE_HUNDRED };
        prop_assert!((Decimal::from(inv.tax) - exact).abs() <= Decimal::new(5, 1));
        prop_assert!(inv.credit_applied >= 0 && inv.credit_applied <= inv.total().max(0));
        let due = inv.total() - inv.credit_applied;
        prop_assert_eq!(inv.status == InvoiceStatus::Open, due > 0);
    }

    #[test]
    fn discounts_never_take_a_line_below_zero(extras in extras_strategy()) {
        let c = customer(extras);
        let inv = invoice(&c, "0");
        // Each discounted line, with the discount lines right after it, stays at zero or above.
        let mut i = 0;
        while i < inv.lines.len() {
            let base = &inv.lines[i];
            let mut net = base.rated.amount;
            let mut j = i + 1;
            while j < inv.lines.len() && inv.lines[j].line_type == LineType::Discount {
                prop_assert!(inv.lines[j].rated.amount < 0);
                net += inv.lines[j].rated.amount;
                j += 1;
            }
            if j > i + 1 {
                prop_assert!(base.rated.amount > 0);
                prop_assert!(net >= 0, "{:?} discounted to {}", base.rated.description, net);
            }
            i = j;
        }
    }
}
