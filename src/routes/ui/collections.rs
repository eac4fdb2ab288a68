//! Collections: the accounts-receivable aging report, who dunning reminds or suspends tomorrow,
//! what it did, and exemptions; on the customer's and the invoice's pages, the e-mails sent and
//! a way to send one again.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
use super::layout::{LayoutCtx, redirect, render};
use crate::domain::date::parse_date;
use crate::domain::dunning::{AGING_BUCKETS, DunningSettings, days_past};
use crate::domain::email_message::EmailMessage;
use crate::domain::ids::{CustomerId, EmailId};
use crate::domain::money::Currency;
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::collections::{self as service, ActionRow, AgingRow, Exemption};
use crate::service::dunning::Plan;

#[derive(Template)]
#[template(path = "pages/collections/index.html")]
pub struct CollectionsPage {
    layout: LayoutCtx,
    buckets: &'static [&'static str],
    aging: service::Aging,
    tomorrow: chrono::NaiveDate,
    plan: Plan,
    rules: DunningSettings,
    history: Vec<ActionRow>,
    exemptions: Vec<Exemption>,
}

impl CollectionsPage {
    pub fn money(&self, currency: &Currency, minor: &i64) -> String {
        format::money_minor(*currency, *minor)
    }

    pub fn bucket(&self, row: &AgingRow, i: &usize) -> String {
        let v = row.buckets.get(*i).copied().unwrap_or(0);
        if v == 0 {
            String::new()
        } else {
            format::money_minor(row.currency, v)
        }
    }

    pub fn days(&self, due: &chrono::NaiveDate) -> u32 {
        days_past(*due, self.tomorrow).unwrap_or(0)
    }
}

pub async fn index(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    let today = state.clock.today();
    let rules = state.live.get().dunning;
    let plan = crate::service::dunning::preview(&state.db, &state.clock, rules.clone()).await?;
    let page = CollectionsPage {
        layout: auth.layout("collections", "Collections"),
        buckets: &AGING_BUCKETS,
        aging: service::aging(&state.db, today).await?,
        tomorrow: today.succ_opt().unwrap_or(today),
        plan,
        rules,
        history: service::history(&state.db, None, 50).await?,
        exemptions: service::exemptions(&state.db, today).await?,
    };
    render(&page, &page.layout)
}

/// What the customer's page shows of collections.
pub struct CustomerCollections {
    pub emails: Vec<EmailMessage>,
    pub exemption: Option<Exemption>,
    pub history: Vec<ActionRow>,
    pub today: chrono::NaiveDate,
}

pub async fn for_customer(
    state: &AppState,
    id: &CustomerId,
) -> Result<CustomerCollections, UiError> {
    let today = state.clock.today();
    Ok(CustomerCollections {
        emails: crate::service::email::for_customer(&state.db, id, 20).await?,
        exemption: service::exemption(&state.db, id)
            .await?
            .filter(|e| e.until >= today),
        history: service::history(&state.db, Some(id.clone()), 10).await?,
        today,
    })
}

/// Exempt a customer from dunning (or end the exemption).
pub async fn exempt(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let page = format!("/admin/customers/{id}");
    if form.get("end") == "yes" {
        service::end_exemption(&state.db, &state.clock, auth.origin(), &id).await?;
        return Ok(redirect(
            &page,
            Some("Dunning applies to this customer again."),
        ));
    }
    let until = parse_date("until", form.get("until").trim())
        .map_err(|e| UiError::BadRequest(e.to_string()))?;
    service::exempt(
        &state.db,
        &state.clock,
        auth.origin(),
        &id,
        form.get("reason").to_owned(),
        until,
    )
    .await?;
    Ok(redirect(
        &page,
        Some(&format!(
            "No reminders or suspension for this customer until {until}."
        )),
    ))
}

/// Sends a message again (a new message with a new Message-ID).
pub async fn resend(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<EmailId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let m = crate::service::email::resend(&state.db, &state.clock, auth.origin(), &id).await?;
    let back = match form.get("back") {
        b if b.starts_with("/admin/") && !b.starts_with("//") => b.to_owned(),
        _ => m
            .customer_id
            .map(|c| format!("/admin/customers/{c}"))
            .unwrap_or_else(|| "/admin/collections".to_owned()),
    };
    Ok(redirect(
        &back,
        Some(&format!(
            "The message is queued to be sent again to {}.",
            m.to
        )),
    ))
}
