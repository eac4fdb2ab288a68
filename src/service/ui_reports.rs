//! Figures the admin UI shows: the dashboard and a customer's balance.

use chrono::{Datelike, NaiveDate};

use crate::db::Db;
use crate::db::{customers, stats, ui_reports as sql};
use crate::domain::clock::Clock;
use crate::domain::enums::{CustomerStatus, InvoiceStatus, ProductType};
use crate::domain::ids::CustomerId;
use crate::domain::money::Currency;

use crate::error::ServiceError;

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub active_customers: u64,
    pub active_subscriptions: u64,
    /// Per currency, minor units.
    pub monthly_recurring: Vec<(Currency, i64)>,
    pub open: Vec<(Currency, i64)>,
    pub overdue: Vec<(Currency, i64)>,
    /// How many invoices are open, and overdue.
    pub open_invoices: u64,
    pub overdue_invoices: u64,
    /// The currency of the monthly chart.
    pub chart_currency: Option<Currency>,
    /// The last 12 months, oldest first: (first day of month, invoiced, paid) in minor units.
    pub months: Vec<(NaiveDate, i64, i64)>,
    pub subscriptions_by_type: Vec<(ProductType, u64)>,
}

pub async fn dashboard(db: &Db, clock: &Clock) -> Result<Dashboard, ServiceError> {
    let today = clock.today();
    db.read(move |conn| {
        let active_customers = customers::count_by_status(conn)?
            .into_iter()
            .find(|(s, _)| *s == CustomerStatus::Active)
            .map_or(0, |(_, n)| n);
        // The same figures `/metrics` publishes, from the same covering indexes.
        let unpaid = stats::unpaid_invoices(conn)?;
        let pick = |want: InvoiceStatus| {
            unpaid
                .iter()
                .filter(|u| u.status == want)
                .map(|u| (u.currency, u.due_minor))
                .collect::<Vec<_>>()
        };
        let count = |want: InvoiceStatus| {
            unpaid
                .iter()
                .filter(|u| u.status == want)
                .map(|u| u.invoices)
                .sum::<u64>()
        };
        let mut recurring = stats::active_recurring(conn)?;
        recurring.sort_by_key(|r| std::cmp::Reverse(r.monthly_minor));
        let first_month = last_months(today, 12);
        // The currency most recurring revenue is in; without subscriptions, the catalog's.
        let chart_currency = match recurring.first() {
            Some(r) => Some(r.currency),
            None => sql::main_currency(conn)?,
        };
        let mut months: Vec<(NaiveDate, i64, i64)> =
            first_month.iter().map(|m| (*m, 0, 0)).collect();
        if let (Some(c), Some(start)) = (chart_currency, first_month.first()) {
            for (ym, invoiced, paid) in sql::monthly_invoiced_and_paid(conn, &start.to_string(), c)?
            {
                if let Some(slot) = months
                    .iter_mut()
                    .find(|(m, _, _)| m.format("%Y-%m").to_string() == ym)
                {
                    slot.1 = invoiced;
                    slot.2 = paid;
                }
            }
        }
        Ok(Dashboard {
            active_customers,
            active_subscriptions: recurring.iter().map(|r| r.subscriptions).sum(),
            monthly_recurring: recurring
                .iter()
                .map(|r| (r.currency, r.monthly_minor))
                .collect(),
            open: pick(InvoiceStatus::Open),
            overdue: pick(InvoiceStatus::Overdue),
            open_invoices: count(InvoiceStatus::Open),
            overdue_invoices: count(InvoiceStatus::Overdue),
            chart_currency,
            months,
            subscriptions_by_type: sql::subscriptions_by_type(conn)?,
        })
    })
    .await
}

/// The first days of the `n` months ending with `today`'s, oldest first.
fn last_months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let index = today.year() * 12 + today.month0() as i32;
    (0..n as i32)
        .rev()
        .filter_map(|back| {
            let i = index - back;
            NaiveDate::from_ymd_opt(i.div_euclid(12), i.rem_euclid(12) as u32 + 1, 1)
        })
        .collect()
}

/// What a customer owes, per currency, in minor units.
pub async fn balance_due(
    db: &Db,
    customer: &CustomerId,
) -> Result<Vec<(Currency, i64)>, ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| Ok(sql::balance_due(conn, &cid)?)).await
}

/// A customer's latest payments, newest first, with the number of the invoice each paid.
pub async fn customer_payments(
    db: &Db,
    customer: &CustomerId,
    limit: u32,
) -> Result<Vec<(crate::domain::payment::Payment, String)>, ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| {
        Ok(crate::db::invoice_lists::payments_for_customer(
            conn, &cid, limit,
        )?)
    })
    .await
}

/// The names of the customers with these ids, in the same order (empty for an unknown id).
pub async fn customer_names(db: &Db, ids: Vec<String>) -> Result<Vec<String>, ServiceError> {
    db.read(move |conn| {
        let mut names = Vec::with_capacity(ids.len());
        for id in &ids {
            let name = match CustomerId::parse(id) {
                Some(cid) => customers::get(conn, &cid)?.map(|c| c.display_name()),
                None => None,
            };
            names.push(name.unwrap_or_default());
        }
        Ok(names)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_months_end_with_the_current_one() {
        let m = last_months(NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(), 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(m[11], NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
    }
}
