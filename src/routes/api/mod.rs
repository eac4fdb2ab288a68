//! The REST API under `/v1`: the connectX contract's operations and our additions, all listed
//! in [`configure`].

pub mod audit;
pub mod bill_runs;
pub mod customers;
pub mod documents;
pub mod error;
pub mod events;
pub mod extract;
pub mod guard;
pub mod idempotency;
pub mod invoices;
pub mod lifecycle;
pub mod openapi;
pub mod payments;
pub mod products;
pub mod subscriptions;
pub mod webhooks;

use actix_web::middleware::ErrorHandlers;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::FieldError;
use crate::domain::page::Pagination;
use crate::domain::scope::Scope;
use guard::{any_token, require};

/// The `/v1` route table. Each operation names the scope its access token must carry
/// (`any_token()`: any valid token); only the OpenAPI document is open.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .wrap(ErrorHandlers::new().default_handler(error::json_error_bodies))
            .route("/openapi.yaml", web::get().to(openapi::spec))
            .service(
                web::resource("/customers")
                    .route(
                        web::get()
                            .to(customers::list_customers)
                            .wrap(require(Scope::ReadCustomers)),
                    )
                    .route(post(customers::create_customer, Scope::WriteCustomers)),
            )
            .service(
                web::resource("/customers/{customerId}")
                    .route(
                        web::get()
                            .to(customers::get_customer)
                            .wrap(require(Scope::ReadCustomers)),
                    )
                    .route(
                        web::patch()
                            .to(customers::update_customer)
                            .wrap(require(Scope::WriteCustomers)),
                    ),
            )
            .service(
                web::resource("/customers/{customerId}/subscriptions")
                    .route(
                        web::get()
                            .to(subscriptions::list_customer_subscriptions)
                            .wrap(require(Scope::ReadCustomers)),
                    )
                    .route(post(
                        subscriptions::create_subscription,
                        Scope::WriteSubscriptions,
                    )),
            )
            .service(
                web::resource("/customers/{customerId}/invoices").route(
                    web::get()
                        .to(invoices::list_customer_invoices)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .service(
                web::resource("/subscriptions/{subscriptionId}").route(
                    web::get()
                        .to(subscriptions::get_subscription)
                        .wrap(require(Scope::ReadCustomers)),
                ),
            )
            .service(
                web::resource("/products")
                    .route(web::get().to(products::list_products).wrap(any_token())),
            )
            // Billing: subscription lifecycle, bill runs, invoices and payments.
            .service(
                web::resource("/customers/{customerId}/terminate")
                    .route(post(lifecycle::terminate_customer, Scope::WriteCustomers)),
            )
            .service(
                web::resource("/subscriptions/{subscriptionId}/suspend").route(post(
                    lifecycle::suspend_subscription,
                    Scope::WriteSubscriptions,
                )),
            )
            .service(
                web::resource("/subscriptions/{subscriptionId}/resume").route(post(
                    lifecycle::resume_subscription,
                    Scope::WriteSubscriptions,
                )),
            )
            .service(
                web::resource("/subscriptions/{subscriptionId}/cancel").route(post(
                    lifecycle::cancel_subscription,
                    Scope::WriteSubscriptions,
                )),
            )
            .service(
                web::resource("/bill-runs")
                    .route(
                        web::get()
                            .to(bill_runs::list_bill_runs)
                            .wrap(require(Scope::ReadBilling)),
                    )
                    .route(post(bill_runs::create_bill_run, Scope::WriteBilling)),
            )
            .service(
                web::resource("/bill-runs/{billRunId}").route(
                    web::get()
                        .to(bill_runs::get_bill_run)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .service(
                web::resource("/invoices/{invoiceId}").route(
                    web::get()
                        .to(invoices::get_invoice)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .service(
                web::resource("/invoices/{invoiceId}/cancel")
                    .route(post(invoices::cancel_invoice, Scope::WriteBilling)),
            )
            .service(
                web::resource("/invoices/{invoiceId}/payments")
                    .route(
                        web::get()
                            .to(payments::list_payments)
                            .wrap(require(Scope::ReadBilling)),
                    )
                    .route(post(payments::create_payment, Scope::WriteBilling)),
            )
            .service(
                web::resource("/invoices/{invoiceId}/payments/{paymentId}").route(
                    web::get()
                        .to(payments::get_payment)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            // Integration: the event feed, webhook endpoints and the audit trail.
            .service(
                web::resource("/events").route(
                    web::get()
                        .to(events::list_events)
                        .wrap(require(Scope::ReadEvents)),
                ),
            )
            .service(
                web::resource("/webhook-endpoints")
                    .route(
                        web::get()
                            .to(webhooks::list_endpoints)
                            .wrap(require(Scope::WriteWebhooks)),
                    )
                    .route(post(webhooks::create_endpoint, Scope::WriteWebhooks)),
            )
            .service(
                web::resource("/webhook-endpoints/{webhookEndpointId}")
                    .route(
                        web::get()
                            .to(webhooks::get_endpoint)
                            .wrap(require(Scope::WriteWebhooks)),
                    )
                    .route(
                        web::patch()
                            .to(webhooks::update_endpoint)
                            .wrap(require(Scope::WriteWebhooks)),
                    )
                    .route(
                        web::delete()
                            .to(webhooks::delete_endpoint)
                            .wrap(require(Scope::WriteWebhooks)),
                    ),
            )
            .service(
                web::resource("/webhook-endpoints/{webhookEndpointId}/rotate-secret")
                    .route(post(webhooks::rotate_secret, Scope::WriteWebhooks)),
            )
            .service(
                web::resource("/webhook-endpoints/{webhookEndpointId}/deliveries").route(
                    web::get()
                        .to(webhooks::list_deliveries)
                        .wrap(require(Scope::WriteWebhooks)),
                ),
            )
            .service(
                web::resource(
                    "/webhook-endpoints/{webhookEndpointId}/deliveries/{delivery}/resend",
                )
                .route(post(webhooks::resend_delivery, Scope::WriteWebhooks)),
            )
            .service(
                web::resource("/audit-events").route(
                    web::get()
                        .to(audit::list_audit_events)
                        .wrap(require(Scope::ReadAudit)),
                ),
            )
            // Getting paid: documents as PDF.
            .service(
                web::resource("/invoices/{invoiceId}/pdf").route(
                    web::get()
                        .to(documents::get_invoice_pdf)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .default_service(web::to(error::not_found)),
    );
}

/// A `POST` operation: the token check with `scope`, then (inside it, so it knows the client)
/// the `Idempotency-Key` handling, then the handler.
fn post<F, Args>(handler: F, scope: Scope) -> actix_web::Route
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::post()
        .to(handler)
        .wrap(actix_web::middleware::from_fn(idempotency::idempotent))
        .wrap(require(scope))
}

/// Bytes to start the JSON of one resource in, and of a page of a list: growing a small buffer
/// step by step, copying it each time, cost more than writing the JSON itself.
pub const ONE_BYTES: usize = 2 * 1024;
pub const PAGE_BYTES: usize = 32 * 1024;

/// A `200` answer with `body` as JSON, written into a buffer of `capacity` bytes to start with.
pub fn json_ok<T: Serialize>(body: &T, capacity: usize) -> HttpResponse {
    let mut bytes = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => HttpResponse::Ok()
            .content_type(mime::APPLICATION_JSON)
            .body(bytes),
        Err(e) => {
            tracing::error!(error = %e, "an answer could not be written as JSON");
            actix_web::ResponseError::error_response(&error::ApiError::for_status(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            ))
        }
    }
}

/// A list answer: `data`, and `pagination` for the lists that page.
#[derive(Debug, Serialize)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

/// Tells "sent as null" (`Some(None)`) from "not sent" (`None`).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An optional field is left out or given a value; `null` is refused rather than guessed at.
pub fn not_null<T>(field: &str, v: Option<Option<T>>) -> Result<Option<T>, FieldError> {
    match v {
        Some(None) => Err(FieldError::new(
            field,
            "must not be null; leave the field out instead",
        )),
        Some(Some(x)) => Ok(Some(x)),
        None => Ok(None),
    }
}
