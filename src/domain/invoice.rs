use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::enums::InvoiceStatus;
use super::ids::{CustomerId, InvoiceId};
use super::money::{Currency, as_json_number};

/// An invoice, shaped as the contract's `Invoice`.
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
}

/// Which of a customer's invoices to list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    pub status: Option<InvoiceStatus>,
}
