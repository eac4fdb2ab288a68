//! What every page shares: the layout context, rendering with the right headers, redirects with
//! a flash message, and field-by-field form state.

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use rust_decimal::Decimal;

use super::error::UiError;
use super::format;
use crate::domain::FieldError;
use crate::domain::money::Currency;
use crate::domain::user::Role;

/// Cookie carrying the message shown once on the next page ("Customer created").
pub const FLASH_COOKIE: &str = "edgebss_flash";

/// Marks a flash message as a refusal ("cannot do that, because ..."): a cookie value that
/// starts with it. URL-encoding writes `!` as `%21`, so no plain message can start with it.
const REFUSED_MARK: char = '!';

/// The part of every page the layout needs.
#[derive(Debug, Clone, Default)]
pub struct LayoutCtx {
    /// `(user name, role)` when signed in.
    pub user: Option<(String, Role)>,
    pub csrf: String,
    pub flash: Option<String>,
    /// The flash message says why something was refused (shown as an error, not a success).
    pub flash_refused: bool,
    /// Navigation entry to highlight.
    pub nav: &'static str,
    pub title: String,
    /// The operator's time zone: times on the pages are its wall clock.
    pub tz: chrono_tz::Tz,
}

impl LayoutCtx {
    /// Versioned URL of an asset.
    pub fn asset(&self, name: &str) -> String {
        crate::routes::assets::url(name)
    }

    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|(_, r)| *r)
    }

    /// May change customers, subscriptions, invoices, payments and bill runs.
    pub fn can_operate(&self) -> bool {
        self.role().is_some_and(|r| r.allows(Role::Operator))
    }

    pub fn is_admin(&self) -> bool {
        self.role().is_some_and(|r| r.allows(Role::Admin))
    }

    /// `aria-current` value for a navigation entry.
    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }

    /// `USD 1,234.50` (see [`format`]: one way for every page).
    pub fn money(&self, currency: &Currency, value: &Decimal) -> String {
        format::money(*currency, *value)
    }

    pub fn date(&self, d: impl format::Day) -> String {
        format::date(d.day())
    }

    /// A stored timestamp in the operator's time zone: `2026-11-26 14:05`.
    pub fn time(&self, ts: &str) -> String {
        format::time(ts, self.tz)
    }

    /// Who did something, from the actor id a record keeps: a user's name, an API client's
    /// id, or the system in words (`the background jobs`).
    pub fn who_id(&self, id: &str) -> String {
        format::system_actor(id).map_or_else(|| id.to_owned(), str::to_owned)
    }

    /// An enum value in words: `Bank transfer`, `Add-on`.
    pub fn word(&self, value: impl std::fmt::Display) -> String {
        format::word(value)
    }

    pub fn count(&self, n: impl format::Number) -> String {
        format::count(n.number())
    }

    /// `1 invoice`, `3 invoices`.
    pub fn plural(&self, n: impl format::Number, noun: &str, nouns: &str) -> String {
        format::plural(n.number(), noun, nouns)
    }

    /// The time zone's name, shown beside times.
    pub fn tz_name(&self) -> &'static str {
        self.tz.name()
    }
}

/// Renders a page as `text/html`, never cached (it shows signed-in data), clearing the flash
/// message it has just shown.
pub fn render(page: &impl Template, layout: &LayoutCtx) -> Result<HttpResponse, UiError> {
    render_status(page, layout, actix_web::http::StatusCode::OK)
}

pub fn render_status(
    page: &impl Template,
    layout: &LayoutCtx,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, UiError> {
    let body = page
        .render()
        .map_err(|e| UiError::Unexpected(anyhow::anyhow!("failed to render a page: {e}")))?;
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if layout.flash.is_some() {
        let mut gone = flash_cookie(String::new());
        gone.make_removal();
        res.cookie(gone);
    }
    Ok(res.body(body))
}

fn flash_cookie(value: String) -> Cookie<'static> {
    Cookie::build(FLASH_COOKIE, value)
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish()
}

/// `303 See Other` to `location` (after a POST, so reloading does not repeat it), with a
/// message for the next page.
pub fn redirect(location: &str, flash: Option<&str>) -> HttpResponse {
    redirect_with(location, flash, false)
}

/// `303 See Other` back to the page an action came from, saying there why it was refused, so a
/// refusal is never a dead end: the page shows what can be done instead.
pub fn redirect_refused(location: &str, why: &str) -> HttpResponse {
    redirect_with(location, Some(why), true)
}

fn redirect_with(location: &str, flash: Option<&str>, refused: bool) -> HttpResponse {
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, location.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(msg) = flash {
        let mut encoded: String = form_urlencoded::byte_serialize(msg.as_bytes()).collect();
        if refused {
            encoded.insert(0, REFUSED_MARK);
        }
        res.cookie(flash_cookie(encoded));
    }
    res.finish()
}

/// The flash message a request carries, if any, and whether it is a refusal.
pub fn read_flash(req: &HttpRequest) -> Option<(String, bool)> {
    let raw = req.cookie(FLASH_COOKIE)?;
    let value = raw.value();
    let (value, refused) = match value.strip_prefix(REFUSED_MARK) {
        Some(rest) => (rest, true),
        None => (value, false),
    };
    let text: String = form_urlencoded::parse(format!("m={value}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .next()?;
    let text = text.trim();
    (!text.is_empty()).then(|| (text.chars().take(300).collect(), refused))
}

/// A form as submitted: its values, and a message per field that was refused.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    /// A problem not tied to one field.
    pub message: Option<String>,
}

impl FormState {
    pub fn from_values(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: values.into_iter().collect(),
            ..Default::default()
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn has_error(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    /// Files a refused field under its form field (the names are the API's, so they match).
    pub fn refuse(mut self, e: FieldError) -> Self {
        self.errors.insert(e.field, e.message);
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}
