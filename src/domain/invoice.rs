use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::enums::{InvoiceStatus, LineKind, LineType};
use super::ids::{CustomerId, InvoiceId, ProductId, SubscriptionId};
use super::money::{Currency, as_json_number};
use super::period::Period;

/// An invoice, shaped as the contract's `Invoice`, plus our optional additions (the period it
/// bills, its net amount, what has been paid and what is still due).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub customer_id: CustomerId,
    pub status: InvoiceStatus,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(serialize_with = "as_json_number")]
    pub total_amount: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub tax_amount: Decimal,
    pub currency: Currency,
    pub line_items: Vec<InvoiceLine>,
    /// `YYYY-MM`, for invoices made by a bill run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(serialize_with = "as_json_number")]
    pub net_amount: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub tax_rate_percent: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub amount_paid: Decimal,
    /// Credit notes against it and credit balance it consumed.
    #[serde(serialize_with = "as_json_number")]
    pub amount_credited: Decimal,
    /// What is still to be paid: `totalAmount - amountPaid - amountCredited` while Open or
    /// Overdue, else 0.
    #[serde(serialize_with = "as_json_number")]
    pub amount_due: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    pub description: String,
    #[serde(serialize_with = "as_json_number")]
    pub quantity: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub unit_price: Decimal,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<LineKind>,
    /// What the line bills (absent only on lines made before edgebss told them apart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_type: Option<LineType>,
    /// The one-off charge, discount or metric a line of that type comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<SubscriptionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addon_id: Option<ProductId>,
    /// First and last day this line bills (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_end: Option<NaiveDate>,
}

/// Which of a customer's invoices to list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub status: Option<InvoiceStatus>,
}

/// What is still owed on an invoice in `status` with these amounts (minor units).
pub fn amount_due_minor(status: InvoiceStatus, total: i64, paid: i64, credited: i64) -> i64 {
    match status {
        InvoiceStatus::Open | InvoiceStatus::Overdue => (total - paid - credited).max(0),
        InvoiceStatus::Paid | InvoiceStatus::Cancelled => 0,
    }
}

/// Whether an invoice in `status` is still to be paid: it takes payments and can be cancelled.
pub fn is_collectable(status: InvoiceStatus) -> bool {
    matches!(status, InvoiceStatus::Open | InvoiceStatus::Overdue)
}
