//! The Collections page's use cases: the accounts-receivable aging report, dunning's history,
//! and exemptions from dunning.

use chrono::NaiveDate;

use crate::db::Db;
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

pub async fn aging(db: &Db, today: NaiveDate) -> Result<Aging, ServiceError> {
    db.read(move |conn| {
        let items = sql::open_items(conn)?;
        let mut rows: Vec<AgingRow> = Vec::new();
        for item in items {
            let b = aging_bucket(item.due_date, today);
            let idx = match rows
                .iter()
                .position(|r| r.customer_id == item.customer_id && r.currency == item.currency)
            {
                Some(i) => i,
                None => {
                    let c = crate::db::customers::get(conn, &item.customer_id)?;
                    rows.push(AgingRow {
                        customer_id: item.customer_id.clone(),
                        customer_name: c.as_ref().map(|c| c.display_name()).unwrap_or_default(),
                        account_number: c.map(|c| c.account_number).unwrap_or_default(),
                        currency: item.currency,
                        buckets: [0; AGING_BUCKETS.len()],
                        total: 0,
                    });
                    rows.len() - 1
                }
            };
            rows[idx].buckets[b] += item.amount_due;
            rows[idx].total += item.amount_due;
        }
        // Oldest debt first: by the oldest bucket holding something, then by amount.
        rows.sort_by_key(|r| {
            let oldest = r.buckets.iter().rposition(|v| *v > 0).unwrap_or(0);
            (std::cmp::Reverse(oldest), std::cmp::Reverse(r.total))
        });
        let mut totals: Vec<AgingRow> = Vec::new();
        for r in &rows {
            let t = match totals.iter().position(|t| t.currency == r.currency) {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(AgingRow {
                        customer_id: CustomerId::from_stored(""),
                        customer_name: "Total".to_owned(),
                        account_number: String::new(),
                        currency: r.currency,
                        buckets: [0; AGING_BUCKETS.len()],
                        total: 0,
                    });
                    let last = totals.len() - 1;
                    &mut totals[last]
                }
            };
            for (acc, v) in t.buckets.iter_mut().zip(r.buckets) {
                *acc += v;
            }
            t.total += r.total;
        }
        Ok(Aging { rows, totals })
    })
    .await
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
