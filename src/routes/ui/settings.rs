//! Settings (admins): the operator's details, billing terms, e-mail, dunning and the message
//! templates, stored in the database and in force at once. A setting the configuration file
//! pins is shown read-only with the reason; each says whether its value comes from the file or
//! was saved here.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm};
use super::layout::{LayoutCtx, redirect, render_status};
use crate::domain::FieldError;
use crate::domain::email_message::EmailMessage;
use crate::domain::settings::{Current, LiveSettings, value_at};
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// One entry per line.
    Lines,
    /// Several lines of free text (a template body).
    Body,
    Number,
    Secret,
    Check,
    Tls,
    /// Whole numbers separated by commas.
    Days,
    /// Text that is null when empty.
    Optional,
}

/// A setting as the page shows it.
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub value: String,
    pub pinned: bool,
    /// Where the value comes from: "configuration file" or who saved it when.
    pub origin: String,
    pub error: Option<String>,
}

pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub fields: Vec<Field>,
}

/// A setting on the page: its key, its label, and how it is entered.
type FieldSpec = (&'static str, &'static str, Kind);

/// The page's sections: id, title, settings.
const SECTIONS: &[(&str, &str, &[FieldSpec])] = &[
    (
        "operator",
        "Operator (printed on every document)",
        &[
            ("operator.name", "Name", Kind::Text),
            ("operator.address", "Address (one line each)", Kind::Lines),
            ("operator.email", "E-mail", Kind::Optional),
            ("operator.phone", "Phone", Kind::Optional),
            ("operator.tax_id", "Tax ID", Kind::Optional),
            (
                "operator.payment_details",
                "How to pay (one line each)",
                Kind::Lines,
            ),
        ],
    ),
    (
        "billing",
        "Billing",
        &[
            ("billing.tax_rate_percent", "Tax rate (%)", Kind::Text),
            ("billing.bill_day", "Bill day (1 to 28)", Kind::Number),
            (
                "billing.payment_terms_days",
                "Payment terms (days)",
                Kind::Number,
            ),
            (
                "billing.timezone",
                "Time zone (e.g. Europe/Warsaw)",
                Kind::Text,
            ),
        ],
    ),
    (
        "email",
        "E-mail (SMTP)",
        &[
            ("email.smtp_host", "SMTP server", Kind::Text),
            ("email.smtp_port", "Port", Kind::Number),
            ("email.tls", "Security", Kind::Tls),
            ("email.username", "User name", Kind::Text),
            (
                "email.password",
                "Password (leave empty to keep)",
                Kind::Secret,
            ),
            ("email.from", "Sender", Kind::Text),
            ("email.reply_to", "Replies to", Kind::Text),
            (
                "email.send_invoices",
                "E-mail invoices when issued",
                Kind::Check,
            ),
            (
                "email.send_receipts",
                "E-mail a receipt for each payment",
                Kind::Check,
            ),
        ],
    ),
    (
        "dunning",
        "Dunning",
        &[
            (
                "dunning.reminder_days",
                "Reminders, days after the due date (e.g. 3, 10)",
                Kind::Days,
            ),
            (
                "dunning.suspend_after_days",
                "Suspend, days after the due date (0: never)",
                Kind::Number,
            ),
        ],
    ),
    (
        "templates",
        "Message templates",
        &[
            ("templates.invoice.subject", "Invoice: subject", Kind::Text),
            ("templates.invoice.text", "Invoice: text", Kind::Body),
            (
                "templates.invoice.html",
                "Invoice: HTML (empty: text only)",
                Kind::Body,
            ),
            ("templates.receipt.subject", "Receipt: subject", Kind::Text),
            ("templates.receipt.text", "Receipt: text", Kind::Body),
            ("templates.receipt.html", "Receipt: HTML", Kind::Body),
            (
                "templates.reminder.subject",
                "Reminder: subject",
                Kind::Text,
            ),
            ("templates.reminder.text", "Reminder: text", Kind::Body),
            ("templates.reminder.html", "Reminder: HTML", Kind::Body),
            (
                "templates.suspension.subject",
                "Suspension: subject",
                Kind::Text,
            ),
            ("templates.suspension.text", "Suspension: text", Kind::Body),
            ("templates.suspension.html", "Suspension: HTML", Kind::Body),
            (
                "templates.reactivation.subject",
                "Reactivation: subject",
                Kind::Text,
            ),
            (
                "templates.reactivation.text",
                "Reactivation: text",
                Kind::Body,
            ),
            (
                "templates.reactivation.html",
                "Reactivation: HTML",
                Kind::Body,
            ),
        ],
    ),
];

fn shown(kind: Kind, v: &Value) -> String {
    match (kind, v) {
        (Kind::Secret, _) => String::new(),
        (Kind::Lines, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        (Kind::Days, Value::Array(items)) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

fn sections(
    live: &LiveSettings,
    current: &Current,
    form: Option<(&str, &FormData, &FieldError)>,
) -> Vec<Section> {
    SECTIONS
        .iter()
        .map(|(id, title, fields)| Section {
            id,
            title,
            fields: fields
                .iter()
                .map(|(key, label, kind)| {
                    let refused = form.filter(|(section, _, _)| section == id);
                    let value = match refused {
                        Some((_, f, _)) if *kind != Kind::Secret => f.get(key).to_owned(),
                        _ => shown(*kind, &value_at(&current.values, key)),
                    };
                    let origin = match current.changed.get(*key) {
                        Some(c) => {
                            format!("saved here by {} on {}", c.by, &c.at[..10.min(c.at.len())])
                        }
                        None => "from the configuration file".to_owned(),
                    };
                    Field {
                        key,
                        label,
                        kind: *kind,
                        value,
                        pinned: live.file().is_pinned(key),
                        origin,
                        error: refused
                            .map(|(_, _, e)| e)
                            .filter(|e| e.field == *key)
                            .map(|e| e.message.clone()),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/settings/index.html")]
pub struct SettingsPage {
    layout: LayoutCtx,
    sections: Vec<Section>,
    message: Option<String>,
    email_ready: bool,
    tests: Vec<EmailMessage>,
    has_logo: bool,
    logo_pinned: bool,
}

impl SettingsPage {
    pub fn is(&self, f: &Field, kind: &str) -> bool {
        let k = match f.kind {
            Kind::Lines | Kind::Body => "area",
            Kind::Check => "check",
            Kind::Tls => "tls",
            Kind::Secret => "secret",
            _ => "text",
        };
        k == kind
    }
}

async fn page(
    state: &AppState,
    auth: &Authed,
    refused: Option<(&str, &FormData, &FieldError)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let current = state.live.current();
    let page = SettingsPage {
        layout: auth.layout("settings", "Settings"),
        sections: sections(&state.live, &current, refused),
        message: refused.map(|(_, _, e)| format!("Not saved: {}: {}", e.field, e.message)),
        email_ready: current.values.email.enabled(),
        tests: crate::service::email::tests(&state.db).await?,
        has_logo: current.values.logo.is_some(),
        logo_pinned: state.live.file().is_pinned("logo"),
    };
    let status = if refused.is_some() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    render_status(&page, &page.layout, status)
}

pub async fn index(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    page(&state, &auth, None).await
}

/// The form's value for `key` as the setting's JSON.
fn parse(key: &str, kind: Kind, form: &FormData) -> Result<Option<Value>, FieldError> {
    let raw = form.get(key);
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| FieldError::new(key, "must be a whole number"))
    };
    Ok(Some(match kind {
        Kind::Text | Kind::Tls => Value::from(raw.trim()),
        Kind::Body => Value::from(raw.replace("\r\n", "\n")),
        Kind::Optional => match raw.trim() {
            "" => Value::Null,
            v => Value::from(v),
        },
        Kind::Lines => Value::from(
            raw.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Kind::Number => number(raw)?,
        Kind::Check => Value::from(raw == "on"),
        Kind::Secret => {
            if raw.is_empty() {
                return Ok(None);
            }
            Value::from(raw)
        }
        Kind::Days => Value::from(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(number)
                .collect::<Result<Vec<_>, _>>()?,
        ),
    }))
}

/// Saves one section of the form.
pub async fn save(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    section: web::Path<String>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let section = section.into_inner();
    let Some((id, _, fields)) = SECTIONS.iter().find(|(id, _, _)| *id == section) else {
        return Err(UiError::NotFound(format!(
            "there is no settings section `{section}`"
        )));
    };
    let mut changes = Vec::new();
    for (key, _, kind) in fields.iter() {
        if state.live.file().is_pinned(key) {
            continue;
        }
        match parse(key, *kind, &form) {
            Ok(Some(v)) => changes.push(((*key).to_owned(), Some(v))),
            Ok(None) => {}
            Err(e) => return page(&state, &auth, Some((id, &form, &e))).await,
        }
    }
    match crate::service::settings::update(
        &state.db,
        &state.live,
        &state.clock,
        auth.origin(),
        changes,
    )
    .await
    {
        Ok(_) => Ok(redirect(
            &format!("/admin/settings#{id}"),
            Some("Settings saved: they apply from now on."),
        )),
        Err(ServiceError::Invalid(e)) => page(&state, &auth, Some((id, &form, &e))).await,
        Err(e) => Err(e.into()),
    }
}

/// Queues a test message to the address given.
pub async fn test_message(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let m =
        crate::service::email::send_test(&state.db, &state.clock, auth.origin(), form.get("to"))
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(e) => UiError::BadRequest(e.to_string()),
                e => e.into(),
            })?;
    Ok(redirect(
        "/admin/settings#email",
        Some(&format!(
            "Test message queued to {}; its state is listed under the e-mail settings.",
            m.to
        )),
    ))
}

/// The logo printed at the head of documents: a PNG or JPEG upload, or "remove".
pub async fn logo(
    state: web::Data<AppState>,
    auth: Authed,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, UiError> {
    use futures_util::StreamExt;
    auth.require(Role::Admin)?;
    let (mut csrf, mut remove, mut data) = (String::new(), false, Vec::new());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| UiError::BadRequest(format!("the upload failed: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| UiError::BadRequest(format!("the upload failed: {e}")))?;
            if value.len() + chunk.len() > 300 * 1024 {
                return Err(UiError::BadRequest(
                    "the logo must be a PNG or JPEG image of at most 300 KB".to_owned(),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&value).into_owned(),
            "remove" => remove = true,
            "file" => data = value,
            _ => {}
        }
    }
    if !crate::auth::csrf::tokens_match(&auth.session.csrf_token, &csrf) {
        return Err(UiError::Csrf);
    }
    let value = if remove {
        None
    } else {
        let mime = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err(UiError::BadRequest(
                "the logo must be a PNG or JPEG image".to_owned(),
            ));
        };
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
        Some(Value::from(format!("data:{mime};base64,{encoded}")))
    };
    crate::service::settings::update(
        &state.db,
        &state.live,
        &state.clock,
        auth.origin(),
        vec![("logo".to_owned(), value)],
    )
    .await
    .map_err(|e| match e {
        ServiceError::Invalid(e) => UiError::BadRequest(e.to_string()),
        e => e.into(),
    })?;
    Ok(redirect(
        "/admin/settings#operator",
        Some(if remove {
            "Logo removed."
        } else {
            "Logo saved: it is printed on the next documents."
        }),
    ))
}
