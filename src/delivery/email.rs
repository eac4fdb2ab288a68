//! E-mail deliveries: the outbox (`email_messages`) sent through the operator's SMTP server
//! from a task of its own, one message at a time, each attempt recorded before the next is
//! read. A message the server does not accept is retried with backoff (`email.retry_seconds`);
//! one it refuses for good (a 5xx answer, an impossible address) fails at once.
//!
//! What is guaranteed: a queued message is never lost (it is in the database from the write
//! job that caused it), and one the server accepted is never sent again, except in one case:
//! if edgebss stops in the instant between the server's acceptance and the record of it, the
//! message is sent again after the restart, with the same Message-ID, so mail systems and
//! clients that collapse duplicates (most do) show it once.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::mail_content::{Content, content, read_facts};
use crate::db::email::{self as sql, Attempt};
use crate::db::{Db, DbError};
use crate::domain::clock::Clock;
use crate::domain::date::format_timestamp;
use crate::domain::email_message::{EmailMessage, EmailStatus};
use crate::domain::email_settings::{EmailSettings, SmtpTls};
use crate::domain::settings::{BusinessSettings, LiveSettings};

/// How often the task looks for due messages.
const TICK: Duration = Duration::from_millis(250);
/// Due messages read at once.
const READ_BATCH: usize = 32;
/// Longest error or reply text kept.
const MAX_TEXT: usize = 300;

/// Starts the e-mail task; abort the handle to stop it (a message in flight is sent again
/// after the next start, with the same Message-ID).
pub fn spawn(db: Db, clock: Clock, live: LiveSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut mailer: Option<(EmailSettings, AsyncSmtpTransport<Tokio1Executor>)> = None;
        loop {
            let settings = live.get();
            let busy = match round(&db, &clock, &settings, &mut mailer).await {
                Ok(sent) => sent > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "e-mail deliveries: a round failed; trying again");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(TICK).await;
            }
        }
    })
}

/// Sends the messages due now; returns how many were attempted.
async fn round(
    db: &Db,
    clock: &Clock,
    settings: &BusinessSettings,
    mailer: &mut Option<(EmailSettings, AsyncSmtpTransport<Tokio1Executor>)>,
) -> Result<usize, DbError> {
    if !settings.email.enabled() {
        return Ok(0);
    }
    if mailer.as_ref().is_none_or(|(s, _)| *s != settings.email) {
        match transport(&settings.email) {
            Ok(t) => *mailer = Some((settings.email.clone(), t)),
            Err(e) => {
                tracing::warn!(error = %e, "e-mail: the SMTP settings cannot be used");
                return Ok(0);
            }
        }
    }
    let Some((_, transport)) = mailer.as_ref() else {
        return Ok(0);
    };
    let now = clock.timestamp();
    let due = db
        .read(move |conn| sql::due(conn, &now, READ_BATCH).map_err(DbError::from))
        .await?;
    let count = due.len();
    for m in due {
        // Days overdue and amounts are told as of the day the message was queued.
        let today = chrono::DateTime::parse_from_rfc3339(&m.created_at)
            .map(|t| t.with_timezone(&clock.timezone()).date_naive())
            .unwrap_or_else(|_| clock.today());
        let row = m.clone();
        let facts = db
            .read(move |conn| read_facts(conn, &row, today).map_err(DbError::from))
            .await?;
        let settings_now = settings.clone();
        let row = m.clone();
        // The PDF is made on the blocking pool: it takes a few milliseconds of CPU.
        let made = tokio::task::spawn_blocking(move || content(&row, &facts, &settings_now, today))
            .await
            .unwrap_or_else(|_| Err("the message could not be made".to_owned()));
        let attempt = match made {
            Ok(c) => send(transport, &settings.email, &m, c, clock).await,
            Err(e) => outcome(&m, clock, &settings.email, None, Err((e, true))),
        };
        db.write(move |conn| sql::record(conn, &attempt).map_err(DbError::from))
            .await?;
    }
    Ok(count)
}

fn transport(s: &EmailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = s.smtp_host.trim();
    let builder = match s.tls {
        SmtpTls::Off => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpTls::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| e.to_string())?
        }
        SmtpTls::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?
        }
    };
    let mut builder = builder
        .port(s.smtp_port)
        .timeout(Some(Duration::from_secs(s.timeout_seconds)));
    if !s.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
    }
    Ok(builder.build())
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// Builds the message and hands it to the SMTP server, with a bound on the whole exchange.
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    settings: &EmailSettings,
    m: &EmailMessage,
    c: Content,
    clock: &Clock,
) -> Attempt {
    let subject = c.subject.clone();
    let message = match build(settings, m, c) {
        Ok(msg) => msg,
        Err(e) => return outcome(m, clock, settings, Some(subject), Err((e, true))),
    };
    // Each SMTP step has `timeout_seconds`; the whole exchange has a few of them.
    let bound = Duration::from_secs(settings.timeout_seconds.saturating_mul(4));
    let result = match tokio::time::timeout(bound, transport.send(message)).await {
        Ok(Ok(reply)) => {
            let text: Vec<&str> = reply.message().collect();
            Ok(clip(&format!("{} {}", reply.code(), text.join(" "))))
        }
        Ok(Err(e)) => Err((clip(&describe(&e)), e.is_permanent())),
        Err(_) => Err(("no answer from the SMTP server in time".to_owned(), false)),
    };
    outcome(m, clock, settings, Some(subject), result)
}

fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn build(settings: &EmailSettings, m: &EmailMessage, c: Content) -> Result<Message, String> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("email.from cannot be used: {e}"))?;
    let to: Mailbox =
        m.to.parse()
            .map_err(|e| format!("the address {} cannot be used: {e}", m.to))?;
    let mut builder = Message::builder()
        .message_id(Some(m.message_id.clone()))
        .from(from)
        .to(to)
        .subject(c.subject);
    if !settings.reply_to.trim().is_empty() {
        let reply: Mailbox = settings
            .reply_to
            .parse()
            .map_err(|e| format!("email.reply_to cannot be used: {e}"))?;
        builder = builder.reply_to(reply);
    }
    let text = SinglePart::plain(c.text);
    let body = if c.html.is_empty() {
        MultiPart::mixed().singlepart(text)
    } else {
        MultiPart::mixed().multipart(
            MultiPart::alternative()
                .singlepart(text)
                .singlepart(SinglePart::html(c.html)),
        )
    };
    let body = match c.attachment {
        Some((name, pdf)) => {
            let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
            body.singlepart(Attachment::new(name).body(pdf, pdf_type))
        }
        None => body,
    };
    builder.multipart(body).map_err(|e| e.to_string())
}

/// The record of an attempt: sent, retried later, or failed for good (`permanent`, or after
/// the last retry).
fn outcome(
    m: &EmailMessage,
    clock: &Clock,
    settings: &EmailSettings,
    subject: Option<String>,
    result: Result<String, (String, bool)>,
) -> Attempt {
    let at = clock.timestamp();
    match result {
        Ok(reply) => Attempt {
            email: m.email_id.clone(),
            subject,
            at,
            status: EmailStatus::Sent,
            next_attempt_at: None,
            error: None,
            smtp_reply: Some(reply),
        },
        Err((error, permanent)) => {
            let wait = settings
                .retry_seconds
                .get(usize::try_from(m.attempts).unwrap_or(usize::MAX))
                .filter(|_| !permanent);
            let (status, next) = match wait {
                Some(w) => (
                    EmailStatus::Pending,
                    Some(format_timestamp(
                        clock.now()
                            + chrono::Duration::seconds(i64::try_from(*w).unwrap_or(86_400)),
                    )),
                ),
                None => (EmailStatus::Failed, None),
            };
            tracing::warn!(email = %m.email_id, %error, ?status, "e-mail not accepted");
            Attempt {
                email: m.email_id.clone(),
                subject,
                at,
                status,
                next_attempt_at: next,
                error: Some(error),
                smtp_reply: None,
            }
        }
    }
}
