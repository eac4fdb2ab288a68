//! Credit notes against invoices, the customer's credit balance, and refunds of payments.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::FieldError;
use super::ids::{CreditNoteId, CustomerId, InvoiceId, PaymentId, RefundId};
use super::money::{Currency, as_json_number};
use super::text::parse_text;

/// A credit note: an amount given back on an invoice, numbered `CN-YYYY-NNNNNN` in a gapless
/// series of its own. What it takes off the invoice's amount due (`appliedToInvoice`) and what
/// goes to the customer's credit balance (`addedToBalance`) add up to its amount.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditNote {
    pub credit_note_id: CreditNoteId,
    pub credit_note_number: String,
    pub invoice_id: InvoiceId,
    /// The number of the invoice it credits, as printed on it.
    pub invoice_number: String,
    pub customer_id: CustomerId,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    pub currency: Currency,
    #[serde(serialize_with = "as_json_number")]
    pub applied_to_invoice: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub added_to_balance: Decimal,
    pub reason: String,
    pub issue_date: NaiveDate,
    pub created_at: String,
}

/// A credit note or a refund as received: an amount (read once the invoice's currency is known)
/// and a reason.
#[derive(Debug)]
pub struct CreditInput {
    /// `None` (refunds only): everything that can still be refunded.
    pub amount: Option<Box<RawValue>>,
    pub reason: String,
}

impl CreditInput {
    pub fn parse(amount: Option<Box<RawValue>>, reason: &str) -> Result<Self, FieldError> {
        Ok(Self {
            amount,
            reason: parse_text("reason", reason, 500)?,
        })
    }
}

/// A payment reversed, in part or in whole, with the reason: the payment stays on record.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub refund_id: RefundId,
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    pub currency: Currency,
    pub reason: String,
    pub created_at: String,
}

/// A customer's credit balance: money the operator owes them, consumed first by their next
/// invoices.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditBalance {
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}
