use std::str::FromStr;

use super::*;
use crate::domain::billing_rows::{AddonRow, CustomerRows, SubRow};
use crate::domain::enums::LineKind;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn period(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

fn sub(seq: i64, name: &str, monthly: i64, start: NaiveDate) -> SubRow {
    SubRow {
        seq,
        id: format!("sub_{seq}"),
        product_name: name.to_owned(),
        status: SubscriptionStatus::Active,
        start,
        end: None,
        monthly,
        currency: Currency::USD,
        billed_through: None,
        charged_through: None,
        plan_start: None,
        next_charge: None,
        addons: Vec::new(),
    }
}

fn customer(tax_exempt: bool, subs: Vec<SubRow>) -> CustomerRows {
    CustomerRows {
        customer_id: "cus_1".into(),
        tax_exempt,
        subs,
        extras: Default::default(),
    }
}

fn invoice(outcome: CustomerOutcome) -> (DraftInvoice, Vec<StateUpdate>) {
    match outcome {
        CustomerOutcome::Invoice { invoice, updates } => (invoice, updates),
        other => panic!("expected an invoice, got {other:?}"),
    }
}

#[test]
fn an_invoice_adds_tax_on_its_net_total() {
    let mut fiber = sub(1, "Fiber 500", 4999, d(2026, 10, 1));
    fiber.addons.push(AddonRow {
        addon_id: "prd_ip".into(),
        name: "Static IP".into(),
        charge: 500,
        billed_through: None,
        charged_through: None,
        start: None,
        next_charge: None,
    });
    let c = customer(
        false,
        vec![fiber, sub(2, "TV Essentials", 1499, d(2026, 12, 16))],
    );
    let (inv, updates) = invoice(bill_customer(&c, period("2026-12"), dec("20")).unwrap());
    // Fiber and its add-on from 1 October (three months each), TV for 16/31 of December.
    let amounts: Vec<i64> = inv.lines.iter().map(|l| l.rated.amount).collect();
    assert_eq!(amounts, [4999, 4999, 4999, 500, 500, 500, 774]);
    assert_eq!(inv.net, 17_271);
    assert_eq!(inv.tax, 3454); // 3454.2
    assert_eq!(inv.total(), 20_725);
    assert_eq!(inv.status, InvoiceStatus::Open);
    assert_eq!(
        inv.lines[3].rated.description,
        "Static IP (add-on to Fiber 500) · 2026-10-01–2026-10-31"
    );
    assert_eq!(inv.lines[3].addon_id.as_deref(), Some("prd_ip"));
    assert_eq!(updates.len(), 3, "the subscription, its add-on and the TV");
    assert!(
        updates
            .iter()
            .all(|u| u.charged_through == Some(d(2026, 12, 31)))
    );
}

#[test]
fn an_exempt_customer_is_invoiced_without_tax() {
    let c = customer(true, vec![sub(1, "Fiber 500", 4999, d(2026, 12, 1))]);
    let (inv, _) = invoice(bill_customer(&c, period("2026-12"), dec("20")).unwrap());
    assert_eq!((inv.net, inv.tax, inv.total()), (4999, 0, 4999));
}

#[test]
fn tax_on_the_invoice_rounds_half_a_cent_up() {
    // 0.10 net at 5 % is 0.005 of tax.
    let c = customer(false, vec![sub(1, "SMS bundle", 10, d(2026, 12, 1))]);
    let (inv, _) = invoice(bill_customer(&c, period("2026-12"), dec("5")).unwrap());
    assert_eq!((inv.net, inv.tax, inv.total()), (10, 1, 11));
}

#[test]
fn a_customer_with_nothing_to_bill_gets_no_invoice_but_suspended_periods_are_settled() {
    let mut s = sub(1, "Fiber 500", 4999, d(2026, 10, 1));
    s.status = SubscriptionStatus::Suspended;
    s.billed_through = Some(d(2026, 11, 30));
    s.charged_through = Some(d(2026, 11, 30));
    let out = bill_customer(&customer(false, vec![s]), period("2026-12"), dec("0")).unwrap();
    let CustomerOutcome::NothingDue { updates } = out else {
        panic!("{out:?}")
    };
    assert_eq!(updates[0].billed_through, Some(d(2026, 12, 31)));
    assert_eq!(updates[0].charged_through, Some(d(2026, 11, 30)));
}

#[test]
fn lines_in_two_currencies_are_refused() {
    let mut eur = sub(2, "Roaming EU", 900, d(2026, 12, 1));
    eur.currency = Currency::parse("c", "EUR").unwrap();
    let c = customer(false, vec![sub(1, "Fiber 500", 4999, d(2026, 12, 1)), eur]);
    assert_eq!(
        bill_customer(&c, period("2026-12"), dec("0")).unwrap(),
        CustomerOutcome::MixedCurrencies
    );
}

#[test]
fn an_invoice_of_only_credits_is_settled_at_once() {
    let mut s = sub(1, "Fiber 500", 4999, d(2026, 10, 1));
    s.status = SubscriptionStatus::Cancelled;
    s.end = Some(d(2026, 12, 15));
    s.billed_through = Some(d(2026, 12, 31));
    s.charged_through = Some(d(2026, 12, 31));
    let (inv, updates) =
        invoice(bill_customer(&customer(false, vec![s]), period("2027-01"), dec("20")).unwrap());
    assert_eq!(inv.lines[0].rated.kind, LineKind::Credit);
    assert_eq!(inv.net, -2580);
    assert_eq!(inv.tax, -516);
    assert_eq!(inv.status, InvoiceStatus::Paid);
    assert_eq!(updates[0].charged_through, Some(d(2026, 12, 15)));
}

#[test]
fn the_readme_worked_example_holds() {
    let mut ada = sub(1, "Fiber 500", 4999, d(2026, 11, 26));
    ada.addons.push(AddonRow {
        addon_id: "prd_ip".into(),
        name: "Static IP".into(),
        charge: 500,
        billed_through: None,
        charged_through: None,
        start: None,
        next_charge: None,
    });
    let (december, _) = invoice(
        bill_customer(
            &customer(false, vec![ada.clone()]),
            period("2026-12"),
            dec("20"),
        )
        .unwrap(),
    );
    let amounts: Vec<i64> = december.lines.iter().map(|l| l.rated.amount).collect();
    assert_eq!(amounts, [833, 4999, 83, 500]);
    assert_eq!(
        (december.net, december.tax, december.total()),
        (6415, 1283, 7698)
    );

    // Billed through January, cancelled with 10 January as the last day.
    ada.status = SubscriptionStatus::Cancelled;
    ada.end = Some(d(2027, 1, 10));
    ada.billed_through = Some(d(2027, 1, 31));
    ada.charged_through = Some(d(2027, 1, 31));
    for a in &mut ada.addons {
        a.billed_through = ada.billed_through;
        a.charged_through = ada.charged_through;
    }
    let (feb, _) =
        invoice(bill_customer(&customer(false, vec![ada]), period("2027-02"), dec("20")).unwrap());
    let amounts: Vec<i64> = feb.lines.iter().map(|l| l.rated.amount).collect();
    assert_eq!(amounts, [-3386, -339]);
    assert_eq!((feb.net, feb.tax, feb.total()), (-3725, -745, -4470));
    assert_eq!(feb.status, InvoiceStatus::Paid);
}
