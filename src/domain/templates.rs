//! The e-mail templates: a subject, a plain-text body and an HTML body for each kind of message,
//! with `{{placeholders}}` filled in when the message is sent. Admins edit them on the Settings
//! page; an unknown placeholder is refused there, naming it.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The kinds of message edgebss sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    Invoice,
    Receipt,
    Reminder,
    Suspension,
    Reactivation,
    /// The Settings page's "send a test message".
    Test,
}

impl MessageKind {
    pub const ALL: &'static [MessageKind] = &[
        MessageKind::Invoice,
        MessageKind::Receipt,
        MessageKind::Reminder,
        MessageKind::Suspension,
        MessageKind::Reactivation,
        MessageKind::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invoice => "Invoice",
            MessageKind::Receipt => "Receipt",
            MessageKind::Reminder => "Reminder",
            MessageKind::Suspension => "Suspension",
            MessageKind::Reactivation => "Reactivation",
            MessageKind::Test => "Test",
        }
    }

    /// The key of its template under `templates.`.
    pub fn template_key(self) -> &'static str {
        match self {
            MessageKind::Invoice => "invoice",
            MessageKind::Receipt => "receipt",
            MessageKind::Reminder => "reminder",
            MessageKind::Suspension => "suspension",
            MessageKind::Reactivation => "reactivation",
            MessageKind::Test => "test",
        }
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MessageKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a kind of message"))
    }
}

/// What a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "customer_name",
    "account_number",
    "operator_name",
    "operator_email",
    "operator_phone",
    "payment_details",
    "invoice_number",
    "invoice_date",
    "due_date",
    "total",
    "amount_due",
    "payment_amount",
    "days_overdue",
    "overdue_total",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub subject: String,
    pub text: String,
    /// Empty: the message has the plain-text part only.
    pub html: String,
}

impl Template {
    fn new(subject: &str, text: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            text: text.to_owned(),
            html: default_html(text),
        }
    }

    fn check(&self, key: &str) -> Result<(), FieldError> {
        let subject = self.subject.trim();
        if subject.is_empty() || subject.contains('\n') || subject.chars().count() > 200 {
            return Err(FieldError::new(
                format!("templates.{key}.subject"),
                "must be one line of 1 to 200 characters",
            ));
        }
        if self.text.trim().is_empty() {
            return Err(FieldError::new(
                format!("templates.{key}.text"),
                "must not be empty: every message has a plain-text part",
            ));
        }
        for (part, body) in [
            ("subject", &self.subject),
            ("text", &self.text),
            ("html", &self.html),
        ] {
            if body.len() > 20_000 {
                return Err(FieldError::new(
                    format!("templates.{key}.{part}"),
                    "must be at most 20000 characters",
                ));
            }
            for name in placeholders(body) {
                if !PLACEHOLDERS.contains(&name) {
                    return Err(FieldError::new(
                        format!("templates.{key}.{part}"),
                        format!(
                            "`{{{{{name}}}}}` is not a placeholder; known: {}",
                            PLACEHOLDERS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The HTML body made from a plain-text one: the operator's name as a heading, the text's
/// paragraphs, and the operator's contact line.
fn default_html(text: &str) -> String {
    let mut html = String::from(
        "<div style=\"font-family: sans-serif; max-width: 36em\">\n\
         <p style=\"font-size: 1.2em; font-weight: bold\">{{operator_name}}</p>\n",
    );
    for para in text.split("\n\n") {
        html.push_str("<p>");
        html.push_str(&para.trim().replace('\n', "<br>\n"));
        html.push_str("</p>\n");
    }
    html.push_str(
        "<p style=\"color: #666; font-size: 0.9em\">{{operator_name}} · {{operator_email}} · \
         {{operator_phone}}</p>\n</div>\n",
    );
    html
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Templates {
    pub invoice: Template,
    pub receipt: Template,
    pub reminder: Template,
    pub suspension: Template,
    pub reactivation: Template,
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            invoice: Template::new(
                "Invoice {{invoice_number}} from {{operator_name}}",
                "Dear {{customer_name}},\n\nplease find attached invoice {{invoice_number}} of \
                 {{invoice_date}} for {{total}}, due on {{due_date}}.\n\n{{payment_details}}\n\n\
                 Thank you,\n{{operator_name}}",
            ),
            receipt: Template::new(
                "Payment received: {{payment_amount}} for invoice {{invoice_number}}",
                "Dear {{customer_name}},\n\nwe received your payment of {{payment_amount}} for \
                 invoice {{invoice_number}}. Still due on this invoice: {{amount_due}}.\n\n\
                 Thank you,\n{{operator_name}}",
            ),
            reminder: Template::new(
                "Reminder: invoice {{invoice_number}} is {{days_overdue}} days overdue",
                "Dear {{customer_name}},\n\ninvoice {{invoice_number}} was due on {{due_date}} \
                 and {{amount_due}} is still open. Please pay it soon, quoting the invoice \
                 number.\n\n{{payment_details}}\n\nIf you have paid in the meantime, please \
                 ignore this message.\n\n{{operator_name}}",
            ),
            suspension: Template::new(
                "Your service is suspended for non-payment",
                "Dear {{customer_name}},\n\nyour account {{account_number}} has {{overdue_total}} \
                 overdue, so your service has been suspended. It is restored automatically as \
                 soon as the overdue invoices are paid.\n\n{{payment_details}}\n\n{{operator_name}}",
            ),
            reactivation: Template::new(
                "Your service is active again",
                "Dear {{customer_name}},\n\nthank you for your payment: your account \
                 {{account_number}} is active again.\n\n{{operator_name}}",
            ),
        }
    }
}

impl Templates {
    pub fn check(&self) -> Result<(), FieldError> {
        self.invoice.check("invoice")?;
        self.receipt.check("receipt")?;
        self.reminder.check("reminder")?;
        self.suspension.check("suspension")?;
        self.reactivation.check("reactivation")
    }

    pub fn get(&self, kind: MessageKind) -> Option<&Template> {
        match kind {
            MessageKind::Invoice => Some(&self.invoice),
            MessageKind::Receipt => Some(&self.receipt),
            MessageKind::Reminder => Some(&self.reminder),
            MessageKind::Suspension => Some(&self.suspension),
            MessageKind::Reactivation => Some(&self.reactivation),
            MessageKind::Test => None,
        }
    }
}

/// The placeholder names `text` uses.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

/// `text` with each `{{name}}` replaced by its value (empty when none); in HTML the values are
/// escaped.
pub fn render(text: &str, values: &[(&str, String)], html: bool) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if html {
            out.push_str(&escape_html(value).replace('\n', "<br>\n"));
        } else {
            out.push_str(value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_templates_pass_their_own_rules() {
        Templates::default().check().unwrap();
    }

    #[test]
    fn placeholders_are_filled_and_escaped_in_html() {
        let values = [("customer_name", "Ana <B&B>".to_owned())];
        assert_eq!(
            render("Hi {{customer_name}}!", &values, false),
            "Hi Ana <B&B>!"
        );
        assert_eq!(
            render("Hi {{ customer_name }}{{due_date}}", &values, true),
            "Hi Ana &lt;B&amp;B&gt;"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_its_key() {
        let mut t = Templates::default();
        t.reminder.text = "Pay {{amount}}".into();
        let e = t.check().unwrap_err();
        assert_eq!(e.field, "templates.reminder.text");
        assert!(e.message.contains("{{amount}}"), "{e}");
    }
}
