//! Payments against invoices: partial payments reduce what is due; the invoice is `Paid` once
//! fully paid; paying more than is due is refused.

use crate::db::{Db, invoices, payments as sql};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::enums::InvoiceStatus;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::invoice::is_collectable;
use crate::domain::money::parse_amount;
use crate::domain::payment::{Payment, PaymentInput};

use crate::domain::event::EventType;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

use crate::db::record::Recorder;

pub async fn record(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    invoice: &InvoiceId,
    input: PaymentInput,
) -> Result<Payment, ServiceError> {
    let iid = invoice.clone();
    let origin = origin.clone();
    let now = clock.timestamp();
    let today = clock.today();
    let id = invoice.to_owned();
    db.write(move |conn| {
        let inv =
            invoices::get(conn, &iid)?.ok_or_else(|| ServiceError::not_found("invoice", &id))?;
        if !is_collectable(inv.status) {
            return Err(ServiceError::Conflict(format!(
                "invoice `{id}` is {} and takes no payments",
                inv.status
            )));
        }
        let currency = inv.currency;
        let amount = parse_amount("amount", &input.amount, currency)?;
        if amount.is_zero() {
            return Err(FieldError::new("amount", "must be more than 0").into());
        }
        let minor = currency
            .to_minor(amount)
            .ok_or_else(|| FieldError::new("amount", "is too large"))?;
        let total = currency.to_minor(inv.total_amount).unwrap_or_default();
        let paid = currency.to_minor(inv.amount_paid).unwrap_or_default();
        let due = (total - paid).max(0);
        if minor > due {
            return Err(ServiceError::Unprocessable(FieldError::new(
                "amount",
                format!(
                    "{amount} is more than the amount due on invoice `{id}`, {} {currency}",
                    currency.from_minor(due)
                ),
            )));
        }
        let pid = sql::insert(
            conn,
            &sql::NewPaymentRow {
                invoice_id: &iid,
                amount: minor,
                currency,
                paid_at: input.paid_at.as_deref().unwrap_or(&now),
                method: input.method,
                reference: input.reference.as_deref(),
                now: &now,
            },
        )?;
        let status = if paid + minor >= total {
            InvoiceStatus::Paid
        } else {
            inv.status
        };
        invoices::set_paid(conn, &iid, paid + minor, status, &now)?;
        let payment = sql::get(conn, &iid, &pid)?
            .ok_or_else(|| ServiceError::not_found("payment", pid.as_str()))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::PaymentRecorded,
            ("payment", pid.as_str()),
            None::<&Payment>,
            &payment,
        )?;
        let after =
            invoices::get(conn, &iid)?.ok_or_else(|| ServiceError::not_found("invoice", &id))?;
        crate::db::email::queue(
            conn,
            crate::domain::templates::MessageKind::Receipt,
            &inv.customer_id,
            Some(&iid),
            Some(pid.as_str()),
            &now,
            &origin.actor.id,
        )?;
        if status == InvoiceStatus::Paid && inv.status != InvoiceStatus::Paid {
            rec.change(
                EventType::InvoicePaid,
                ("invoice", iid.as_str()),
                Some(&inv),
                &after,
            )?;
        } else {
            rec.audit(
                "invoice.payment_applied",
                ("invoice", iid.as_str()),
                Some(&inv),
                Some(&after),
            )?;
        }
        // The payment that clears a customer dunning suspended brings its service back now.
        super::dunning::reactivate_if_clear(conn, &rec, &inv.customer_id, today, &now)?;
        rec.answer(&payment)?;
        Ok(payment)
    })
    .await
}

pub async fn list(db: &Db, invoice: &InvoiceId) -> Result<Vec<Payment>, ServiceError> {
    let iid = invoice.clone();
    let id = invoice.to_owned();
    db.read_now(move |conn| {
        invoices::get(conn, &iid)?.ok_or_else(|| ServiceError::not_found("invoice", &id))?;
        Ok(sql::list_for_invoice(conn, &iid)?)
    })
    .await
}

pub async fn get(
    db: &Db,
    invoice: &InvoiceId,
    payment: &PaymentId,
) -> Result<Payment, ServiceError> {
    let iid = invoice.clone();
    let pid = payment.clone();
    let missing = ServiceError::not_found("payment", payment);
    db.read_now(move |conn| sql::get(conn, &iid, &pid)?.ok_or(missing))
        .await
}
