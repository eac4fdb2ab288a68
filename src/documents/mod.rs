//! Documents made inside the binary: invoices and customer statements as PDF, with the fonts
//! embedded (a subset of DejaVu Sans, which covers Latin, Greek and Cyrillic) so they print the
//! same everywhere. No external process or service is involved, and the output depends only on
//! its input: the same invoice gives the same bytes (no creation date, and the file id is a hash
//! of the content).
//!
//! Each document is a [`Head`] (issuer, title, facts, addressee) and its own body; a credit note
//! is one more body on the same head.

mod invoice;
mod layout;
mod statement;
mod text;

use rust_decimal::Decimal;

use crate::domain::money::Currency;
use crate::domain::operator::OperatorDetails;

pub use invoice::{InvoiceDocument, invoice_pdf};
pub use statement::statement_pdf;

use layout::{BODY, BOLD, Layout, MARGIN, PAGE_W, SMALL, Style};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DocumentError(String);

/// `USD 1,234.50`: an amount at its currency's scale, grouped, with its currency code.
pub fn money(currency: Currency, value: Decimal) -> String {
    let value = currency.round(value);
    let text = format!("{:.*}", currency.minor_units() as usize, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        "" => format!("{currency} {sign}{grouped}"),
        f => format!("{currency} {sign}{grouped}.{f}"),
    }
}

/// Who issues a document: the operator's details and logo.
pub struct Issuer<'a> {
    pub operator: &'a OperatorDetails,
    /// PNG or JPEG bytes.
    pub logo: Option<&'a [u8]>,
}

/// The top of every document: the issuer on the left, the title and facts on the right, then
/// the addressee.
struct Head<'a> {
    issuer: &'a Issuer<'a>,
    title: &'a str,
    facts: Vec<(&'static str, String)>,
    to_label: &'a str,
    to_name: String,
    to_lines: Vec<String>,
}

const TITLE: Style = Style {
    size: 20.0,
    bold: true,
    gray: 0,
};
const NAME: Style = Style {
    size: 13.0,
    bold: true,
    gray: 0,
};
const LINE: f32 = 12.0;

fn head(l: &mut Layout<'_>, h: &Head<'_>) {
    let right = PAGE_W - MARGIN;
    let left_width = 280.0;
    let mut y = MARGIN;
    if let Some(logo) = h.issuer.logo {
        let used = l.logo(logo, MARGIN, y, 160.0, 60.0);
        if used > 0.0 {
            y += used + 10.0;
        }
    }
    let op = h.issuer.operator;
    let name = if op.name.trim().is_empty() {
        "(set the operator's name in Settings)"
    } else {
        op.name.as_str()
    };
    y += NAME.size;
    for line in l.fonts.wrap(name, true, NAME.size, left_width) {
        l.text(MARGIN, y, NAME, &line);
        y += NAME.size + 3.0;
    }
    let mut contact: Vec<String> = op.address.clone();
    contact.extend(op.phone.iter().map(|p| format!("Phone {p}")));
    contact.extend(op.email.iter().cloned());
    contact.extend(op.tax_id.iter().map(|t| format!("Tax ID {t}")));
    for c in contact {
        for line in l.fonts.wrap(&c, false, BODY.size, left_width) {
            l.text(MARGIN, y, BODY, &line);
            y += LINE;
        }
    }
    // Title and facts on the right.
    let mut ry = MARGIN + TITLE.size;
    l.text_right(right, ry, TITLE, h.title);
    ry += 18.0;
    for (label, value) in &h.facts {
        l.text(right - 190.0, ry, SMALL, label);
        l.text_right(right, ry, BOLD, value);
        ry += LINE + 1.0;
    }
    let mut y = y.max(ry) + 16.0;
    l.text(MARGIN, y, SMALL, h.to_label);
    y += LINE + 1.0;
    for line in l.fonts.wrap(&h.to_name, true, 11.0, 330.0) {
        l.text(MARGIN, y, Style { size: 11.0, ..BOLD }, &line);
        y += 14.0;
    }
    for t in &h.to_lines {
        for line in l.fonts.wrap(t, false, BODY.size, 330.0) {
            l.text(MARGIN, y, BODY, &line);
            y += LINE;
        }
    }
    l.y = y + 14.0;
}

/// A column of a table: where it starts, how wide it is, and whether it is right-aligned.
#[derive(Clone, Copy)]
struct Column {
    title: &'static str,
    x: f32,
    width: f32,
    right: bool,
}

/// Draws a table's header at the current position.
fn table_header(l: &mut Layout<'_>, cols: &[Column]) {
    let top = l.y;
    l.shade(MARGIN, top, PAGE_W - 2.0 * MARGIN, 16.0, 232);
    let y = top + 11.0;
    for c in cols {
        if c.right {
            l.text_right(c.x + c.width, y, BOLD, c.title);
        } else {
            l.text(c.x + 2.0, y, BOLD, c.title);
        }
    }
    l.y = top + 16.0 + 4.0;
}

/// One row of a table: each cell wrapped to its column; a row that does not fit goes to the
/// next page, under the header again.
fn table_row(l: &mut Layout<'_>, cols: &[Column], cells: &[String], style: Style) {
    let wrapped: Vec<Vec<String>> = cols
        .iter()
        .zip(cells)
        .map(|(c, text)| l.fonts.wrap(text, style.bold, style.size, c.width - 4.0))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height = lines as f32 * LINE + 4.0;
    if !l.fits(height) {
        l.new_page();
        table_header(l, cols);
    }
    let mut y = l.y + style.size;
    for i in 0..lines {
        for (c, cell) in cols.iter().zip(&wrapped) {
            if let Some(text) = cell.get(i) {
                if c.right {
                    l.text_right(c.x + c.width, y, style, text);
                } else {
                    l.text(c.x + 2.0, y, style, text);
                }
            }
        }
        y += LINE;
    }
    l.y += height;
    l.rule(MARGIN, PAGE_W - MARGIN, l.y - 2.0, 0.3);
}

/// Label/amount pairs right-aligned under a table; the marked ones bold.
fn totals(l: &mut Layout<'_>, rows: &[(String, String, bool)]) {
    let height = rows.len() as f32 * (LINE + 3.0) + 10.0;
    if !l.fits(height) {
        l.new_page();
    }
    let right = PAGE_W - MARGIN;
    let mut y = l.y + 12.0;
    for (label, value, strong) in rows {
        let style = if *strong { BOLD } else { BODY };
        l.text(right - 220.0, y, style, label);
        l.text_right(right, y, style, value);
        y += LINE + 3.0;
    }
    l.y = y + 6.0;
}

/// Paragraphs across the page.
fn paragraph(l: &mut Layout<'_>, text: &str, style: Style) {
    let lines = l
        .fonts
        .wrap(text, style.bold, style.size, PAGE_W - 2.0 * MARGIN);
    for line in lines {
        if !l.fits(LINE) {
            l.new_page();
        }
        l.y += LINE;
        l.text(MARGIN, l.y, style, &line);
    }
    l.y += 4.0;
}

/// An invoice as PDF with the operator's details and logo from `settings`.
pub fn invoice_with(
    settings: &crate::domain::settings::BusinessSettings,
    invoice: &crate::domain::invoice::Invoice,
    customer: &crate::domain::customer::Customer,
) -> Result<Vec<u8>, DocumentError> {
    let logo = settings.logo_bytes();
    invoice_pdf(&InvoiceDocument {
        invoice,
        customer,
        issuer: Issuer {
            operator: &settings.operator,
            logo: logo.as_deref(),
        },
    })
}

fn fonts() -> Result<&'static text::Fonts, DocumentError> {
    text::fonts().ok_or_else(|| DocumentError("the embedded fonts could not be read".into()))
}

#[cfg(test)]
mod tests;
