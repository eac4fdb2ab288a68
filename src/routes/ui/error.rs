//! The admin UI's one error-to-HTTP mapping: sign-in redirects and HTML error pages (the API has
//! its JSON one).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::error::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// No live session: go to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignIn { next: String },
    /// The user must choose a new password before anything else.
    #[error("password change required")]
    MustChangePassword,
    #[error("{0}")]
    Forbidden(String),
    #[error("the form has expired or did not come from this site")]
    Csrf,
    #[error("{0}")]
    NotFound(String),
    /// A record the link points at does not exist (`what`: customer, invoice, ...).
    #[error("no such {what}")]
    Missing { what: &'static str },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts, or too busy: try again after `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<ServiceError> for UiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(f) | ServiceError::Unprocessable(f) => {
                UiError::BadRequest(f.to_string())
            }
            ServiceError::NotFound { what, .. } => UiError::Missing { what },
            ServiceError::Conflict(m) => UiError::Conflict(m),
            ServiceError::TooManyRequests {
                message,
                retry_after_secs,
            } => UiError::TooManyRequests {
                message,
                retry_after_secs,
            },
            ServiceError::Unexpected(e) => UiError::Unexpected(e),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: &'a str,
    /// The list the missing record would be in, as a way on.
    back: Option<(&'static str, &'static str)>,
    layout: super::layout::LayoutCtx,
}

/// Where to look instead when a record of this kind is not found.
fn list_of(what: &str) -> Option<(&'static str, &'static str)> {
    Some(match what {
        "customer" => ("/admin/customers", "All customers"),
        "subscription" => ("/admin/customers", "Customers"),
        "invoice" | "payment" => ("/admin/invoices", "All invoices"),
        "bill run" => ("/admin/bill-runs", "All bill runs"),
        "product" | "add-on" => ("/admin/catalog", "The catalog"),
        "API client" | "client" => ("/admin/api-clients", "All API clients"),
        "user" => ("/admin/users", "All users"),
        "webhook endpoint" => ("/admin/webhooks", "All webhook endpoints"),
        _ => return None,
    })
}

impl ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        match self {
            UiError::SignIn { .. } | UiError::MustChangePassword => StatusCode::SEE_OTHER,
            UiError::Forbidden(_) | UiError::Csrf => StatusCode::FORBIDDEN,
            UiError::NotFound(_) | UiError::Missing { .. } => StatusCode::NOT_FOUND,
            UiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            UiError::Conflict(_) => StatusCode::CONFLICT,
            UiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            UiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let location = match self {
            UiError::SignIn { next } => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Some(format!("/admin/login?next={next}"))
            }
            UiError::MustChangePassword => Some("/admin/password".to_owned()),
            _ => None,
        };
        if let Some(location) = location {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish();
        }
        let status = self.status_code();
        let back = match self {
            UiError::Missing { what } => list_of(what),
            _ => None,
        };
        let (heading, message) = match self {
            UiError::Unexpected(e) => {
                tracing::error!(error = ?e, "admin UI request failed");
                (
                    "Something went wrong",
                    "The server could not complete this request. It has been logged; try again, \
                     and if it keeps happening tell your administrator."
                        .to_owned(),
                )
            }
            UiError::Forbidden(m) => ("Not allowed", m.clone()),
            UiError::Csrf => (
                "Form expired",
                "The form has expired or was not sent from this site. Go back, reload the page \
                 and try again."
                    .to_owned(),
            ),
            UiError::NotFound(m) => ("Not found", m.clone()),
            UiError::Missing { what } => (
                "Not found",
                format!(
                    "There is no such {what}: the link may be mistyped or out of date. Look for \
                     it in the list instead."
                ),
            ),
            UiError::BadRequest(m) => ("Cannot do that", m.clone()),
            UiError::Conflict(m) => ("Cannot do that", m.clone()),
            UiError::TooManyRequests { message, .. } => ("Try again shortly", message.clone()),
            UiError::SignIn { .. } | UiError::MustChangePassword => ("", String::new()),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            heading,
            message: &message,
            back,
            layout: super::layout::LayoutCtx {
                title: heading.to_owned(),
                ..Default::default()
            },
        };
        let body = page.render().unwrap_or_else(|_| message.clone());
        let mut res = HttpResponse::build(status);
        res.content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if let UiError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
        }
        res.body(body)
    }
}

/// The HTML 404 for unknown `/admin/...` paths.
pub async fn not_found() -> Result<HttpResponse, UiError> {
    Err(UiError::NotFound(
        "There is no such page in the admin UI.".to_owned(),
    ))
}
