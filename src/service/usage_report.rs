//! A subscription's usage of a month, per metric, with what it costs so far.

use serde::Serialize;

use crate::billing::usage::charge_of;
use crate::db::usage as sql;
use crate::db::{Db, subscriptions};
use crate::domain::ids::SubscriptionId;
use crate::domain::period::Period;
use crate::domain::usage::{Metric, MetricUsage, Quantity};
use crate::error::ServiceError;

/// A subscription's usage of a month, per metric it is priced for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    pub subscription_id: SubscriptionId,
    pub period: Period,
    pub currency: crate::domain::money::Currency,
    pub metrics: Vec<MetricUsage>,
}

/// The usage of `period` of subscription `id`: every metric it is priced for (or had usage
/// of), with what it costs so far.
pub async fn month(
    db: &Db,
    id: &SubscriptionId,
    period: Period,
) -> Result<UsageReport, ServiceError> {
    let sid = id.clone();
    db.read(move |conn| {
        let sub = subscriptions::get(conn, &sid)?
            .ok_or_else(|| ServiceError::not_found("subscription", &sid))?;
        let prices = sql::prices_of(conn, sid.as_str())?;
        let totals = sql::month_totals(conn, &sid, period)?;
        let mut metrics = Vec::new();
        for p in &prices {
            let used = totals.iter().find(|t| t.0 == p.metric.as_str());
            if used.is_none() && p.accepted_until.is_some() {
                continue;
            }
            let price = match &p.next {
                Some((from, next)) if *from <= period.first_day() => next,
                _ => &p.price,
            };
            let (quantity, records, billed) =
                used.map_or((Quantity::ZERO, 0, Quantity::ZERO), |t| (t.1, t.2, t.3));
            metrics.push(MetricUsage {
                metric: Metric::from_stored(p.metric.as_str()),
                name: price.label().to_owned(),
                unit: price.unit.clone(),
                quantity,
                records,
                included_quantity: price.included,
                billed_quantity: billed,
                amount: sub.currency.from_minor(
                    sub.currency
                        .to_minor(charge_of(price, quantity))
                        .unwrap_or(0),
                ),
            });
        }
        Ok(UsageReport {
            subscription_id: sid,
            period,
            currency: sub.currency,
            metrics,
        })
    })
    .await
}
