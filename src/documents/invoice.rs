//! The invoice as the customer receives it.

use crate::domain::customer::Customer;
use crate::domain::enums::InvoiceStatus;
use crate::domain::invoice::Invoice;

use super::layout::{BODY, BOLD, Layout, MARGIN, PAGE_W, Style};
use super::{Column, DocumentError, Head, Issuer, money};

pub struct InvoiceDocument<'a> {
    pub invoice: &'a Invoice,
    pub customer: &'a Customer,
    pub issuer: Issuer<'a>,
}

/// The address a document is sent to: the billing address when there is one.
pub(super) fn addressee(c: &Customer) -> Vec<String> {
    let mut lines = c
        .billing_address
        .as_ref()
        .or(c.address.as_ref())
        .map(|a| a.lines())
        .unwrap_or_default();
    lines.push(c.email.clone());
    lines
}

fn columns() -> [Column; 5] {
    let x = MARGIN;
    [
        Column {
            title: "Description",
            x,
            width: 205.0,
            right: false,
        },
        Column {
            title: "Service days",
            x: x + 205.0,
            width: 105.0,
            right: false,
        },
        Column {
            title: "Qty",
            x: x + 310.0,
            width: 35.0,
            right: true,
        },
        Column {
            title: "Unit price",
            x: x + 345.0,
            width: 70.0,
            right: true,
        },
        Column {
            title: "Amount",
            x: x + 415.0,
            width: PAGE_W - 2.0 * MARGIN - 415.0,
            right: true,
        },
    ]
}

pub fn invoice_pdf(d: &InvoiceDocument<'_>) -> Result<Vec<u8>, DocumentError> {
    let fonts = super::fonts()?;
    let i = d.invoice;
    let m = |v| money(i.currency, v);
    let mut l = Layout::new(fonts, format!("Invoice {}", i.invoice_number));
    let mut facts = vec![
        ("Number", i.invoice_number.clone()),
        ("Date", i.invoice_date.to_string()),
        ("Due date", i.due_date.to_string()),
    ];
    if let Some(p) = i.period {
        facts.push(("Period", p.to_string()));
    }
    facts.push(("Account", d.customer.account_number.clone()));
    super::head(
        &mut l,
        &Head {
            issuer: &d.issuer,
            title: "INVOICE",
            facts,
            to_label: "Bill to",
            to_name: d.customer.display_name(),
            to_lines: addressee(d.customer),
        },
    );
    let stamp = match i.status {
        InvoiceStatus::Open => None,
        InvoiceStatus::Overdue => Some("OVERDUE"),
        InvoiceStatus::Paid => Some("PAID"),
        InvoiceStatus::Cancelled => Some("CANCELLED"),
    };
    if let Some(stamp) = stamp {
        let style = Style {
            size: 16.0,
            bold: true,
            gray: 60,
        };
        l.text_right(PAGE_W - MARGIN, l.y - 4.0, style, stamp);
        l.y += 8.0;
    }
    let cols = columns();
    super::table_header(&mut l, &cols);
    for line in &i.line_items {
        let days = match (line.period_start, line.period_end) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => String::new(),
        };
        let cells = [
            line.description.clone(),
            days,
            line.quantity.normalize().to_string(),
            m(line.unit_price),
            m(line.amount),
        ];
        super::table_row(&mut l, &cols, &cells, BODY);
    }
    let mut rows = vec![
        ("Subtotal".to_owned(), m(i.net_amount), false),
        (
            format!("Tax {} %", i.tax_rate_percent.normalize()),
            m(i.tax_amount),
            false,
        ),
        ("Total".to_owned(), m(i.total_amount), true),
    ];
    if !i.amount_paid.is_zero() {
        rows.push(("Paid".to_owned(), m(i.amount_paid), false));
    }
    rows.push(("Amount due".to_owned(), m(i.amount_due), true));
    super::totals(&mut l, &rows);
    let terms = match i.status {
        InvoiceStatus::Open | InvoiceStatus::Overdue => format!(
            "Please pay {} by {}, quoting invoice {}. Amounts in {}.",
            m(i.amount_due),
            i.due_date,
            i.invoice_number,
            i.currency
        ),
        InvoiceStatus::Paid => format!(
            "Paid in full: nothing is due on this invoice. Thank you. Amounts in {}.",
            i.currency
        ),
        InvoiceStatus::Cancelled => format!(
            "This invoice was cancelled{}: nothing is to be paid.",
            i.cancel_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
    };
    super::paragraph(&mut l, &terms, BOLD);
    let details = &d.issuer.operator.payment_details;
    if matches!(i.status, InvoiceStatus::Open | InvoiceStatus::Overdue) && !details.is_empty() {
        super::paragraph(&mut l, "How to pay", BOLD);
        for line in details {
            super::paragraph(&mut l, line, BODY);
        }
    }
    l.finish()
}
