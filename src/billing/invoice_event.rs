//! The invoice a bill run has just stored, shaped exactly as the API returns it, for its
//! `invoice.created` event: built from the draft the chunk stored, so the run reads nothing back.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::draft::DraftInvoice;
use crate::domain::ids::{CustomerId, InvoiceId, ProductId, SubscriptionId};
use crate::domain::invoice::{Invoice, InvoiceLine, amount_due_minor};
use crate::domain::period::Period;

/// What the chunk stored for an invoice besides its draft.
pub struct Stored<'a> {
    pub id: &'a InvoiceId,
    pub number: &'a str,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    /// The bill run's period; `None` for a final invoice.
    pub period: Option<Period>,
    /// The tax rate as stored (normalised), so the event shows what a read shows.
    pub tax_rate: Decimal,
}

pub fn invoice_of(draft: &DraftInvoice, stored: &Stored<'_>) -> Invoice {
    let c = draft.currency;
    let total = draft.total();
    let lines = draft
        .lines
        .iter()
        .map(|l| InvoiceLine {
            description: l.rated.description.clone(),
            quantity: Decimal::ONE,
            unit_price: c.from_minor(l.rated.amount),
            amount: c.from_minor(l.rated.amount),
            kind: Some(l.rated.kind),
            line_type: Some(l.line_type),
            source_id: l.public_source().map(str::to_owned),
            subscription_id: l
                .subscription_id
                .as_deref()
                .map(SubscriptionId::from_stored),
            addon_id: l.addon_id.as_deref().map(ProductId::from_stored),
            period_start: Some(l.rated.first),
            period_end: Some(l.rated.last),
        })
        .collect();
    Invoice {
        invoice_id: stored.id.clone(),
        invoice_number: stored.number.to_owned(),
        customer_id: CustomerId::from_stored(&draft.customer_id),
        status: draft.status,
        invoice_date: stored.invoice_date,
        due_date: stored.due_date,
        total_amount: c.from_minor(total),
        tax_amount: c.from_minor(draft.tax),
        currency: c,
        line_items: lines,
        period: stored.period,
        net_amount: c.from_minor(draft.net),
        tax_rate_percent: stored.tax_rate,
        amount_paid: c.from_minor(0),
        amount_credited: c.from_minor(draft.credit_applied),
        amount_due: c.from_minor(amount_due_minor(
            draft.status,
            total,
            0,
            draft.credit_applied,
        )),
        cancel_reason: None,
    }
}
