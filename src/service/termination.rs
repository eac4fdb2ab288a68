//! Terminating a customer: its subscriptions cancelled and, in the same transaction, the final
//! invoice that settles its account; and what terminating would leave, for the confirmation.

use super::lifecycle::record_subscriptions;
use crate::billing::run::RunSettings;
use crate::billing::settle::{self, FinalTerms};
use crate::db::Db;
use crate::db::record::Recorder;
use crate::db::{customers, subscriptions as sql};
use crate::domain::clock::Clock;
use crate::domain::customer::Customer;
use crate::domain::enums::CustomerStatus;
use crate::domain::event::EventType;
use crate::domain::ids::CustomerId;
use crate::domain::invoice::Invoice;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

/// The terms of a final invoice issued today: the configured tax rate and payment terms.
pub fn final_terms(clock: &Clock, rules: &RunSettings) -> Result<FinalTerms, ServiceError> {
    let today = clock.today();
    let due_date = today
        .checked_add_days(chrono::Days::new(u64::from(rules.payment_terms_days)))
        .ok_or_else(|| ServiceError::Unexpected(anyhow::anyhow!("due date out of range")))?;
    Ok(FinalTerms {
        today,
        tax_rate: rules.tax_rate_percent,
        due_date,
        now: clock.timestamp(),
    })
}

/// A terminated customer and the final invoice that settled its account (none when nothing was
/// left to bill).
#[derive(Debug, Clone)]
pub struct Terminated {
    pub customer: Customer,
    pub final_invoice: Option<Invoice>,
}

/// Ends the customer relationship: every subscription is cancelled as of today and the
/// customer is `Terminated`; in the same transaction the final invoice settles the account at
/// once (credits for days charged after today, days not yet billed, pending one-off charges,
/// the usage not yet billed, the current month's included).
pub async fn terminate(
    db: &Db,
    clock: &Clock,
    rules: &RunSettings,
    origin: &Origin,
    id: &CustomerId,
) -> Result<Terminated, ServiceError> {
    let cid = id.clone();
    let (today, now) = (clock.today(), clock.timestamp());
    let terms = final_terms(clock, rules)?;
    let id = id.to_owned();
    let origin = origin.clone();
    db.write(move |conn| {
        let customer =
            customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        if customer.status == CustomerStatus::Terminated {
            return Err(ServiceError::Conflict(format!(
                "customer `{id}` is already terminated"
            )));
        }
        let rec = Recorder::new(conn, &origin, &now);
        let subs = sql::list_for_customer(conn, &cid, None)?;
        let cancelled = sql::cancel_for_customer(conn, &cid, today, &now)?;
        record_subscriptions(
            conn,
            &rec,
            &cancelled,
            EventType::SubscriptionCancelled,
            &subs,
        )?;
        customers::set_status(conn, &cid, CustomerStatus::Terminated, &now)?;
        let after =
            customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        rec.change(
            EventType::CustomerTerminated,
            ("customer", cid.as_str()),
            Some(&customer),
            &after,
        )?;
        let final_invoice = settle::issue(conn, &rec, cid.as_str(), &terms)?;
        rec.answer(&after)?;
        Ok(Terminated {
            customer: after,
            final_invoice,
        })
    })
    .await
}

/// What terminating a customer now would leave: the final invoice it would issue, what is
/// still due on its open invoices, and its credit balance.
#[derive(Debug, Clone)]
pub struct TerminationPreview {
    pub final_invoice: Option<crate::domain::bill_run::PreviewInvoice>,
    /// Per currency, minor units.
    pub open_due: Vec<(crate::domain::money::Currency, i64)>,
    pub credit_balance: Option<crate::domain::billing_rows::CreditRow>,
    /// What the customer would still owe once the final invoice is issued (negative: what is
    /// owed to them), in the final invoice's currency, minor units.
    pub balance_left: i64,
    pub currency: Option<crate::domain::money::Currency>,
}

pub async fn preview_termination(
    db: &Db,
    clock: &Clock,
    rules: &RunSettings,
    id: &CustomerId,
) -> Result<TerminationPreview, ServiceError> {
    let cid = id.clone();
    let terms = final_terms(clock, rules)?;
    db.read(move |conn| {
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &cid))?;
        let tx = conn.unchecked_transaction()?;
        let rows = settle::read_customer(&tx, cid.as_str(), terms.today)?;
        let draft = settle::preview(rows, &terms)?;
        let open_due = crate::db::ui_reports::balance_due(&tx, &cid)?;
        let credit = crate::db::credit_notes::balance(&tx, cid.as_str())?.filter(|c| c.balance > 0);
        tx.rollback()?;
        let currency = draft
            .as_ref()
            .map(|d| d.currency)
            .or(credit.map(|c| c.currency))
            .or(open_due.first().map(|d| d.0));
        let mut left = 0;
        if let Some(c) = currency {
            left += open_due
                .iter()
                .filter(|d| d.0 == c)
                .map(|d| d.1)
                .sum::<i64>();
            left += draft.as_ref().map_or(0, |d| d.total());
            left -= credit.filter(|b| b.currency == c).map_or(0, |b| b.balance);
        }
        let final_invoice = draft.map(|d| {
            d.preview(
                crate::domain::period::Period::containing(terms.today),
                terms.today,
                terms.due_date,
            )
        });
        Ok(TerminationPreview {
            final_invoice,
            open_due,
            credit_balance: credit,
            balance_left: left,
            currency,
        })
    })
    .await
}
