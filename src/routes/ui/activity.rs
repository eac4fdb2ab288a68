//! Activity: the audit trail, newest first, filtered by who, what and when; a customer's page
//! shows its own part of it. Entries cannot be edited or deleted, and the page says so.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::Authed;
use super::layout::{FormState, LayoutCtx, render};
use crate::domain::FieldError;
use crate::domain::audit::{AuditEntry, AuditFilter};
use crate::domain::date::{format_timestamp, parse_timestamp};
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::audit as service;

/// Entries per page.
const PAGE_ROWS: usize = 50;

/// One changed field as the page shows it.
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields an entry changed, in name order.
pub fn field_changes(e: &AuditEntry) -> Vec<FieldChange> {
    let parsed: serde_json::Value = serde_json::from_str(e.changes.get()).unwrap_or_default();
    parsed
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| FieldChange {
                    field: k.clone(),
                    before: shown(&v["before"]),
                    after: shown(&v["after"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where an entry's object is in the admin UI, when it has a page.
pub fn object_link(e: &AuditEntry) -> Option<String> {
    let base = match e.object_type.as_str() {
        "customer" => "/admin/customers/",
        "invoice" => "/admin/invoices/",
        "bill_run" => "/admin/bill-runs/",
        "webhook_endpoint" => "/admin/webhooks/",
        _ => return None,
    };
    Some(format!("{base}{}", e.object_id))
}

#[derive(Debug, Default, Deserialize)]
pub struct ActivityQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/activity/list.html")]
pub struct ActivityPage {
    layout: LayoutCtx,
    filters: FormState,
    entries: Vec<AuditEntry>,
    /// The link to the next (older) page, if there is one.
    older: Option<String>,
}

impl ActivityPage {
    pub fn changes(&self, e: &AuditEntry) -> Vec<FieldChange> {
        field_changes(e)
    }

    pub fn link(&self, e: &AuditEntry) -> Option<String> {
        object_link(e)
    }
}

fn bound(field: &str, v: &str) -> Result<Option<String>, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 200 {
        return Err(FieldError::new(field, "must be at most 200 characters"));
    }
    Ok(Some(v.to_owned()))
}

fn filter_of(q: &ActivityQuery) -> Result<AuditFilter, FieldError> {
    let when = |field: &str, v: &str| -> Result<Option<String>, FieldError> {
        match v.trim() {
            "" => Ok(None),
            t => parse_timestamp(field, t).map(|t| Some(format_timestamp(t))),
        }
    };
    // `to` is a day: everything on it counts.
    let to = match when("to", &q.to)? {
        Some(_) if q.to.trim().len() == 10 => parse_timestamp("to", q.to.trim())
            .map(|d| Some(format_timestamp(d + chrono::Duration::days(1))))?,
        other => other,
    };
    Ok(AuditFilter {
        actor: bound("actor", &q.actor)?,
        object_id: bound("object", &q.object)?,
        from: when("from", &q.from)?,
        to,
        ..Default::default()
    })
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ActivityQuery>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let mut filters = FormState::from_values([
        ("actor".to_owned(), q.actor.clone()),
        ("object".to_owned(), q.object.clone()),
        ("from".to_owned(), q.from.clone()),
        ("to".to_owned(), q.to.clone()),
    ]);
    let (entries, more) = match filter_of(&q) {
        Ok(filter) => service::newest(&state.db, filter, q.before, PAGE_ROWS).await?,
        Err(e) => {
            filters = filters.refuse(e);
            (Vec::new(), false)
        }
    };
    let older = more
        .then(|| entries.last().map(|e| e.sequence))
        .flatten()
        .map(|before| {
            let params: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("actor", &q.actor)
                .append_pair("object", &q.object)
                .append_pair("from", &q.from)
                .append_pair("to", &q.to)
                .append_pair("before", &before.to_string())
                .finish();
            format!("/admin/activity?{params}")
        });
    let page = ActivityPage {
        layout: auth.layout("activity", "Activity"),
        filters,
        entries,
        older,
    };
    render(&page, &page.layout)
}
