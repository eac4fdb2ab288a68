//! Settings (admins): the operator's details, billing terms, e-mail, dunning and the message
//! templates, stored in the database and in force at once. A setting the configuration file
//! pins is shown read-only with the reason; each says whether its value comes from the file or
//! was saved here.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm};
use super::layout::{LayoutCtx, redirect, redirect_refused, render_status};
use super::settings_fields::{Field, Kind, SECTIONS, Section, label_of, parse, sections};
use crate::domain::FieldError;
use crate::domain::email_message::EmailMessage;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;

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
    /// The words on a section's Save button.
    pub fn save_label(&self, section: &str) -> &'static str {
        match section {
            "operator" => "Save the operator's details",
            "billing" => "Save the billing terms",
            "email" => "Save the e-mail settings",
            "dunning" => "Save the dunning rules",
            _ => "Save the templates",
        }
    }

    /// An SMTP security choice in words.
    pub fn tls_word(&self, value: &str) -> &'static str {
        match value {
            "off" => "None (plain, for a local relay only)",
            "starttls" => "STARTTLS (usually port 587)",
            _ => "TLS (usually port 465)",
        }
    }

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
        sections: sections(&state.live, &current, refused, auth.tz),
        message: refused
            .map(|(_, _, e)| format!("Not saved: {} {}", label_of(&e.field), e.message)),
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

/// Back to the Settings page at `anchor`, saying there why nothing was done.
fn refused_here(anchor: &str, why: &str) -> HttpResponse {
    redirect_refused(&format!("/admin/settings{anchor}"), why)
}

/// Queues a test message to the address given.
pub async fn test_message(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let sent =
        crate::service::email::send_test(&state.db, &state.clock, auth.origin(), form.get("to"))
            .await;
    let m = match sent {
        Ok(m) => m,
        Err(ServiceError::Invalid(e)) => {
            return Ok(refused_here(
                "#email",
                &format!("No test message: {}", e.message),
            ));
        }
        Err(ServiceError::Conflict(why)) => {
            return Ok(refused_here("#email", &format!("No test message: {why}")));
        }
        Err(e) => return Err(e.into()),
    };
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
        let Ok(mut field) = field else {
            return Ok(refused_here(
                "#operator",
                "The upload failed: choose the file again.",
            ));
        };
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                return Ok(refused_here(
                    "#operator",
                    "The upload failed: choose the file again.",
                ));
            };
            if value.len() + chunk.len() > 300 * 1024 {
                return Ok(refused_here(
                    "#operator",
                    "Not saved: the logo must be a PNG or JPEG image of at most 300 KB.",
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
            return Ok(refused_here(
                "#operator",
                "Not saved: the logo must be a PNG or JPEG image.",
            ));
        };
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
        Some(Value::from(format!("data:{mime};base64,{encoded}")))
    };
    let saved = crate::service::settings::update(
        &state.db,
        &state.live,
        &state.clock,
        auth.origin(),
        vec![("logo".to_owned(), value)],
    )
    .await;
    match saved {
        Ok(_) => {}
        Err(ServiceError::Invalid(e)) => {
            return Ok(refused_here(
                "#operator",
                &format!("Not saved: {}", e.message),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(redirect(
        "/admin/settings#operator",
        Some(if remove {
            "Logo removed."
        } else {
            "Logo saved: it is printed on the next documents."
        }),
    ))
}
