//! Refunds: a payment reversed, in part or in whole, with the reason; the payment stays on
//! record and the invoice asks for the money again.

use rusqlite::Connection;

use super::credit_notes::{get_invoice, minor};
use crate::db::Db;
use crate::db::credit_notes as sql;
use crate::db::record::Recorder;
use crate::db::{invoices, payments};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::credit_note::{CreditInput, Refund};
use crate::domain::enums::InvoiceStatus;
use crate::domain::event::EventType;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::invoice::Invoice;
use crate::domain::money::{Currency, parse_amount};
use crate::domain::origin::Origin;
use crate::error::ServiceError;

/// A refund worked out before it is stored: its amount and what it does to the invoice.
pub struct RefundPlan {
    pub payment: crate::domain::payment::Payment,
    pub invoice: Invoice,
    pub currency: Currency,
    /// Minor units.
    pub amount: i64,
    pub refundable: i64,
    pub paid_after: i64,
    pub due_after: i64,
    pub status_after: InvoiceStatus,
}

fn plan_refund(
    conn: &Connection,
    iid: &InvoiceId,
    pid: &PaymentId,
    input: &CreditInput,
    today: chrono::NaiveDate,
) -> Result<RefundPlan, ServiceError> {
    let pay =
        payments::get(conn, iid, pid)?.ok_or_else(|| ServiceError::not_found("payment", pid))?;
    let inv = get_invoice(conn, iid)?;
    let c = pay.currency;
    let refundable = minor(c, pay.amount) - sql::refunded(conn, pid)?;
    if refundable <= 0 {
        return Err(ServiceError::Conflict(format!(
            "payment `{pid}` has been refunded in full already"
        )));
    }
    let amount = match &input.amount {
        None => refundable,
        Some(raw) => {
            let a = parse_amount("amount", raw, c)?;
            if a.is_zero() {
                return Err(FieldError::new("amount", "must be more than 0").into());
            }
            c.to_minor(a)
                .ok_or_else(|| FieldError::new("amount", "is too large"))?
        }
    };
    if amount > refundable {
        return Err(ServiceError::Unprocessable(FieldError::new(
            "amount",
            format!(
                "{} is more than what is left of payment `{pid}` to refund, {} {c}",
                c.from_minor(amount),
                c.from_minor(refundable)
            ),
        )));
    }
    let paid_after = minor(c, inv.amount_paid) - amount;
    let due_after = minor(c, inv.total_amount) - paid_after - minor(c, inv.amount_credited);
    let status_after = match inv.status {
        InvoiceStatus::Paid if due_after > 0 && inv.due_date < today => InvoiceStatus::Overdue,
        InvoiceStatus::Paid if due_after > 0 => InvoiceStatus::Open,
        s => s,
    };
    Ok(RefundPlan {
        payment: pay,
        invoice: inv,
        currency: c,
        amount,
        refundable,
        paid_after,
        due_after: due_after.max(0),
        status_after,
    })
}

/// What refunding `input` of a payment would do, without doing it.
pub async fn preview_refund(
    db: &Db,
    clock: &Clock,
    invoice: &InvoiceId,
    payment: &PaymentId,
    input: CreditInput,
) -> Result<RefundPlan, ServiceError> {
    let (iid, pid, today) = (invoice.clone(), payment.clone(), clock.today());
    db.read(move |conn| plan_refund(conn, &iid, &pid, &input, today))
        .await
}

/// Reverses (part of) a payment with a reason: the invoice asks for it again (Open, or Overdue
/// past its due date). The payment stays on record.
pub async fn refund(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    invoice: &InvoiceId,
    payment: &PaymentId,
    input: CreditInput,
) -> Result<Refund, ServiceError> {
    let (iid, pid) = (invoice.clone(), payment.clone());
    let (now, today, origin) = (clock.timestamp(), clock.today(), origin.clone());
    db.write(move |conn| {
        let plan = plan_refund(conn, &iid, &pid, &input, today)?;
        let (inv, amount, c) = (&plan.invoice, plan.amount, plan.currency);
        let id = sql::insert_refund(
            conn,
            &sql::NewRefund {
                payment_id: &pid,
                invoice_id: &iid,
                amount,
                currency: c,
                reason: &input.reason,
            },
            &now,
        )?;
        invoices::set_paid(conn, &iid, plan.paid_after, plan.status_after, &now)?;
        let refund =
            sql::get_refund(conn, &id)?.ok_or_else(|| ServiceError::not_found("refund", &id))?;
        let after = get_invoice(conn, &iid)?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::PaymentRefunded,
            ("payment", pid.as_str()),
            None::<&Refund>,
            &refund,
        )?;
        rec.audit(
            "invoice.refund_applied",
            ("invoice", iid.as_str()),
            Some(inv),
            Some(&after),
        )?;
        rec.answer(&refund)?;
        Ok(refund)
    })
    .await
}

pub async fn list_refunds(db: &Db, invoice: &InvoiceId) -> Result<Vec<Refund>, ServiceError> {
    let iid = invoice.clone();
    db.read(move |conn| {
        get_invoice(conn, &iid)?;
        Ok(sql::refunds_of_invoice(conn, &iid)?)
    })
    .await
}
