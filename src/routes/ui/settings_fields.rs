//! The Settings page's fields: which settings it shows in which section, how each is entered,
//! how a stored value is shown, and how a form's value becomes the setting's JSON.

use serde_json::Value;

use super::extract::FormData;
use super::format;
use crate::domain::FieldError;
use crate::domain::settings::{Current, LiveSettings, value_at};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// One entry per line.
    Lines,
    /// Several lines of free text (a template body).
    Body,
    Number,
    Secret,
    Check,
    Tls,
    /// Whole numbers separated by commas.
    Days,
    /// Text that is null when empty.
    Optional,
}

/// A setting as the page shows it.
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub value: String,
    pub pinned: bool,
    /// Where the value comes from: "configuration file" or who saved it when.
    pub origin: String,
    pub error: Option<String>,
}

pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub fields: Vec<Field>,
}

/// A setting on the page: its key, its label, and how it is entered.
pub(super) type FieldSpec = (&'static str, &'static str, Kind);

/// The page's sections: id, title, settings.
pub(super) const SECTIONS: &[(&str, &str, &[FieldSpec])] = &[
    (
        "operator",
        "Operator (printed on every document)",
        &[
            ("operator.name", "Name", Kind::Text),
            ("operator.address", "Address (one line each)", Kind::Lines),
            ("operator.email", "E-mail", Kind::Optional),
            ("operator.phone", "Phone", Kind::Optional),
            ("operator.tax_id", "Tax ID", Kind::Optional),
            (
                "operator.payment_details",
                "How to pay (one line each)",
                Kind::Lines,
            ),
        ],
    ),
    (
        "billing",
        "Billing",
        &[
            ("billing.tax_rate_percent", "Tax rate (%)", Kind::Text),
            ("billing.bill_day", "Bill day (1 to 28)", Kind::Number),
            (
                "billing.payment_terms_days",
                "Payment terms (days)",
                Kind::Number,
            ),
            (
                "billing.timezone",
                "Time zone (e.g. Europe/Warsaw)",
                Kind::Text,
            ),
        ],
    ),
    (
        "email",
        "E-mail (SMTP)",
        &[
            ("email.smtp_host", "SMTP server", Kind::Text),
            ("email.smtp_port", "Port", Kind::Number),
            ("email.tls", "Security", Kind::Tls),
            ("email.username", "User name", Kind::Text),
            (
                "email.password",
                "Password (leave empty to keep)",
                Kind::Secret,
            ),
            ("email.from", "Sender", Kind::Text),
            ("email.reply_to", "Replies to", Kind::Text),
            (
                "email.send_invoices",
                "E-mail invoices when issued",
                Kind::Check,
            ),
            (
                "email.send_receipts",
                "E-mail a receipt for each payment",
                Kind::Check,
            ),
        ],
    ),
    (
        "dunning",
        "Dunning",
        &[
            (
                "dunning.reminder_days",
                "Reminders, days after the due date (e.g. 3, 10)",
                Kind::Days,
            ),
            (
                "dunning.suspend_after_days",
                "Suspend, days after the due date (0: never)",
                Kind::Number,
            ),
        ],
    ),
    (
        "templates",
        "Message templates",
        &[
            ("templates.invoice.subject", "Invoice: subject", Kind::Text),
            ("templates.invoice.text", "Invoice: text", Kind::Body),
            (
                "templates.invoice.html",
                "Invoice: HTML (empty: text only)",
                Kind::Body,
            ),
            ("templates.receipt.subject", "Receipt: subject", Kind::Text),
            ("templates.receipt.text", "Receipt: text", Kind::Body),
            ("templates.receipt.html", "Receipt: HTML", Kind::Body),
            (
                "templates.reminder.subject",
                "Reminder: subject",
                Kind::Text,
            ),
            ("templates.reminder.text", "Reminder: text", Kind::Body),
            ("templates.reminder.html", "Reminder: HTML", Kind::Body),
            (
                "templates.suspension.subject",
                "Suspension: subject",
                Kind::Text,
            ),
            ("templates.suspension.text", "Suspension: text", Kind::Body),
            ("templates.suspension.html", "Suspension: HTML", Kind::Body),
            (
                "templates.reactivation.subject",
                "Reactivation: subject",
                Kind::Text,
            ),
            (
                "templates.reactivation.text",
                "Reactivation: text",
                Kind::Body,
            ),
            (
                "templates.reactivation.html",
                "Reactivation: HTML",
                Kind::Body,
            ),
            (
                "templates.credit_note.subject",
                "Credit note: subject",
                Kind::Text,
            ),
            (
                "templates.credit_note.text",
                "Credit note: text",
                Kind::Body,
            ),
            (
                "templates.credit_note.html",
                "Credit note: HTML",
                Kind::Body,
            ),
        ],
    ),
];

pub(super) fn shown(kind: Kind, v: &Value) -> String {
    match (kind, v) {
        (Kind::Secret, _) => String::new(),
        (Kind::Lines, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        (Kind::Days, Value::Array(items)) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

pub(super) fn sections(
    live: &LiveSettings,
    current: &Current,
    form: Option<(&str, &FormData, &FieldError)>,
    tz: chrono_tz::Tz,
) -> Vec<Section> {
    SECTIONS
        .iter()
        .map(|(id, title, fields)| Section {
            id,
            title,
            fields: fields
                .iter()
                .map(|(key, label, kind)| {
                    let refused = form.filter(|(section, _, _)| section == id);
                    let value = match refused {
                        Some((_, f, _)) if *kind != Kind::Secret => f.get(key).to_owned(),
                        _ => shown(*kind, &value_at(&current.values, key)),
                    };
                    let origin = match current.changed.get(*key) {
                        Some(c) => format!("saved here by {} on {}", c.by, format::time(&c.at, tz)),
                        None => "from the configuration file".to_owned(),
                    };
                    Field {
                        key,
                        label,
                        kind: *kind,
                        value,
                        pinned: live.file().is_pinned(key),
                        origin,
                        error: refused
                            .map(|(_, _, e)| e)
                            .filter(|e| e.field == *key)
                            .map(|e| e.message.clone()),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A setting's label on the page, for saying what was refused in words.
pub(super) fn label_of(key: &str) -> &str {
    SECTIONS
        .iter()
        .flat_map(|(_, _, fields)| fields.iter())
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, label, _)| *label)
}

/// The form's value for `key` as the setting's JSON.
pub(super) fn parse(key: &str, kind: Kind, form: &FormData) -> Result<Option<Value>, FieldError> {
    let raw = form.get(key);
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| FieldError::new(key, "must be a whole number"))
    };
    Ok(Some(match kind {
        Kind::Text | Kind::Tls => Value::from(raw.trim()),
        Kind::Body => Value::from(raw.replace("\r\n", "\n")),
        Kind::Optional => match raw.trim() {
            "" => Value::Null,
            v => Value::from(v),
        },
        Kind::Lines => Value::from(
            raw.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Kind::Number => number(raw)?,
        Kind::Check => Value::from(raw == "on"),
        Kind::Secret => {
            if raw.is_empty() {
                return Ok(None);
            }
            Value::from(raw)
        }
        Kind::Days => Value::from(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(number)
                .collect::<Result<Vec<_>, _>>()?,
        ),
    }))
}
