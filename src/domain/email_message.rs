//! E-mail messages in the outbox, as the customer and invoice pages list them.

use serde::Serialize;

use super::ids::{CreditNoteId, CustomerId, EmailId, InvoiceId};
use super::templates::MessageKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EmailStatus {
    Pending,
    Sent,
    Failed,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "Pending",
            EmailStatus::Sent => "Sent",
            EmailStatus::Failed => "Failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Pending" => Some(Self::Pending),
            "Sent" => Some(Self::Sent),
            "Failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

impl std::fmt::Display for EmailStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message as listed: what, to whom, and how far it got.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailMessage {
    pub email_id: EmailId,
    pub message_id: String,
    pub kind: MessageKind,
    pub customer_id: Option<CustomerId>,
    pub invoice_id: Option<InvoiceId>,
    pub payment_id: Option<String>,
    pub to: String,
    pub subject: Option<String>,
    pub status: EmailStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub smtp_reply: Option<String>,
    pub sent_at: Option<String>,
    pub resend_of: Option<EmailId>,
    pub created_at: String,
    /// The credit note a `CreditNote` message carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_note_id: Option<CreditNoteId>,
    /// Who queued it: a user's name, an API client's id, or `jobs` / `cli` for the system.
    /// Shown in the admin UI (who clicked "Send again"); not part of the API's shape.
    #[serde(skip)]
    pub created_by: String,
}

/// A message to queue: what caused it and to whom it goes.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub kind: MessageKind,
    pub customer_id: Option<CustomerId>,
    pub invoice_id: Option<InvoiceId>,
    pub payment_id: Option<String>,
    pub to: String,
    pub resend_of: Option<EmailId>,
    pub credit_note_id: Option<CreditNoteId>,
}
