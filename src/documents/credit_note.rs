//! The credit note as the customer receives it: the same head as an invoice, the amount given
//! back with its reason, and where it went (off the invoice's amount due, to the credit balance).

use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;

use super::invoice::addressee;
use super::layout::{BODY, BOLD, Layout, MARGIN, PAGE_W};
use super::{Column, DocumentError, Head, Issuer, money};

pub struct CreditNoteDocument<'a> {
    pub note: &'a CreditNote,
    pub customer: &'a Customer,
    pub issuer: Issuer<'a>,
}

fn columns() -> [Column; 2] {
    let w = PAGE_W - 2.0 * MARGIN;
    [
        Column {
            title: "Description",
            x: MARGIN,
            width: w - 110.0,
            right: false,
        },
        Column {
            title: "Amount",
            x: MARGIN + w - 110.0,
            width: 110.0,
            right: true,
        },
    ]
}

pub fn credit_note_pdf(d: &CreditNoteDocument<'_>) -> Result<Vec<u8>, DocumentError> {
    let fonts = super::fonts()?;
    let n = d.note;
    let m = |v| money(n.currency, v);
    let mut l = Layout::new(fonts, format!("Credit note {}", n.credit_note_number));
    super::head(
        &mut l,
        &Head {
            issuer: &d.issuer,
            title: "CREDIT NOTE",
            facts: vec![
                ("Number", n.credit_note_number.clone()),
                ("Date", n.issue_date.to_string()),
                ("Invoice", n.invoice_number.clone()),
                ("Account", d.customer.account_number.clone()),
            ],
            to_label: "Credit to",
            to_name: d.customer.display_name(),
            to_lines: addressee(d.customer),
        },
    );
    let cols = columns();
    super::table_header(&mut l, &cols);
    let line = [
        format!("{} (invoice {})", n.reason, n.invoice_number),
        m(-n.amount),
    ];
    super::table_row(&mut l, &cols, &line, BODY);
    let mut rows = vec![("Credited".to_owned(), m(n.amount), true)];
    if !n.applied_to_invoice.is_zero() {
        rows.push((
            format!("Off invoice {}", n.invoice_number),
            m(n.applied_to_invoice),
            false,
        ));
    }
    if !n.added_to_balance.is_zero() {
        rows.push((
            "To your credit balance".to_owned(),
            m(n.added_to_balance),
            false,
        ));
    }
    super::totals(&mut l, &rows);
    let terms = if n.added_to_balance.is_zero() {
        format!(
            "This credit note lowers what is due on invoice {}: nothing is to be paid for it. \
             Amounts in {}.",
            n.invoice_number, n.currency
        )
    } else {
        format!(
            "This credit note is in your favour: your credit balance is used first by your next \
             invoices. Amounts in {}.",
            n.currency
        )
    };
    super::paragraph(&mut l, &terms, BOLD);
    l.finish()
}
