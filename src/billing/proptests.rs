//! Property tests: for random catalogs and subscriptions, every invoice adds up, no prorated
//! line exceeds its monthly charge, every day is charged once, and a period run twice creates
//! nothing the second time.

use std::str::FromStr;
use std::sync::atomic::AtomicBool;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rusqlite::params;
use rust_decimal::Decimal;

use super::draft::{CustomerOutcome, bill_customer};
use super::rating::{Chargeable, rate};
use super::run::{RunRequest, RunSettings, run};
use crate::db::{Db, DbOptions, Synchronous};
use crate::domain::billing_rows::{AddonRow, CustomerRows, SubRow};
use crate::domain::clock::Clock;
use crate::domain::enums::{BillRunTrigger, LineKind, SubscriptionStatus};
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::error::ServiceError;

pub(super) fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 1)
        .and_then(|d| d.checked_add_days(Days::new(offset)))
        .unwrap_or_default()
}

fn status() -> impl Strategy<Value = SubscriptionStatus> {
    prop_oneof![
        4 => Just(SubscriptionStatus::Active),
        1 => Just(SubscriptionStatus::Suspended),
        1 => Just(SubscriptionStatus::Pending),
        1 => Just(SubscriptionStatus::Cancelled),
    ]
}

prop_compose! {
    /// A subscription with a random price, start, end, status, billing state and add-ons.
    fn sub_row(seq: i64)(
        monthly in 0_i64..200_000,
        start in 0_u64..150,
        length in prop::option::of(0_u64..150),
        billed in prop::option::of(0_u64..120),
        status in status(),
        addons in prop::collection::vec(0_i64..5_000, 0..3),
    ) -> SubRow {
        let start_day = day(start);
        let billed_through = billed.map(day).filter(|b| *b >= start_day);
        SubRow {
            seq,
            id: format!("sub_{seq}"),
            product_name: format!("Plan {seq}"),
            status,
            start: start_day,
            end: length.map(|l| day(start + l)),
            monthly,
            currency: Currency::USD,
            billed_through,
            charged_through: billed_through,
            plan_start: None,
            next_charge: None,
            addons: addons
                .into_iter()
                .enumerate()
                .map(|(i, charge)| AddonRow {
                    addon_id: format!("prd_{i}"),
                    name: format!("Extra {i}"),
                    charge,
                    billed_through,
                    charged_through: billed_through,
                    start: None,
                    next_charge: None,
                })
                .collect(),
        }
    }
}

fn customer() -> impl Strategy<Value = CustomerRows> {
    (any::<bool>(), prop::collection::vec(sub_row(0), 0..4)).prop_map(|(tax_exempt, mut subs)| {
        for (i, s) in subs.iter_mut().enumerate() {
            s.seq = i as i64;
            s.id = format!("sub_{i}");
        }
        CustomerRows {
            customer_id: "cus_1".into(),
            tax_exempt,
            subs,
            extras: Default::default(),
        }
    })
}

fn tax_rate() -> impl Strategy<Value = Decimal> {
    (0_u32..=2500).prop_map(|hundredths| Decimal::new(i64::from(hundredths), 2))
}

fn period() -> impl Strategy<Value = Period> {
    (0_u64..5).prop_map(|m| Period::containing(day(31 * m + 30)))
}

proptest! {
    #[test]
    fn an_invoice_total_is_its_lines_plus_tax_and_no_line_exceeds_a_month(
        customer in customer(),
        rate in tax_rate(),
        period in period(),
    ) {
        let outcome = bill_customer(&customer, period, rate).unwrap();
        if let CustomerOutcome::Invoice { invoice, .. } = outcome {
            let lines: i64 = invoice.lines.iter().map(|l| l.rated.amount).sum();
            prop_assert_eq!(invoice.net, lines);
            prop_assert_eq!(invoice.total(), lines + invoice.tax);
            let exact = if customer.tax_exempt {
                Decimal::ZERO
            } else {
                Decimal::from(lines) * rate / Decimal::ONE_HUNDRED
            };
            prop_assert!((Decimal::from(invoice.tax) - exact).abs() <= Decimal::from_str("0.5").unwrap());
            if customer.tax_exempt {
                prop_assert_eq!(invoice.tax, 0);
            }
            let monthly = |l: &super::draft::DraftLine| {
                let sub = customer.subs.iter().find(|s| Some(&s.id) == l.subscription_id.as_ref()).unwrap();
                match &l.addon_id {
                    None => sub.monthly,
                    Some(a) => sub.addons.iter().find(|x| &x.addon_id == a).unwrap().charge,
                }
            };
            for l in &invoice.lines {
                let full = monthly(l);
                prop_assert!(l.rated.amount.abs() <= full, "{:?} exceeds {}", l, full);
                prop_assert!(l.rated.days <= l.rated.days_in_month);
                if l.rated.days == l.rated.days_in_month {
                    prop_assert_eq!(l.rated.amount.abs(), full);
                }
                match l.rated.kind {
                    LineKind::Charge => prop_assert!(l.rated.amount >= 0),
                    LineKind::Credit => prop_assert!(l.rated.amount <= 0),
                }
            }
        }
    }

    #[test]
    fn month_after_month_every_day_is_charged_exactly_once(
        monthly in 1_i64..100_000,
        start in 0_u64..120,
        months in 1_u64..8,
    ) {
        let mut item = Chargeable {
            label: "Plan",
            monthly,
            next: None,
            start: day(start),
            last_day: None,
            suspended: false,
            billed_through: None,
            charged_through: None,
        };
        let mut p = Period::containing(day(start));
        let mut charged_days = 0_i64;
        for _ in 0..months {
            let r = rate(&item, p);
            for l in &r.lines {
                prop_assert_eq!(l.kind, LineKind::Charge);
                charged_days += i64::from(l.days);
            }
            item.billed_through = r.billed_through;
            item.charged_through = r.charged_through;
            let again = rate(&item, p);
            prop_assert!(again.lines.is_empty(), "rerun of {} charged again", p);
            p = p.next();
        }
        let last = p.previous().last_day();
        prop_assert_eq!(charged_days, (last - day(start)).num_days() + 1);
    }
}

/// Stores `customers` (ids `cus_0`, `cus_1`, ...) in a fresh database.
pub(super) fn seeded(dir: &std::path::Path, customers: &[CustomerRows]) -> Db {
    let db = Db::open(&DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Normal,
        max_batch: 8,
        read_connections: 2,
    })
    .unwrap();
    let customers = customers.to_vec();
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        let ts = "2026-09-01T00:00:00.000Z";
        for (id, kind) in [
            ("prd_x", "Broadband"),
            ("prd_0", "Addon"),
            ("prd_1", "Addon"),
            ("prd_2", "Addon"),
        ] {
            conn.execute(
                "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
                 created_at, updated_at) VALUES (?1, 'P', ?2, 1, 'USD', 'Active', ?3, ?3)",
                params![id, kind, ts],
            )?;
        }
        for (n, c) in customers.iter().enumerate() {
            let cid = format!("cus_{n:04}");
            conn.execute(
                "INSERT INTO customers (id, account_number, customer_type, status, first_name, \
                 last_name, email, created_at, updated_at, tax_exempt) \
                 VALUES (?1, ?1, 'Individual', 'Active', 'A', 'B', 'a@example.com', ?2, ?2, ?3)",
                params![cid, ts, c.tax_exempt],
            )?;
            for s in &c.subs {
                let sid = format!("{cid}_{}", s.id);
                conn.execute(
                    "INSERT INTO subscriptions (id, customer_id, product_id, product_name, \
                     status, start_date, end_date, monthly_charge, currency, created_at, \
                     updated_at, billed_through, charged_through) \
                     VALUES (?1, ?2, 'prd_x', ?3, ?4, ?5, ?6, ?7, 'USD', ?8, ?8, ?9, ?9)",
                    params![
                        sid,
                        cid,
                        s.product_name,
                        s.status,
                        s.start,
                        s.end,
                        s.monthly,
                        ts,
                        s.billed_through
                    ],
                )?;
                for (pos, a) in s.addons.iter().enumerate() {
                    conn.execute(
                        "INSERT INTO subscription_addons (subscription_id, position, addon_id, \
                         addon_name, charge, billed_through, charged_through) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                        params![
                            sid,
                            pos as i64,
                            a.addon_id,
                            a.name,
                            a.charge,
                            a.billed_through
                        ],
                    )?;
                }
            }
        }
        Ok(())
    })
    .unwrap();
    db
}

fn stored(db: &Db) -> Vec<(String, String, i64)> {
    db.read_blocking(|conn| -> Result<_, ServiceError> {
        let mut stmt = conn.prepare(
            "SELECT customer_id, invoice_number, total_amount FROM invoices ORDER BY invoice_number",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn running_a_period_twice_creates_nothing_the_second_time(
        customers in prop::collection::vec(customer(), 1..12),
        rate in tax_rate(),
        period in period(),
        chunk in 1_usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path(), &customers);
        let clock = Clock::system(chrono_tz::UTC);
        clock.set_date(period.bill_date(1));
        let settings = RunSettings {
            bill_day: 1,
            tax_rate_percent: rate,
            payment_terms_days: 14,
            chunk_customers: chunk,
        };
        let req = RunRequest { period, dry_run: false, trigger: BillRunTrigger::Cli, origin: crate::domain::origin::Origin::cli() };
        let stop = AtomicBool::new(false);
        let preview = run(&db, &clock, &settings, RunRequest { dry_run: true, ..req.clone() }, &stop).unwrap();
        let first = run(&db, &clock, &settings, req.clone(), &stop).unwrap();
        let after_first = stored(&db);
        let second = run(&db, &clock, &settings, req, &stop).unwrap();
        prop_assert_eq!(preview.invoices_created, first.invoices_created);
        prop_assert_eq!(&preview.totals, &first.totals);
        prop_assert_eq!(after_first.len() as u64, first.invoices_created);
        prop_assert_eq!(second.invoices_created, 0);
        prop_assert_eq!(second.customers_skipped.already_invoiced, first.invoices_created);
        prop_assert_eq!(&stored(&db), &after_first);
        for (n, (_, number, _)) in after_first.iter().enumerate() {
            prop_assert_eq!(number, &format!("INV-{}-{:06}", &period.to_string()[..4], n + 1));
        }
        db.close();
    }
}
