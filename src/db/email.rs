//! SQL for `email_messages`: the e-mail outbox.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::credit_note::CreditNote;
use crate::domain::email_message::{EmailMessage, EmailStatus, NewEmail};
use crate::domain::ids::{CustomerId, EmailId, InvoiceId};
use crate::domain::templates::MessageKind;

const COLUMNS: &str = "id, message_id, kind, customer_id, invoice_id, payment_id, to_address, \
    subject, status, attempts, next_attempt_at, last_error, smtp_reply, sent_at, resend_of, \
    created_at, credit_note_id, created_by";

fn text_error(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, msg.into())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<EmailMessage> {
    let kind: String = r.get(2)?;
    let status: String = r.get(8)?;
    Ok(EmailMessage {
        email_id: r.get(0)?,
        message_id: r.get(1)?,
        kind: kind.parse().map_err(|e| text_error(2, e))?,
        customer_id: r.get(3)?,
        invoice_id: r.get(4)?,
        payment_id: r.get(5)?,
        to: r.get(6)?,
        subject: r.get(7)?,
        status: EmailStatus::parse(&status)
            .ok_or_else(|| text_error(8, format!("unknown status {status}")))?,
        attempts: r.get(9)?,
        next_attempt_at: r.get(10)?,
        last_error: r.get(11)?,
        smtp_reply: r.get(12)?,
        sent_at: r.get(13)?,
        resend_of: r.get(14)?,
        created_at: r.get(15)?,
        credit_note_id: r.get(16)?,
        created_by: r.get(17)?,
    })
}

/// Queues a message, due at once. `domain` ends its Message-ID (the sender's domain).
pub fn insert(
    conn: &Connection,
    m: &NewEmail,
    domain: &str,
    now: &str,
    by: &str,
) -> rusqlite::Result<EmailId> {
    let id = EmailId::generate();
    let message_id = format!("<{}@{}>", id.as_str(), domain);
    conn.prepare_cached(
        "INSERT INTO email_messages (id, message_id, kind, customer_id, invoice_id, payment_id, \
         to_address, status, next_attempt_at, resend_of, created_at, created_by, credit_note_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'Pending', ?8, ?9, ?8, ?10, ?11)",
    )?
    .execute(params![
        id,
        message_id,
        m.kind.as_str(),
        m.customer_id,
        m.invoice_id,
        m.payment_id,
        m.to,
        now,
        m.resend_of,
        by,
        m.credit_note_id
    ])?;
    Ok(id)
}

pub fn get(conn: &Connection, id: &EmailId) -> rusqlite::Result<Option<EmailMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM email_messages WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()
}

/// Up to `limit` of a customer's messages, newest first.
pub fn list_for_customer(
    conn: &Connection,
    customer: &CustomerId,
    limit: usize,
) -> rusqlite::Result<Vec<EmailMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM email_messages WHERE customer_id = ?1 ORDER BY seq DESC LIMIT ?2"
    ))?
    .query_map(params![customer, limit as i64], from_row)?
    .collect()
}

/// An invoice's messages, newest first.
pub fn list_for_invoice(
    conn: &Connection,
    invoice: &InvoiceId,
) -> rusqlite::Result<Vec<EmailMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM email_messages WHERE invoice_id = ?1 ORDER BY seq DESC LIMIT 100"
    ))?
    .query_map([invoice], from_row)?
    .collect()
}

/// Messages of kind `kind` that are not sent yet (the Settings page's test messages).
pub fn recent(
    conn: &Connection,
    kind: MessageKind,
    limit: usize,
) -> rusqlite::Result<Vec<EmailMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM email_messages WHERE kind = ?1 ORDER BY seq DESC LIMIT ?2"
    ))?
    .query_map(params![kind.as_str(), limit as i64], from_row)?
    .collect()
}

/// Up to `limit` pending messages due by `now`, oldest first.
pub fn due(conn: &Connection, now: &str, limit: usize) -> rusqlite::Result<Vec<EmailMessage>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM email_messages WHERE status = 'Pending' AND next_attempt_at <= ?1 \
         ORDER BY next_attempt_at, seq LIMIT ?2"
    ))?
    .query_map(params![now, limit as i64], from_row)?
    .collect()
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub email: EmailId,
    pub subject: Option<String>,
    pub at: String,
    /// `Sent`, `Pending` (retry at `next_attempt_at`) or `Failed`.
    pub status: EmailStatus,
    pub next_attempt_at: Option<String>,
    pub error: Option<String>,
    pub smtp_reply: Option<String>,
}

/// Records an attempt; only a message still pending changes (a second record of the same
/// attempt changes nothing).
pub fn record(conn: &Connection, a: &Attempt) -> rusqlite::Result<bool> {
    let sent_at = (a.status == EmailStatus::Sent).then_some(a.at.as_str());
    Ok(conn
        .prepare_cached(
            "UPDATE email_messages SET status = ?2, attempts = attempts + 1, \
             next_attempt_at = ?3, last_error = ?4, smtp_reply = ?5, sent_at = ?6, \
             subject = COALESCE(?7, subject) WHERE id = ?1 AND status = 'Pending'",
        )?
        .execute(params![
            a.email,
            a.status.as_str(),
            a.next_attempt_at,
            a.error,
            a.smtp_reply,
            sent_at,
            a.subject
        ])?
        > 0)
}

/// How many messages are waiting, and how many failed (for the Settings page and metrics).
pub fn counts(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(
        "SELECT (SELECT count(*) FROM email_messages WHERE status = 'Pending'), \
                (SELECT count(*) FROM email_messages WHERE status = 'Failed')",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// What may be queued, as the settings in force say: kept in the database (written whenever
/// the settings are loaded or changed) so that every write job, whichever part of the program
/// runs it (a bill run from the command line too), decides by the same settings in its own
/// transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailPolicy {
    /// E-mail is set up (an SMTP server and a sender).
    pub enabled: bool,
    pub invoices: bool,
    pub receipts: bool,
    /// The sender's domain, which ends every Message-ID.
    pub domain: String,
}

impl MailPolicy {
    pub fn wants(&self, kind: MessageKind) -> bool {
        self.enabled
            && match kind {
                // A credit note is a billing document like an invoice: sent when they are.
                MessageKind::Invoice | MessageKind::CreditNote => self.invoices,
                MessageKind::Receipt => self.receipts,
                _ => true,
            }
    }
}

const POLICY_KEY: &str = "email.policy";

pub fn set_policy(conn: &Connection, policy: &MailPolicy) -> rusqlite::Result<()> {
    let text = serde_json::to_string(policy)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "INSERT INTO app_meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![POLICY_KEY, text])?;
    Ok(())
}

pub fn policy(conn: &Connection) -> rusqlite::Result<MailPolicy> {
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM app_meta WHERE key = ?1")?
        .query_row([POLICY_KEY], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Queues a `kind` message to `customer`'s e-mail address, when the settings want it; part of
/// the write job of what caused it. Returns the message's id, or `None` when nothing was queued.
pub fn queue(
    conn: &Connection,
    kind: MessageKind,
    customer: &CustomerId,
    invoice: Option<&InvoiceId>,
    payment: Option<&str>,
    now: &str,
    by: &str,
) -> rusqlite::Result<Option<EmailId>> {
    queue_with(
        conn,
        &policy(conn)?,
        kind,
        customer,
        invoice,
        payment,
        now,
        by,
    )
}

/// [`queue`] with the policy already read (a bill run reads it once per chunk).
#[expect(clippy::too_many_arguments, reason = "the columns of one message")]
pub fn queue_with(
    conn: &Connection,
    policy: &MailPolicy,
    kind: MessageKind,
    customer: &CustomerId,
    invoice: Option<&InvoiceId>,
    payment: Option<&str>,
    now: &str,
    by: &str,
) -> rusqlite::Result<Option<EmailId>> {
    if !policy.wants(kind) {
        return Ok(None);
    }
    let to: Option<String> = conn
        .prepare_cached("SELECT email FROM customers WHERE id = ?1")?
        .query_row([customer], |r| r.get(0))
        .optional()?;
    let Some(to) = to else { return Ok(None) };
    let m = NewEmail {
        kind,
        customer_id: Some(customer.clone()),
        invoice_id: invoice.cloned(),
        payment_id: payment.map(str::to_owned),
        to,
        resend_of: None,
        credit_note_id: None,
    };
    insert(conn, &m, &policy.domain, now, by).map(Some)
}

/// Queues the e-mail of a credit note just issued (its PDF attached when sent), when the
/// settings send invoices; part of the credit note's write job.
pub fn queue_credit_note(
    conn: &Connection,
    note: &CreditNote,
    now: &str,
    by: &str,
) -> rusqlite::Result<Option<EmailId>> {
    let policy = policy(conn)?;
    if !policy.wants(MessageKind::CreditNote) {
        return Ok(None);
    }
    let to: Option<String> = conn
        .prepare_cached("SELECT email FROM customers WHERE id = ?1")?
        .query_row([&note.customer_id], |r| r.get(0))
        .optional()?;
    let Some(to) = to else { return Ok(None) };
    let m = NewEmail {
        kind: MessageKind::CreditNote,
        customer_id: Some(note.customer_id.clone()),
        invoice_id: Some(note.invoice_id.clone()),
        payment_id: None,
        to,
        resend_of: None,
        credit_note_id: Some(note.credit_note_id.clone()),
    };
    insert(conn, &m, &policy.domain, now, by).map(Some)
}
