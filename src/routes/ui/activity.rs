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
use crate::domain::clock::start_of_day;
use crate::domain::date::{format_timestamp, parse_date, parse_timestamp};
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

/// A recorded value as the page shows it: a timestamp on the operator's clock, anything else
/// as the API recorded it (amounts are the API's numbers: a change does not always carry the
/// currency that would make it money).
fn shown(field: &str, v: &serde_json::Value, tz: chrono_tz::Tz) -> String {
    /// Fields holding enum values, shown in words like everywhere else.
    const ENUMS: [&str; 8] = [
        "status",
        "method",
        "customerType",
        "productType",
        "trigger",
        "kind",
        "suspendedBy",
        "role",
    ];
    match v {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) if ENUMS.contains(&field) => super::format::word(s),
        serde_json::Value::String(s) if s.len() > 10 && s.as_bytes().get(10) == Some(&b'T') => {
            super::format::time(s, tz)
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields an entry changed, in name order, named in words.
pub fn field_changes(e: &AuditEntry, tz: chrono_tz::Tz) -> Vec<FieldChange> {
    let parsed: serde_json::Value = serde_json::from_str(e.changes.get()).unwrap_or_default();
    parsed
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| FieldChange {
                    field: super::format::word(k),
                    before: shown(k, &v["before"], tz),
                    after: shown(k, &v["after"], tz),
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
    /// This page continues an earlier one.
    before: Option<i64>,
    /// API clients' names by id, for the "Who" column.
    client_names: std::collections::HashMap<String, String>,
}

impl ActivityPage {
    pub fn changes(&self, e: &AuditEntry) -> Vec<FieldChange> {
        field_changes(e, self.layout.tz)
    }

    pub fn link(&self, e: &AuditEntry) -> Option<String> {
        object_link(e)
    }

    pub fn actor_name(&self, e: &AuditEntry) -> String {
        actor_name(e, &self.client_names)
    }
}

/// Who made a change as the page names them: an API client by its name (its id is kept in the
/// title), anyone else by the id the trail records.
pub fn actor_name(e: &AuditEntry, clients: &std::collections::HashMap<String, String>) -> String {
    match e.actor.kind {
        crate::domain::origin::ActorKind::ApiClient => clients
            .get(&e.actor.id)
            .cloned()
            .unwrap_or_else(|| e.actor.id.clone()),
        _ => e.actor.id.clone(),
    }
}

/// The names of the API clients, by id (there are a handful).
pub async fn client_names(
    state: &AppState,
) -> Result<std::collections::HashMap<String, String>, UiError> {
    Ok(crate::service::clients::list(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.client_id, c.name))
        .collect())
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

/// The filter asked for. A plain day is a day of the operator's time zone (the one the times
/// on the page are in); `to` takes in the whole of its day.
fn filter_of(q: &ActivityQuery, tz: chrono_tz::Tz) -> Result<AuditFilter, FieldError> {
    let when = |field: &str, v: &str, day_after: bool| -> Result<Option<String>, FieldError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        if v.len() == 10 {
            let day = parse_date(field, v)?;
            let day = if day_after {
                day.succ_opt().unwrap_or(day)
            } else {
                day
            };
            return Ok(Some(format_timestamp(start_of_day(tz, day))));
        }
        parse_timestamp(field, v).map(|t| Some(format_timestamp(t)))
    };
    let to = when("to", &q.to, true)?;
    Ok(AuditFilter {
        actor: bound("actor", &q.actor)?,
        object_id: bound("object", &q.object)?,
        from: when("from", &q.from, false)?,
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
    let (entries, more) = match filter_of(&q, auth.tz) {
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
        before: q.before,
        client_names: client_names(&state).await?,
    };
    render(&page, &page.layout)
}
