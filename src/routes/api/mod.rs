//! The REST API under `/v1`: the connectX contract's operations and our additions, all listed
//! in [`configure`].

pub mod audit;
pub mod bill_runs;
pub mod body;
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
// Charging: the catalog, usage, one-off charges and discounts, plan changes, credit notes.
pub mod charges;
pub mod charging;
pub mod credit_notes;
pub mod plans;
pub mod usage;

use actix_web::middleware::ErrorHandlers;
use actix_web::web;

use crate::domain::scope::Scope;
pub use body::{ListResponse, ONE_BYTES, PAGE_BYTES, json_ok, not_null, present};
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
                    .route(web::get().to(products::list_products).wrap(any_token()))
                    .route(post(products::create_product, Scope::WriteCatalog)),
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
            .configure(charging_routes)
            // Getting paid: documents as PDF.
            .service(
                web::resource("/invoices/{invoiceId}/pdf").route(
                    web::get()
                        .to(documents::get_invoice_pdf)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .service(
                web::resource("/credit-notes/{creditNoteId}/pdf").route(
                    web::get()
                        .to(documents::get_credit_note_pdf)
                        .wrap(require(Scope::ReadBilling)),
                ),
            )
            .default_service(web::to(error::not_found)),
    );
}

/// Charging: the catalog, usage, one-off charges, discounts, plan changes, credit notes and
/// refunds.
fn charging_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/products/{productId}")
            .route(web::get().to(products::get_product).wrap(any_token()))
            .route(
                web::patch()
                    .to(products::patch_product)
                    .wrap(require(Scope::WriteCatalog)),
            ),
    )
    .service(web::resource("/usage-records").route(post(usage::record_usage, Scope::WriteUsage)))
    .service(
        web::resource("/subscriptions/{subscriptionId}/usage").route(
            web::get()
                .to(usage::get_usage)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/customers/{customerId}/charges")
            .route(
                web::get()
                    .to(charges::list_charges)
                    .wrap(require(Scope::ReadBilling)),
            )
            .route(post(charges::create_charge, Scope::WriteBilling)),
    )
    .service(
        web::resource("/customers/{customerId}/charges/{chargeId}").route(
            web::get()
                .to(charges::get_charge)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/customers/{customerId}/charges/{chargeId}/cancel")
            .route(post(charges::cancel_charge, Scope::WriteBilling)),
    )
    .service(
        web::resource("/subscriptions/{subscriptionId}/discounts")
            .route(
                web::get()
                    .to(charges::list_discounts)
                    .wrap(require(Scope::ReadBilling)),
            )
            .route(post(charges::create_discount, Scope::WriteBilling)),
    )
    .service(
        web::resource("/subscriptions/{subscriptionId}/discounts/{discountId}").route(
            web::get()
                .to(charges::get_discount)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/subscriptions/{subscriptionId}/discounts/{discountId}/remove")
            .route(post(charges::remove_discount, Scope::WriteBilling)),
    )
    .service(
        web::resource("/subscriptions/{subscriptionId}/change-plan")
            .route(post(plans::change_plan, Scope::WriteSubscriptions)),
    )
    .service(
        web::resource("/subscriptions/{subscriptionId}/plans").route(
            web::get()
                .to(plans::plan_history)
                .wrap(require(Scope::ReadCustomers)),
        ),
    )
    .service(
        web::resource("/invoices/{invoiceId}/credit-notes")
            .route(
                web::get()
                    .to(credit_notes::list_invoice_credit_notes)
                    .wrap(require(Scope::ReadBilling)),
            )
            .route(post(credit_notes::create_credit_note, Scope::WriteBilling)),
    )
    .service(
        web::resource("/credit-notes/{creditNoteId}").route(
            web::get()
                .to(credit_notes::get_credit_note)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/customers/{customerId}/credit-notes").route(
            web::get()
                .to(credit_notes::list_customer_credit_notes)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/invoices/{invoiceId}/refunds").route(
            web::get()
                .to(credit_notes::list_refunds)
                .wrap(require(Scope::ReadBilling)),
        ),
    )
    .service(
        web::resource("/invoices/{invoiceId}/payments/{paymentId}/refunds")
            .route(post(credit_notes::create_refund, Scope::WriteBilling)),
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
