//! The Collections page's use cases: the accounts-receivable aging report, dunning's history,
//! and exemptions from dunning.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::db::Db;
use crate::db::customers;
use crate::db::dunning as sql;
pub use crate::db::dunning::{ActionRow, Exemption, OpenItem};
use crate::db::record::Recorder;
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::dunning::{AGING_BUCKETS, aging_bucket};
use crate::domain::ids::CustomerId;
use crate::domain::money::Currency;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

/// One customer's amounts due by age, in one currency (minor units).
#[derive(Debug, Clone)]
pub struct AgingRow {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub account_number: String,
    pub currency: Currency,
    pub buckets: [i64; AGING_BUCKETS.len()],
    pub total: i64,
}

/// The aging report on `today`: a row per customer and currency with something due, oldest
/// debt first, and the totals per currency.
#[derive(Debug, Clone, Default)]
pub struct Aging {
    pub rows: Vec<AgingRow>,
    pub totals: Vec<AgingRow>,
}

/// The whole aging report, every row named: what the CSV export writes.
pub async fn aging(db: &Db, today: NaiveDate) -> Result<Aging, ServiceError> {
    db.read(move |conn| {
        let mut rows = aging_rows(conn, today)?;
        name_rows(conn, &mut rows)?;
        let totals = totals(&rows);
        Ok(Aging { rows, totals })
    })
    .await
}

/// Every customer's row of amounts due by age on `today`, oldest debt first, not yet named.
pub(super) fn aging_rows(conn: &Connection, today: NaiveDate) -> rusqlite::Result<Vec<AgingRow>> {
    let mut rows: Vec<AgingRow> = Vec::new();
    // Each customer's row by (customer, currency): a search of the rows per invoice would cost
    // rows × invoices, hours at 100,000 customers.
    let mut index: HashMap<(CustomerId, Currency), usize> = HashMap::new();
    for item in sql::open_amounts(conn)? {
        let idx = *index
            .entry((item.customer_id.clone(), item.currency))
            .or_insert_with(|| {
                rows.push(AgingRow {
                    customer_id: item.customer_id,
                    customer_name: String::new(),
                    account_number: String::new(),
                    currency: item.currency,
                    buckets: [0; AGING_BUCKETS.len()],
                    total: 0,
                });
                rows.len() - 1
            });
        rows[idx].buckets[aging_bucket(item.due_date, today)] += item.amount_due;
        rows[idx].total += item.amount_due;
    }
    // Oldest debt first: by the oldest bucket holding something, then by amount, then by
    // customer so that equal debts keep one order.
    rows.sort_by(|a, b| {
        let oldest = |r: &AgingRow| r.buckets.iter().rposition(|v| *v > 0).unwrap_or(0);
        oldest(b)
            .cmp(&oldest(a))
            .then(b.total.cmp(&a.total))
            .then_with(|| a.customer_id.as_str().cmp(b.customer_id.as_str()))
    });
    Ok(rows)
}

/// Fills in each row's customer name and account number.
pub(super) fn name_rows(conn: &Connection, rows: &mut [AgingRow]) -> rusqlite::Result<()> {
    for r in rows {
        if let Some(c) = customers::get(conn, &r.customer_id)? {
            r.customer_name = c.display_name();
            r.account_number = c.account_number;
        }
    }
    Ok(())
}

/// A total row per currency, in the order the currencies first appear.
pub(super) fn totals(rows: &[AgingRow]) -> Vec<AgingRow> {
    let mut totals: Vec<AgingRow> = Vec::new();
    for r in rows {
        let i = match totals.iter().position(|t| t.currency == r.currency) {
            Some(i) => i,
            None => {
                totals.push(AgingRow {
                    customer_id: CustomerId::from_stored(""),
                    customer_name: "Total".to_owned(),
                    account_number: String::new(),
                    currency: r.currency,
                    buckets: [0; AGING_BUCKETS.len()],
                    total: 0,
                });
                totals.len() - 1
            }
        };
        for (acc, v) in totals[i].buckets.iter_mut().zip(r.buckets) {
            *acc += v;
        }
        totals[i].total += r.total;
    }
    totals
}

/// What dunning did, newest first (one customer's when given).
pub async fn history(
    db: &Db,
    customer: Option<CustomerId>,
    limit: usize,
) -> Result<Vec<ActionRow>, ServiceError> {
    db.read(move |conn| Ok(sql::history(conn, customer.as_ref(), limit)?))
        .await
}

pub async fn exemption(db: &Db, customer: &CustomerId) -> Result<Option<Exemption>, ServiceError> {
    let c = customer.clone();
    db.read(move |conn| Ok(sql::exemption(conn, &c)?)).await
}

pub async fn exemptions(db: &Db, today: NaiveDate) -> Result<Vec<Exemption>, ServiceError> {
    db.read(move |conn| Ok(sql::exemptions(conn, today)?)).await
}

/// Exempts a customer from dunning until `until` (inclusive), for `reason`.
pub async fn exempt(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    customer: &CustomerId,
    reason: String,
    until: NaiveDate,
) -> Result<Exemption, ServiceError> {
    let reason = crate::domain::text::parse_text("reason", &reason, 300)?;
    if until < clock.today() {
        return Err(FieldError::new("until", "must be today or later").into());
    }
    let (cid, now, origin) = (customer.clone(), clock.timestamp(), origin.clone());
    db.write(move |conn| {
        crate::db::customers::get(conn, &cid)?
            .ok_or_else(|| ServiceError::not_found("customer", cid.as_str()))?;
        let before = sql::exemption(conn, &cid)?;
        let e = Exemption {
            customer_id: cid.clone(),
            reason,
            until,
            created_at: now.clone(),
            created_by: origin.actor.id.clone(),
        };
        sql::put_exemption(conn, &e)?;
        Recorder::new(conn, &origin, &now).audit_values(
            "customer.dunning_exempted",
            ("customer", cid.as_str()),
            serde_json::json!({
                "dunningExemptUntil": {"before": before.as_ref().map(|b| b.until), "after": until},
                "dunningExemptReason": {"before": before.map(|b| b.reason), "after": e.reason},
            }),
        )?;
        Ok(e)
    })
    .await
}

/// Ends a customer's exemption.
pub async fn end_exemption(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    customer: &CustomerId,
) -> Result<(), ServiceError> {
    let (cid, now, origin) = (customer.clone(), clock.timestamp(), origin.clone());
    db.write(move |conn| {
        if let Some(before) = sql::exemption(conn, &cid)? {
            sql::remove_exemption(conn, &cid)?;
            Recorder::new(conn, &origin, &now).audit_values(
                "customer.dunning_exemption_ended",
                ("customer", cid.as_str()),
                serde_json::json!({"dunningExemptUntil": {"before": before.until, "after": null}}),
            )?;
        }
        Ok(())
    })
    .await
}
