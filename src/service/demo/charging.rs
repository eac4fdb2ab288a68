//! The demo's charging: a usage price on the basic mobile plan with this month's usage so far,
//! a pending one-off charge and a discount, so every charging page has something to show.

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params};

use crate::db::charges::{NewCharge, NewDiscount, insert_charge, insert_discount};
use crate::db::usage::{NewRecord, UsageWriter, set_price};
use crate::domain::charge::DiscountOff;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::domain::usage::{Quantity, UsagePrice, UsagePriceInput};
use crate::error::ServiceError;

/// Mobile Basic's data: 5 GB included, 2.00 a GB above.
fn data_price() -> Result<UsagePrice, ServiceError> {
    Ok(UsagePrice::parse(
        "usage",
        &UsagePriceInput {
            metric: "data_gb".into(),
            name: Some("Data".into()),
            unit: "GB".into(),
            included_quantity: "5".into(),
            unit_price: "2.00".into(),
            tiers: Vec::new(),
        },
    )?)
}

pub(super) fn add(conn: &Connection, today: NaiveDate, now: &str) -> Result<(), ServiceError> {
    let price = data_price()?;
    let product: Option<String> = conn
        .query_row(
            "SELECT id FROM products WHERE name = 'Mobile Basic 5 GB'",
            [],
            |r| r.get(0),
        )
        .ok();
    let Some(product) = product else {
        return Ok(());
    };
    conn.execute(
        "UPDATE products SET usage = ?2 WHERE id = ?1",
        params![product, price.to_stored()],
    )?;
    let subs: Vec<(SubscriptionId, CustomerId)> = conn
        .prepare(
            "SELECT id, customer_id FROM subscriptions WHERE product_id = ?1 \
             AND status IN ('Active', 'Suspended') ORDER BY seq",
        )?
        .query_map([&product], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let period = Period::containing(today);
    let mut writer = UsageWriter::new(conn)?;
    for (n, (sub, customer)) in subs.iter().enumerate() {
        set_price(conn, sub, &product, &price)?;
        // A few records this month: 1.5 to 7.5 GB in all.
        let mut total = Quantity::ZERO;
        for day in 1..=today.day().min(3) {
            let quantity = Quantity::from_millionths(500_000 + (n as i64 % 3) * 500_000);
            let record_id = format!("demo-{sub}-{day}");
            let at = format!(
                "{}-{:02}T12:00:00.000Z",
                period.first_day().format("%Y-%m"),
                day
            );
            writer.record(
                &NewRecord {
                    record_id: &record_id,
                    subscription_id: sub.as_str(),
                    metric: "data_gb",
                    quantity,
                    occurred_at: &at,
                    period,
                },
                now,
            )?;
            total = total.checked_add(quantity).unwrap_or(total);
        }
        let records = i64::from(today.day().min(3));
        writer.add_total(
            sub.as_str(),
            period,
            "data_gb",
            customer.as_str(),
            total,
            records,
        )?;
    }
    if let Some((sub, customer)) = subs.first() {
        insert_charge(
            conn,
            &NewCharge {
                customer_id: customer,
                description: "SIM card replacement",
                amount: 500,
                currency: Currency::USD,
                date: today,
            },
            now,
        )?;
        insert_discount(
            conn,
            &NewDiscount {
                subscription_id: sub,
                customer_id: customer,
                off: DiscountOff::Percent(rust_decimal::Decimal::from(10)),
                currency: Currency::USD,
                months: Some(3),
                description: "Loyalty",
            },
            now,
        )?;
    }
    Ok(())
}
