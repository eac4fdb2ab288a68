//! The operator's own details, from the `[operator]` settings.

use serde::{Deserialize, Serialize};

/// Who issues the invoices: printed at the head of every invoice.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorDetails {
    pub name: String,
    /// Postal address, one entry per printed line.
    pub address: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// VAT / tax registration number.
    pub tax_id: Option<String>,
    /// How to pay (bank account, mobile money number, ...), one entry per printed line.
    pub payment_details: Vec<String>,
}

impl OperatorDetails {
    /// Whether the details an invoice needs are there: the set-up checklist asks until they are.
    pub fn is_complete(&self) -> bool {
        !self.name.trim().is_empty() && !self.address.is_empty()
    }
}
