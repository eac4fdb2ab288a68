//! Credit notes (money given back on an invoice, numbered in a gapless series of their own) and
//! refunds (a payment reversed with a reason). A credit note first lowers what the invoice still
//! asks for; the rest becomes the customer's credit balance, which its next invoices consume.

use chrono::Datelike;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::Db;
use crate::db::credit_notes as sql;
use crate::db::invoices;
use crate::db::record::Recorder;
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::credit_note::{CreditBalance, CreditInput, CreditNote};
use crate::domain::enums::InvoiceStatus;
use crate::domain::event::EventType;
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId};
use crate::domain::invoice::Invoice;
use crate::domain::money::{Currency, as_json_number, parse_amount};
use crate::domain::origin::Origin;
use crate::error::ServiceError;

pub use super::refunds::{RefundPlan, list_refunds, preview_refund, refund};

/// How a credit note of some amount would split, before it is issued.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditSplit {
    pub currency: Currency,
    #[serde(serialize_with = "as_json_number")]
    pub amount: rust_decimal::Decimal,
    /// What it takes off the invoice's amount due.
    #[serde(serialize_with = "as_json_number")]
    pub to_invoice: rust_decimal::Decimal,
    /// What goes to the customer's credit balance.
    #[serde(serialize_with = "as_json_number")]
    pub to_balance: rust_decimal::Decimal,
    /// What the invoice still asks for afterwards.
    #[serde(serialize_with = "as_json_number")]
    pub amount_due_after: rust_decimal::Decimal,
    /// The invoice is closed (Paid: nothing left to collect) by it.
    pub closes_invoice: bool,
    /// What could still be credited on the invoice before this note.
    #[serde(serialize_with = "as_json_number")]
    pub left_to_credit: rust_decimal::Decimal,
}

/// Minor units of a split: (amount, to invoice, to balance, due after).
struct Split {
    amount: i64,
    to_invoice: i64,
    to_balance: i64,
    due_after: i64,
    left: i64,
}

pub(super) fn get_invoice(conn: &Connection, id: &InvoiceId) -> Result<Invoice, ServiceError> {
    invoices::get(conn, id)?.ok_or_else(|| ServiceError::not_found("invoice", id))
}

pub(super) fn minor(c: Currency, v: rust_decimal::Decimal) -> i64 {
    c.to_minor(v).unwrap_or_default()
}

/// Checks a credit note of `input` against `inv` and splits it.
fn split(conn: &Connection, inv: &Invoice, input: &CreditInput) -> Result<Split, ServiceError> {
    let c = inv.currency;
    if inv.status == InvoiceStatus::Cancelled {
        return Err(ServiceError::Conflict(format!(
            "invoice `{}` is cancelled; there is nothing to credit",
            inv.invoice_number
        )));
    }
    let raw = input
        .amount
        .as_ref()
        .ok_or_else(|| FieldError::new("amount", "is required"))?;
    let amount = parse_amount("amount", raw, c)?;
    if amount.is_zero() {
        return Err(FieldError::new("amount", "must be more than 0").into());
    }
    let amount = c
        .to_minor(amount)
        .ok_or_else(|| FieldError::new("amount", "is too large"))?;
    let left = (minor(c, inv.total_amount) - sql::credited_on(conn, &inv.invoice_id)?).max(0);
    if amount > left {
        return Err(ServiceError::Unprocessable(FieldError::new(
            "amount",
            format!(
                "{} is more than what is left to credit on invoice {}, {} {c}",
                c.from_minor(amount),
                inv.invoice_number,
                c.from_minor(left)
            ),
        )));
    }
    let due = minor(c, inv.amount_due);
    let to_invoice = amount.min(due);
    Ok(Split {
        amount,
        to_invoice,
        to_balance: amount - to_invoice,
        due_after: due - to_invoice,
        left,
    })
}

/// What issuing a credit note of `input` would do, without issuing it.
pub async fn preview(
    db: &Db,
    invoice: &InvoiceId,
    input: CreditInput,
) -> Result<CreditSplit, ServiceError> {
    let iid = invoice.clone();
    db.read(move |conn| {
        let inv = get_invoice(conn, &iid)?;
        let s = split(conn, &inv, &input)?;
        let c = inv.currency;
        Ok(CreditSplit {
            currency: c,
            amount: c.from_minor(s.amount),
            to_invoice: c.from_minor(s.to_invoice),
            to_balance: c.from_minor(s.to_balance),
            amount_due_after: c.from_minor(s.due_after),
            closes_invoice: s.to_invoice > 0 && s.due_after == 0,
            left_to_credit: c.from_minor(s.left),
        })
    })
    .await
}

/// Issues a credit note on an invoice, numbered `CN-YYYY-NNNNNN` in the same transaction.
pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    invoice: &InvoiceId,
    input: CreditInput,
) -> Result<CreditNote, ServiceError> {
    let iid = invoice.clone();
    let (now, today, origin) = (clock.timestamp(), clock.today(), origin.clone());
    db.write(move |conn| {
        let inv = get_invoice(conn, &iid)?;
        let s = split(conn, &inv, &input)?;
        let c = inv.currency;
        if s.to_balance > 0
            && let Some(b) = sql::balance(conn, inv.customer_id.as_str())?
            && b.balance > 0
            && b.currency != c
        {
            return Err(ServiceError::Conflict(format!(
                "customer `{}` has a credit balance in {}, not {c}",
                inv.customer_id, b.currency
            )));
        }
        let year = today.year();
        let number = sql::last_number(conn, year)? + 1;
        sql::set_last_number(conn, year, number)?;
        let credit_number = crate::db::sync::series(conn)?.credit_note_number(year, number);
        let id = sql::insert(
            conn,
            &sql::NewCreditNote {
                number: &credit_number,
                invoice_id: &iid,
                customer_id: &inv.customer_id,
                amount: s.amount,
                currency: c,
                to_invoice: s.to_invoice,
                to_balance: s.to_balance,
                reason: &input.reason,
                issue_date: today,
            },
            &now,
        )?;
        let closes = s.to_invoice > 0 && s.due_after == 0;
        if s.to_invoice > 0 {
            let status = if closes {
                InvoiceStatus::Paid
            } else {
                inv.status
            };
            invoices::add_credited(conn, &iid, s.to_invoice, status, &now)?;
        }
        if s.to_balance > 0 {
            sql::add_balance(conn, inv.customer_id.as_str(), c, s.to_balance, &now)?;
        }
        let note =
            sql::get(conn, &id)?.ok_or_else(|| ServiceError::not_found("credit note", &id))?;
        let after = get_invoice(conn, &iid)?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::CreditNoteCreated,
            ("credit_note", id.as_str()),
            None::<&CreditNote>,
            &note,
        )?;
        // The customer gets it by e-mail, queued with it: issued and sent, or neither.
        crate::db::email::queue_credit_note(conn, &note, &now, &origin.actor.id)?;
        if closes {
            rec.change(
                EventType::InvoicePaid,
                ("invoice", iid.as_str()),
                Some(&inv),
                &after,
            )?;
        } else if s.to_invoice > 0 {
            rec.change(
                EventType::InvoiceCredited,
                ("invoice", iid.as_str()),
                Some(&inv),
                &after,
            )?;
        }
        // A credit note that clears a customer dunning suspended brings its service back now,
        // like the payment that clears it.
        if s.to_invoice > 0 {
            super::dunning::reactivate_if_clear(conn, &rec, &inv.customer_id, today, &now)?;
        }
        rec.answer(&note)?;
        Ok(note)
    })
    .await
}

pub async fn get(db: &Db, id: &CreditNoteId) -> Result<CreditNote, ServiceError> {
    let id = id.clone();
    db.read(move |conn| {
        sql::get(conn, &id)?.ok_or_else(|| ServiceError::not_found("credit note", &id))
    })
    .await
}

pub async fn list_for_invoice(
    db: &Db,
    invoice: &InvoiceId,
) -> Result<Vec<CreditNote>, ServiceError> {
    let iid = invoice.clone();
    db.read(move |conn| {
        get_invoice(conn, &iid)?;
        Ok(sql::of_invoice(conn, &iid)?)
    })
    .await
}

/// A customer's credit notes (newest first) and its credit balance.
pub async fn list_for_customer(
    db: &Db,
    customer: &CustomerId,
) -> Result<(Vec<CreditNote>, CreditBalance), ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| {
        crate::db::customers::get(conn, &cid)?
            .ok_or_else(|| ServiceError::not_found("customer", &cid))?;
        let notes = sql::of_customer(conn, &cid)?;
        let balance = match sql::balance(conn, cid.as_str())? {
            Some(b) => CreditBalance {
                amount: b.currency.from_minor(b.balance),
                currency: Some(b.currency),
            },
            None => CreditBalance {
                amount: rust_decimal::Decimal::ZERO,
                currency: None,
            },
        };
        Ok((notes, balance))
    })
    .await
}
