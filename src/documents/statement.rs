//! The customer statement: for a date range, the opening balance, each invoice, payment and
//! credit with the running balance, and the closing balance, per currency.

use crate::domain::statement::Statement;

use super::layout::{BODY, BOLD, Layout, MARGIN, PAGE_W};
use super::{Column, DocumentError, Head, Issuer, money};

fn columns() -> [Column; 5] {
    let x = MARGIN;
    let w = PAGE_W - 2.0 * MARGIN;
    [
        Column {
            title: "Date",
            x,
            width: 65.0,
            right: false,
        },
        Column {
            title: "Description",
            x: x + 65.0,
            width: w - 65.0 - 3.0 * 80.0,
            right: false,
        },
        Column {
            title: "Charges",
            x: x + w - 240.0,
            width: 80.0,
            right: true,
        },
        Column {
            title: "Payments",
            x: x + w - 160.0,
            width: 80.0,
            right: true,
        },
        Column {
            title: "Balance",
            x: x + w - 80.0,
            width: 80.0,
            right: true,
        },
    ]
}

pub fn statement_pdf(s: &Statement, issuer: &Issuer<'_>) -> Result<Vec<u8>, DocumentError> {
    let fonts = super::fonts()?;
    let mut l = Layout::new(
        fonts,
        format!(
            "Statement {} · {} to {}",
            s.customer.account_number, s.from, s.to
        ),
    );
    super::head(
        &mut l,
        &Head {
            issuer,
            title: "STATEMENT",
            facts: vec![
                ("Account", s.customer.account_number.clone()),
                ("From", s.from.to_string()),
                ("To", s.to.to_string()),
            ],
            to_label: "Customer",
            to_name: s.customer.display_name(),
            to_lines: super::invoice::addressee(&s.customer),
        },
    );
    let cols = columns();
    if s.sections.is_empty() {
        super::paragraph(&mut l, "Nothing was invoiced or paid in this period.", BODY);
    }
    for section in &s.sections {
        let m = |v| money(section.currency, v);
        super::table_header(&mut l, &cols);
        let opening = [
            s.from.to_string(),
            "Opening balance".to_owned(),
            String::new(),
            String::new(),
            m(section.opening),
        ];
        super::table_row(&mut l, &cols, &opening, BOLD);
        for e in &section.entries {
            let cells = [
                e.date.to_string(),
                e.description.clone(),
                if e.debit.is_zero() {
                    String::new()
                } else {
                    m(e.debit)
                },
                if e.credit.is_zero() {
                    String::new()
                } else {
                    m(e.credit)
                },
                m(e.balance),
            ];
            super::table_row(&mut l, &cols, &cells, BODY);
        }
        let closing = [
            s.to.to_string(),
            "Closing balance".to_owned(),
            String::new(),
            String::new(),
            m(section.closing),
        ];
        super::table_row(&mut l, &cols, &closing, BOLD);
        l.y += 12.0;
    }
    super::paragraph(
        &mut l,
        "A positive balance is owed to us; a negative one is in your favour.",
        BODY,
    );
    l.finish()
}
