//! Webhook endpoints: created, changed, deleted and given new secrets through the API and the
//! admin UI, each change audited; their delivery log; resending a delivery.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::db::record::Recorder;
use crate::db::{Db, webhooks as sql};
use crate::domain::clock::Clock;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::origin::Origin;
use crate::domain::webhook::{
    DeliveryAttempt, EndpointChanges, EndpointWithSecret, NewEndpoint, WebhookEndpoint,
};
use crate::error::ServiceError;

/// Random bytes in a signing secret.
const SECRET_BYTES: usize = 32;

/// Most endpoints at once: each has a task delivering to it.
pub const MAX_ENDPOINTS: usize = 100;

fn new_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn missing(id: &WebhookEndpointId) -> ServiceError {
    ServiceError::not_found("webhook endpoint", id)
}

pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    new: NewEndpoint,
) -> Result<EndpointWithSecret, ServiceError> {
    let (now, origin, secret) = (clock.timestamp(), origin.clone(), new_secret());
    db.write(move |conn| {
        if sql::list(conn)?.len() >= MAX_ENDPOINTS {
            return Err(ServiceError::Conflict(format!(
                "there are already {MAX_ENDPOINTS} webhook endpoints; delete one first"
            )));
        }
        let id = sql::insert(conn, &new, &secret, &now)?;
        let endpoint = sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint;
        let rec = Recorder::new(conn, &origin, &now);
        rec.audit(
            "webhook_endpoint.created",
            ("webhook_endpoint", id.as_str()),
            None::<&WebhookEndpoint>,
            Some(&endpoint),
        )?;
        let created = EndpointWithSecret { endpoint, secret };
        rec.answer(&created)?;
        Ok(created)
    })
    .await
}

pub async fn list(db: &Db) -> Result<Vec<WebhookEndpoint>, ServiceError> {
    db.read(|conn| Ok(sql::list(conn)?.into_iter().map(|e| e.endpoint).collect()))
        .await
}

pub async fn get(db: &Db, id: &WebhookEndpointId) -> Result<WebhookEndpoint, ServiceError> {
    let id = id.clone();
    db.read(move |conn| Ok(sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint))
        .await
}

pub async fn update(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &WebhookEndpointId,
    changes: EndpointChanges,
) -> Result<WebhookEndpoint, ServiceError> {
    let (now, origin, id) = (clock.timestamp(), origin.clone(), id.clone());
    db.write(move |conn| {
        let before = sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint;
        sql::update(conn, &id, &changes, &now)?;
        let after = sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint;
        Recorder::new(conn, &origin, &now).audit(
            "webhook_endpoint.updated",
            ("webhook_endpoint", id.as_str()),
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
    .await
}

pub async fn delete(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &WebhookEndpointId,
) -> Result<(), ServiceError> {
    let (now, origin, id) = (clock.timestamp(), origin.clone(), id.clone());
    db.write(move |conn| {
        let before = sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint;
        sql::delete(conn, &id, &now)?;
        Recorder::new(conn, &origin, &now).audit(
            "webhook_endpoint.deleted",
            ("webhook_endpoint", id.as_str()),
            Some(&before),
            None::<&WebhookEndpoint>,
        )?;
        Ok(())
    })
    .await
}

/// Gives the endpoint a new secret, shown only in this answer; the old one stops at once.
pub async fn rotate_secret(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &WebhookEndpointId,
) -> Result<EndpointWithSecret, ServiceError> {
    let (now, origin, id, secret) = (clock.timestamp(), origin.clone(), id.clone(), new_secret());
    db.write(move |conn| {
        if !sql::set_secret(conn, &id, &secret, &now)? {
            return Err(missing(&id));
        }
        let endpoint = sql::get(conn, &id)?.ok_or_else(|| missing(&id))?.endpoint;
        let rec = Recorder::new(conn, &origin, &now);
        rec.audit_values(
            "webhook_endpoint.secret_rotated",
            ("webhook_endpoint", id.as_str()),
            serde_json::json!({"secret": {"before": "(hidden)", "after": "(hidden)"}}),
        )?;
        let rotated = EndpointWithSecret { endpoint, secret };
        rec.answer(&rotated)?;
        Ok(rotated)
    })
    .await
}

/// Most attempts one page of the delivery log holds.
pub const MAX_ATTEMPTS: usize = 500;

/// The endpoint's latest attempts, newest first.
pub async fn deliveries(
    db: &Db,
    id: &WebhookEndpointId,
    limit: usize,
) -> Result<Vec<DeliveryAttempt>, ServiceError> {
    let id = id.clone();
    db.read(move |conn| {
        sql::get(conn, &id)?.ok_or_else(|| missing(&id))?;
        Ok(sql::attempts(conn, &id, limit)?)
    })
    .await
}

/// Sends a delivery again (a failed one, or one the receiver lost): due at once.
pub async fn resend(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &WebhookEndpointId,
    delivery: i64,
) -> Result<(), ServiceError> {
    let (now, origin, id) = (clock.timestamp(), origin.clone(), id.clone());
    db.write(move |conn| {
        sql::get(conn, &id)?.ok_or_else(|| missing(&id))?;
        if !sql::resend(conn, &id, delivery, &now)? {
            return Err(ServiceError::not_found("delivery", delivery));
        }
        Recorder::new(conn, &origin, &now).audit_values(
            "webhook_delivery.resent",
            ("webhook_endpoint", id.as_str()),
            serde_json::json!({"delivery": {"before": null, "after": delivery}}),
        )?;
        Ok(())
    })
    .await
}
