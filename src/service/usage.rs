//! Usage records: taken in batches (the API, the CSV import), each record on its own merits,
//! counted once however often it is sent; and a subscription's usage of a month.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::Db;
use crate::db::record::Recorder;
use crate::db::usage::{self as sql, NewRecord, UsageTarget};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::date::format_timestamp;
use crate::domain::event::EventType;
use crate::domain::ids::{SubscriptionId, UsageBatchId};
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::usage::{
    MAX_BATCH, Quantity, RejectedRecord, UsageBatchResult, UsageRecordInput,
};
use crate::error::ServiceError;

pub use super::usage_report::{UsageReport, month};

/// A record whose fields make sense on their own, to be checked against its subscription.
struct Prepared {
    index: usize,
    record_id: String,
    subscription_id: String,
    metric: String,
    quantity: Quantity,
    occurred_at: String,
    date: NaiveDate,
}

fn reject(index: usize, code: &'static str, message: impl Into<String>) -> RejectedRecord {
    RejectedRecord {
        index,
        code,
        message: message.into(),
    }
}

/// Checks what a record says without the database: its quantity (exact, not negative) and
/// when it happened (not in the future), as a day in the billing time zone.
fn prepare(i: usize, r: UsageRecordInput, clock: &Clock) -> Result<Prepared, RejectedRecord> {
    let field = format!("records[{i}].quantity");
    let quantity = Quantity::parse(&field, &r.quantity).map_err(|e| {
        let code = if e.message.contains("negative") {
            "negative_quantity"
        } else {
            "invalid_quantity"
        };
        reject(i, code, e.to_string())
    })?;
    let date = r.occurred_at.with_timezone(&clock.timezone()).date_naive();
    if date > clock.today() {
        return Err(reject(
            i,
            "in_future",
            format!(
                "records[{i}].occurredAt: {} is in the future",
                format_timestamp(r.occurred_at)
            ),
        ));
    }
    Ok(Prepared {
        index: i,
        record_id: r.record_id,
        subscription_id: r.subscription_id,
        metric: r.metric,
        quantity,
        occurred_at: format_timestamp(r.occurred_at),
        date,
    })
}

/// Takes a batch of 1 to 1,000 records in one write. Each is taken or refused whole, with the
/// reason; a record whose id was taken before counts as a duplicate and changes nothing.
pub async fn record(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    records: Vec<UsageRecordInput>,
) -> Result<UsageBatchResult, ServiceError> {
    if records.is_empty() || records.len() > MAX_BATCH {
        return Err(FieldError::new(
            "records",
            format!("must hold 1 to {MAX_BATCH} records, not {}", records.len()),
        )
        .into());
    }
    let mut rejected = Vec::new();
    let mut prepared = Vec::with_capacity(records.len());
    for (i, r) in records.into_iter().enumerate() {
        match prepare(i, r, clock) {
            Ok(p) => prepared.push(p),
            Err(e) => rejected.push(e),
        }
    }
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| ingest(conn, &origin, &now, prepared, rejected))
        .await
}

/// The metrics and dates of the subscriptions a batch names, read once each.
#[derive(Default)]
struct Targets(HashMap<String, Option<UsageTarget>>);

impl Targets {
    fn get(&mut self, conn: &Connection, id: &str) -> rusqlite::Result<Option<&UsageTarget>> {
        if !self.0.contains_key(id) {
            let found = match SubscriptionId::parse(id) {
                None => None,
                Some(_) => sql::target(conn, id)?,
            };
            self.0.insert(id.to_owned(), found);
        }
        Ok(self.0.get(id).and_then(Option::as_ref))
    }
}

/// Why a record cannot be taken for its subscription, if it cannot.
fn check(p: &Prepared, target: Option<&UsageTarget>) -> Option<RejectedRecord> {
    let i = p.index;
    let Some(UsageTarget {
        start,
        end,
        metrics: prices,
        ..
    }) = target
    else {
        return Some(reject(
            i,
            "unknown_subscription",
            format!(
                "records[{i}].subscriptionId: subscription `{}` was not found",
                p.subscription_id
            ),
        ));
    };
    let priced = prices.iter().find(|(m, _)| *m == p.metric);
    match priced {
        None => {
            let known: Vec<&str> = prices
                .iter()
                .filter(|(_, until)| until.is_none())
                .map(|(m, _)| m.as_str())
                .collect();
            return Some(reject(
                i,
                "unknown_metric",
                format!(
                    "records[{i}].metric: subscription `{}` has no usage price for `{}`{}",
                    p.subscription_id,
                    p.metric,
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (it meters {})", known.join(", "))
                    }
                ),
            ));
        }
        Some((_, accepted_until)) => {
            if let Some(until) = *accepted_until
                && p.date > until
            {
                return Some(reject(
                    i,
                    "unknown_metric",
                    format!(
                        "records[{i}].metric: `{}` left subscription `{}`'s plan after {until}",
                        p.metric, p.subscription_id
                    ),
                ));
            }
        }
    }
    if p.date < *start {
        return Some(reject(
            i,
            "before_start",
            format!(
                "records[{i}].occurredAt: {} is before subscription `{}` started on {start}",
                p.date, p.subscription_id
            ),
        ));
    }
    if let Some(end) = end
        && p.date > *end
    {
        return Some(reject(
            i,
            "after_end",
            format!(
                "records[{i}].occurredAt: {} is after subscription `{}` ended on {end}",
                p.date, p.subscription_id
            ),
        ));
    }
    None
}

/// A month's new usage of one metric in this batch.
struct Added<'a> {
    customer: String,
    quantity: Quantity,
    records: Vec<&'a str>,
    indexes: Vec<usize>,
}

/// One batch, inside its write job.
fn ingest(
    conn: &Connection,
    origin: &Origin,
    now: &str,
    prepared: Vec<Prepared>,
    mut rejected: Vec<RejectedRecord>,
) -> Result<UsageBatchResult, ServiceError> {
    let mut targets = Targets::default();
    let mut writer = sql::UsageWriter::new(conn)?;
    let mut duplicates = 0;
    // Keyed by (subscription, month, metric), in the order first met.
    let mut added: Vec<((String, Period, String), Added<'_>)> = Vec::new();
    let mut slots: HashMap<(String, Period, String), usize> = HashMap::new();
    for p in &prepared {
        let target = targets.get(conn, &p.subscription_id)?;
        if let Some(r) = check(p, target) {
            rejected.push(r);
            continue;
        }
        let customer = target.map(|t| t.customer_id.clone()).unwrap_or_default();
        let period = Period::containing(p.date);
        let stored = writer.record(
            &NewRecord {
                record_id: &p.record_id,
                subscription_id: &p.subscription_id,
                metric: &p.metric,
                quantity: p.quantity,
                occurred_at: &p.occurred_at,
                period,
            },
            now,
        )?;
        if !stored {
            duplicates += 1;
            continue;
        }
        let key = (p.subscription_id.clone(), period, p.metric.clone());
        let at = *slots.entry(key.clone()).or_insert_with(|| {
            added.push((
                key,
                Added {
                    customer,
                    quantity: Quantity::ZERO,
                    records: Vec::new(),
                    indexes: Vec::new(),
                },
            ));
            added.len() - 1
        });
        let slot = &mut added[at].1;
        match slot.quantity.checked_add(p.quantity) {
            Some(q) => slot.quantity = q,
            None => {
                sql::forget_records(conn, &[p.record_id.as_str()])?;
                rejected.push(too_large(p.index));
                continue;
            }
        }
        slot.records.push(&p.record_id);
        slot.indexes.push(p.index);
    }
    let mut accepted = 0;
    let mut subscriptions = std::collections::HashSet::new();
    let mut periods: Vec<Period> = Vec::new();
    for ((sub, period, metric), a) in &added {
        let fits = writer.add_total(
            sub,
            *period,
            metric,
            &a.customer,
            a.quantity,
            a.records.len() as i64,
        )?;
        if fits {
            accepted += a.records.len();
            subscriptions.insert(sub.as_str());
            if !periods.contains(period) {
                periods.push(*period);
            }
        } else {
            sql::forget_records(conn, &a.records)?;
            rejected.extend(a.indexes.iter().map(|i| too_large(*i)));
        }
    }
    rejected.sort_by_key(|r| r.index);
    let result = UsageBatchResult {
        accepted,
        duplicates,
        rejected,
    };
    let rec = Recorder::new(conn, origin, now);
    if accepted > 0 {
        let batch = UsageBatchId::generate();
        periods.sort();
        let event = BatchEvent {
            usage_batch_id: batch.as_str(),
            accepted,
            duplicates,
            rejected: result.rejected.len(),
            subscriptions: subscriptions.len(),
            periods: &periods,
        };
        rec.event(EventType::UsageRecorded, &event)?;
        rec.audit(
            EventType::UsageRecorded.as_str(),
            ("usage_batch", batch.as_str()),
            None::<&BatchEvent<'_>>,
            Some(&event),
        )?;
    }
    rec.answer(&result)?;
    Ok(result)
}

fn too_large(i: usize) -> RejectedRecord {
    reject(
        i,
        "invalid_quantity",
        format!("records[{i}].quantity: the month's total of this metric would be too large"),
    )
}

/// The `usage.recorded` event of a batch: what it took, for how many subscriptions, in which
/// months. Kept small on purpose (a busy mediation system sends a batch a second); the
/// subscriptions' usage is read with `GET …/usage`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchEvent<'a> {
    usage_batch_id: &'a str,
    accepted: usize,
    duplicates: usize,
    rejected: usize,
    subscriptions: usize,
    periods: &'a [Period],
}
