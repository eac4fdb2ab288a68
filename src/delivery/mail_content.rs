//! What an e-mail says: its template filled in with the customer's, the invoice's and the
//! operator's details as they are when it is sent, and the invoice's PDF for an invoice.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::db::{customers, dunning, invoices, payments};
use crate::documents::{self, money};
use crate::domain::customer::Customer;
use crate::domain::email_message::EmailMessage;
use crate::domain::ids::PaymentId;
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::settings::BusinessSettings;
use crate::domain::templates::{MessageKind, render};

/// What a message refers to, read in one snapshot.
pub struct Facts {
    customer: Option<Customer>,
    invoice: Option<Invoice>,
    payment: Option<Payment>,
    /// The customer's overdue amounts, per currency, in minor units.
    overdue: Vec<(crate::domain::money::Currency, i64)>,
}

pub fn read_facts(
    conn: &Connection,
    m: &EmailMessage,
    today: NaiveDate,
) -> rusqlite::Result<Facts> {
    let customer = match &m.customer_id {
        Some(id) => customers::get(conn, id)?,
        None => None,
    };
    let invoice = match &m.invoice_id {
        Some(id) => invoices::get(conn, id)?,
        None => None,
    };
    let payment = match (&m.invoice_id, &m.payment_id) {
        (Some(inv), Some(p)) => payments::get(conn, inv, &PaymentId::from_stored(p.as_str()))?,
        _ => None,
    };
    let mut overdue: Vec<(crate::domain::money::Currency, i64)> = Vec::new();
    if let Some(c) = &customer {
        for item in dunning::open_items_of(conn, &c.customer_id)? {
            if item.due_date < today {
                match overdue.iter_mut().find(|(cur, _)| *cur == item.currency) {
                    Some((_, sum)) => *sum += item.amount_due,
                    None => overdue.push((item.currency, item.amount_due)),
                }
            }
        }
    }
    Ok(Facts {
        customer,
        invoice,
        payment,
        overdue,
    })
}

/// A message ready to send.
pub struct Content {
    pub subject: String,
    pub text: String,
    /// Empty: plain text only.
    pub html: String,
    /// File name and PDF bytes.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// Fills the message's template in; an error says why it cannot be sent at all.
pub fn content(
    m: &EmailMessage,
    facts: &Facts,
    settings: &BusinessSettings,
    today: NaiveDate,
) -> Result<Content, String> {
    let op = &settings.operator;
    if m.kind == MessageKind::Test {
        let text = format!(
            "This is a test message from edgebss for {}.\n\nIf you can read it, e-mail from \
             edgebss reaches its recipients through your SMTP server.",
            if op.name.is_empty() {
                "your operator"
            } else {
                &op.name
            }
        );
        return Ok(Content {
            subject: "Test message from edgebss".to_owned(),
            text,
            html: String::new(),
            attachment: None,
        });
    }
    let template = settings
        .templates
        .get(m.kind)
        .ok_or_else(|| format!("no template for {} messages", m.kind))?;
    let mut values: Vec<(&str, String)> = vec![
        ("operator_name", op.name.clone()),
        ("operator_email", op.email.clone().unwrap_or_default()),
        ("operator_phone", op.phone.clone().unwrap_or_default()),
        ("payment_details", op.payment_details.join("\n")),
    ];
    if let Some(c) = &facts.customer {
        values.push(("customer_name", c.display_name()));
        values.push(("account_number", c.account_number.clone()));
    }
    if let Some(i) = &facts.invoice {
        values.push(("invoice_number", i.invoice_number.clone()));
        values.push(("invoice_date", i.invoice_date.to_string()));
        values.push(("due_date", i.due_date.to_string()));
        values.push(("total", money(i.currency, i.total_amount)));
        values.push(("amount_due", money(i.currency, i.amount_due)));
        let days = crate::domain::dunning::days_past(i.due_date, today).unwrap_or(0);
        values.push(("days_overdue", days.to_string()));
    }
    if let Some(p) = &facts.payment {
        values.push(("payment_amount", money(p.currency, p.amount)));
    }
    let overdue = facts
        .overdue
        .iter()
        .map(|(c, n)| money(*c, c.from_minor(*n)))
        .collect::<Vec<_>>()
        .join(" + ");
    values.push(("overdue_total", overdue));
    let attachment = match (m.kind, &facts.invoice, &facts.customer) {
        (MessageKind::Invoice, Some(i), Some(c)) => {
            let pdf = documents::invoice_with(settings, i, c).map_err(|e| e.to_string())?;
            Some((format!("{}.pdf", i.invoice_number), pdf))
        }
        (MessageKind::Invoice, _, _) => return Err("the invoice is no longer there".to_owned()),
        _ => None,
    };
    Ok(Content {
        subject: render(&template.subject, &values, false).replace(['\r', '\n'], " "),
        text: render(&template.text, &values, false),
        html: if template.html.trim().is_empty() {
            String::new()
        } else {
            render(&template.html, &values, true)
        },
        attachment,
    })
}
