//! The e-mail outbox as people see it: what was sent to a customer or about an invoice, a
//! message sent again, and the Settings page's test message.

use crate::db::email::{self as sql, policy};
use crate::db::record::Recorder;
use crate::db::{Db, customers};
use crate::domain::clock::Clock;
use crate::domain::email_message::{EmailMessage, NewEmail};
use crate::domain::ids::{CustomerId, EmailId, InvoiceId};
use crate::domain::origin::Origin;
use crate::domain::templates::MessageKind;
use crate::error::ServiceError;

pub async fn for_customer(
    db: &Db,
    customer: &CustomerId,
    limit: usize,
) -> Result<Vec<EmailMessage>, ServiceError> {
    let c = customer.clone();
    db.read(move |conn| Ok(sql::list_for_customer(conn, &c, limit)?))
        .await
}

pub async fn for_invoice(db: &Db, invoice: &InvoiceId) -> Result<Vec<EmailMessage>, ServiceError> {
    let i = invoice.clone();
    db.read(move |conn| Ok(sql::list_for_invoice(conn, &i)?))
        .await
}

/// The latest test messages.
pub async fn tests(db: &Db) -> Result<Vec<EmailMessage>, ServiceError> {
    db.read(move |conn| Ok(sql::recent(conn, MessageKind::Test, 5)?))
        .await
}

fn not_set_up() -> ServiceError {
    ServiceError::Conflict(
        "e-mail is not set up: enter an SMTP server and a sender on the Settings page".to_owned(),
    )
}

/// Queues `id` again as a new message (new Message-ID), to the customer's current address.
pub async fn resend(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &EmailId,
) -> Result<EmailMessage, ServiceError> {
    let (eid, now, origin) = (id.clone(), clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let p = policy(conn)?;
        if !p.enabled {
            return Err(not_set_up());
        }
        let old = sql::get(conn, &eid)?
            .ok_or_else(|| ServiceError::not_found("e-mail message", eid.as_str()))?;
        let to = match &old.customer_id {
            Some(c) => customers::get(conn, c)?.map_or(old.to.clone(), |c| c.email),
            None => old.to.clone(),
        };
        let new = NewEmail {
            kind: old.kind,
            customer_id: old.customer_id.clone(),
            invoice_id: old.invoice_id.clone(),
            payment_id: old.payment_id.clone(),
            to,
            resend_of: Some(old.email_id.clone()),
        };
        let nid = sql::insert(conn, &new, &p.domain, &now, &origin.actor.id)?;
        let object = old
            .customer_id
            .as_ref()
            .map_or(("email", eid.as_str()), |c| ("customer", c.as_str()));
        Recorder::new(conn, &origin, &now).audit_values(
            "email.resent",
            object,
            serde_json::json!({"email": {"before": eid.as_str(), "after": nid.as_str()}}),
        )?;
        sql::get(conn, &nid)?.ok_or_else(|| ServiceError::not_found("e-mail message", nid.as_str()))
    })
    .await
}

/// Queues a test message to `to`.
pub async fn send_test(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    to: &str,
) -> Result<EmailMessage, ServiceError> {
    let to = crate::domain::email::Email::parse("to", to)?;
    let (now, origin) = (clock.timestamp(), origin.clone());
    let to = to.as_str().to_owned();
    db.write(move |conn| {
        let p = policy(conn)?;
        if !p.enabled {
            return Err(not_set_up());
        }
        let new = NewEmail {
            kind: MessageKind::Test,
            customer_id: None,
            invoice_id: None,
            payment_id: None,
            to,
            resend_of: None,
        };
        let id = sql::insert(conn, &new, &p.domain, &now, &origin.actor.id)?;
        sql::get(conn, &id)?.ok_or_else(|| ServiceError::not_found("e-mail message", id.as_str()))
    })
    .await
}
