//! The admin UI under `/admin`: server-rendered pages that work without JavaScript (htmx only
//! enhances). Every page is listed in [`configure`]; handlers call the same services as the API.

pub mod activity;
pub mod api_clients;
pub mod auth;
pub mod bill_runs;
pub mod catalog;
pub mod catalog_list;
pub mod charts;
pub mod collections;
pub mod cookies;
pub mod csv;
pub mod customer_form;
pub mod customer_list;
pub mod customer_status;
pub mod customers;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod extract;
pub mod format;
pub mod invoice_actions;
pub mod invoices;
pub mod layout;
pub mod pager;
pub mod reveal;
pub mod run_pages;
pub mod settings;
pub mod settings_fields;
pub mod sort;
pub mod subscription_actions;
pub mod subscriptions;
pub mod users;
pub mod webhooks;
// Charging: the subscription page, plan changes, discounts, one-off charges, credit notes,
// refunds.
pub mod catalog_charging;
pub mod charges;
pub mod credit_notes;
pub mod discounts;
pub mod plan_change;
pub mod plan_choices;
pub mod refunds;
pub mod subscription_page;
// Every subscription and every payment, across customers.
pub mod payment_list;
pub mod subscription_list;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{HttpResponse, web};

/// Allows nothing but this server's own files: no inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; \
    base-uri 'none'; object-src 'none'";

/// Security headers for everything the browser UI loads (pages and assets).
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
}

/// Adds `Server-Timing: app;dur=<ms>`: how long the server spent on the page, which the
/// benchmark reads and browsers' developer tools show.
async fn server_timing(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let mut res = next.call(req).await?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("server-timing"), v);
    }
    Ok(res)
}

/// The `/admin` route table, the assets, and `/` sending people to the UI.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/",
        web::get().to(|| async {
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/admin/"))
                .finish()
        }),
    )
    .service(
        web::scope("/assets")
            .wrap(security_headers())
            .route(
                "/{version}/{path:.*}",
                web::get().to(crate::routes::assets::versioned),
            )
            .route(
                "/{path:.*}",
                web::get().to(crate::routes::assets::unversioned),
            ),
    )
    .route(
        "/admin",
        web::get().to(|| async {
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/admin/"))
                .finish()
        }),
    )
    .service(
        web::scope("/admin")
            .wrap(from_fn(cookies::secure_cookies))
            .wrap(from_fn(server_timing))
            .wrap(security_headers())
            .route("/", web::get().to(dashboard::dashboard))
            .route("/login", web::get().to(auth::login_form))
            .route("/login", web::post().to(auth::login))
            .route("/logout", web::post().to(auth::logout))
            .route("/password", web::get().to(auth::password_form))
            .route("/password", web::post().to(auth::change_password))
            // Customers
            .route("/customers", web::get().to(customers::list))
            .route("/customers", web::post().to(customer_form::create))
            .route("/customers/new", web::get().to(customer_form::new_form))
            .route("/customers/import", web::get().to(csv::import_form))
            .route("/customers/import", web::post().to(csv::import))
            .route("/{what}/export.csv", web::get().to(csv::export_list))
            .route("/collections/aging.csv", web::get().to(csv::export_aging))
            .route("/customers/{id}", web::get().to(customers::detail))
            .route(
                "/customers/{id}/edit",
                web::get().to(customer_form::edit_form),
            )
            .route("/customers/{id}/edit", web::post().to(customer_form::edit))
            .route(
                "/customers/{id}/status",
                web::get().to(customers::confirm_status),
            )
            .route(
                "/customers/{id}/status",
                web::post().to(customers::change_status),
            )
            // Subscriptions
            .route(
                "/customers/{id}/subscriptions/new",
                web::get().to(subscriptions::new_form),
            )
            .route(
                "/customers/{id}/subscriptions",
                web::post().to(subscriptions::create),
            )
            .route(
                "/subscriptions/{id}/status",
                web::get().to(subscription_actions::confirm_status),
            )
            .route(
                "/subscriptions/{id}/status",
                web::post().to(subscription_actions::change_status),
            )
            // Invoices and payments
            .route("/invoices", web::get().to(invoices::list))
            .route("/invoices/{id}", web::get().to(invoices::detail))
            .route("/invoices/{id}/print", web::get().to(invoices::print))
            .route(
                "/invoices/{id}/payments",
                web::get().to(invoice_actions::payment_form),
            )
            .route(
                "/invoices/{id}/payments",
                web::post().to(invoice_actions::record_payment),
            )
            .route(
                "/invoices/{id}/cancel",
                web::get().to(invoice_actions::confirm_cancel),
            )
            .route(
                "/invoices/{id}/cancel",
                web::post().to(invoice_actions::cancel),
            )
            // Bill runs
            .route("/bill-runs", web::get().to(bill_runs::list))
            .route("/bill-runs", web::post().to(bill_runs::start))
            .route("/bill-runs/preview", web::get().to(bill_runs::preview))
            .route("/bill-runs/{id}", web::get().to(bill_runs::detail))
            // Catalog
            .route("/catalog", web::get().to(catalog::list))
            .route("/catalog", web::post().to(catalog::create))
            .route("/catalog/new", web::get().to(catalog::new_form))
            .route("/catalog/{id}/edit", web::get().to(catalog::edit_form))
            .route("/catalog/{id}/edit", web::post().to(catalog::edit))
            .route(
                "/catalog/{id}/discontinue",
                web::get().to(catalog::confirm_discontinue),
            )
            .route(
                "/catalog/{id}/discontinue",
                web::post().to(catalog::discontinue),
            )
            // API clients
            .route("/api-clients", web::get().to(api_clients::list))
            .route("/api-clients", web::post().to(api_clients::create))
            .route("/api-clients/new", web::get().to(api_clients::new_form))
            .route(
                "/api-clients/{id}/{action}",
                web::get().to(api_clients::confirm),
            )
            .route(
                "/api-clients/{id}/{action}",
                web::post().to(api_clients::act),
            )
            // Users
            .route("/users", web::get().to(users::list))
            .route("/users", web::post().to(users::create))
            .route("/users/new", web::get().to(users::new_form))
            .route("/users/{id}/role", web::post().to(users::change_role))
            .route("/users/{id}/{action}", web::get().to(users::confirm))
            .route("/users/{id}/{action}", web::post().to(users::act))
            // Webhooks
            .route("/webhooks", web::get().to(webhooks::list))
            .route("/webhooks", web::post().to(webhooks::create))
            .route("/webhooks/new", web::get().to(webhooks::new_form))
            .route("/webhooks/{id}", web::get().to(webhooks::detail))
            .route("/webhooks/{id}/{action}", web::post().to(webhooks::act))
            .route(
                "/webhooks/{id}/deliveries/{delivery}/resend",
                web::post().to(webhooks::resend),
            )
            // Activity: the audit trail
            .route("/activity", web::get().to(activity::list))
            // Every subscription and every payment, across customers (exported by csv::export_list)
            .route("/subscriptions", web::get().to(subscription_list::list))
            .route("/payments", web::get().to(payment_list::list))
            .configure(charging_pages)
            // Getting paid: collections, e-mails, documents.
            .route("/collections", web::get().to(collections::index))
            .route(
                "/customers/{id}/dunning-exemption",
                web::post().to(collections::exempt),
            )
            .route("/emails/{id}/resend", web::post().to(collections::resend))
            .route("/settings", web::get().to(settings::index))
            .route(
                "/settings/email/test",
                web::post().to(settings::test_message),
            )
            .route("/settings/{section}", web::post().to(settings::save))
            .route("/invoices/{id}/pdf", web::get().to(documents::invoice_pdf))
            .route(
                "/credit-notes/{id}/pdf",
                web::get().to(documents::credit_note_pdf),
            )
            .route(
                "/customers/{id}/statement",
                web::get().to(documents::statement_pdf),
            )
            .default_service(web::to(error::not_found)),
    );
}

/// Charging: a subscription's page, plan changes, discounts, one-off charges, credit notes and
/// refunds. Each change is previewed by a GET (nothing stored) and made by a POST.
fn charging_pages(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/customers/{id}/subscriptions/review",
        web::get().to(subscriptions::review),
    )
    .route(
        "/subscriptions/{id}",
        web::get().to(subscription_page::detail),
    )
    .route(
        "/subscriptions/{id}/change-plan",
        web::get().to(plan_change::form),
    )
    .route(
        "/subscriptions/{id}/change-plan/preview",
        web::get().to(plan_change::preview),
    )
    .route(
        "/subscriptions/{id}/change-plan",
        web::post().to(plan_change::confirm),
    )
    .route(
        "/subscriptions/{id}/discounts/new",
        web::get().to(discounts::form),
    )
    .route(
        "/subscriptions/{id}/discounts/preview",
        web::get().to(discounts::preview),
    )
    .route(
        "/subscriptions/{id}/discounts",
        web::post().to(discounts::create),
    )
    .route(
        "/subscriptions/{id}/discounts/{discount}/remove",
        web::get().to(discounts::confirm_remove),
    )
    .route(
        "/subscriptions/{id}/discounts/{discount}/remove",
        web::post().to(discounts::remove),
    )
    .route("/customers/{id}/charges/new", web::get().to(charges::form))
    .route(
        "/customers/{id}/charges/preview",
        web::get().to(charges::preview),
    )
    .route("/customers/{id}/charges", web::post().to(charges::create))
    .route(
        "/customers/{id}/charges/{charge}/cancel",
        web::get().to(charges::confirm_cancel),
    )
    .route(
        "/customers/{id}/charges/{charge}/cancel",
        web::post().to(charges::cancel),
    )
    .route(
        "/invoices/{id}/credit-notes/new",
        web::get().to(credit_notes::form),
    )
    .route(
        "/invoices/{id}/credit-notes/preview",
        web::get().to(credit_notes::preview),
    )
    .route(
        "/invoices/{id}/credit-notes",
        web::post().to(credit_notes::create),
    )
    .route(
        "/credit-notes/{id}/print",
        web::get().to(credit_notes::print),
    )
    .route(
        "/invoices/{id}/payments/{payment}/refund",
        web::get().to(refunds::form),
    )
    .route(
        "/invoices/{id}/payments/{payment}/refund/preview",
        web::get().to(refunds::preview),
    )
    .route(
        "/invoices/{id}/payments/{payment}/refund",
        web::post().to(refunds::create),
    );
}
