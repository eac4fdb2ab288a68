//! Collections: the accounts-receivable aging report, who dunning reminds or suspends tomorrow,
//! what it did, and exemptions; on the customer's and the invoice's pages, the e-mails sent and
//! a way to send one again.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
use super::layout::{LayoutCtx, redirect, redirect_refused, render};
use crate::domain::FieldError;
use crate::domain::date::parse_date;
use crate::domain::dunning::{AGING_BUCKETS, DunningSettings, days_past};
use crate::domain::email_message::EmailMessage;
use crate::domain::ids::{CustomerId, EmailId};
use crate::domain::money::Currency;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::collections::{self as service, ActionRow, AgingRow, Exemption};
use crate::service::collections_overview::{Overview, overview};
use crate::service::dunning::Plan;

#[derive(Template)]
#[template(path = "pages/collections/index.html")]
pub struct CollectionsPage {
    layout: LayoutCtx,
    buckets: &'static [&'static str],
    tomorrow: chrono::NaiveDate,
    rules: DunningSettings,
    history: Vec<ActionRow>,
    /// The aging report, tomorrow's plan and the exemptions, kept until something changes.
    figures: Arc<Overview>,
}

/// Rows listed per table on the Collections page: a page of rows, not every customer of a
/// large installation; the counts say how many, the CSV export has the whole aging report.
const SHOWN: usize = 100;

impl CollectionsPage {
    pub fn name(&self, id: &CustomerId) -> String {
        self.figures
            .names
            .get(id.as_str())
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// The aging rows listed: the oldest debts.
    pub fn shown_rows(&self) -> &[AgingRow] {
        &self.figures.aging.rows
    }

    pub fn totals(&self) -> &[AgingRow] {
        &self.figures.aging.totals
    }

    pub fn plan(&self) -> &Plan {
        &self.figures.plan
    }

    pub fn exemptions(&self) -> &[Exemption] {
        &self.figures.exemptions
    }

    pub fn more_rows(&self) -> usize {
        self.figures
            .aging_rows
            .saturating_sub(self.figures.aging.rows.len())
    }

    pub fn more_planned(&self) -> usize {
        let p = &self.figures.plan;
        self.figures
            .planned
            .saturating_sub(p.suspend.len() + p.reminders.len() + p.reactivate.len())
    }

    pub fn customers_owing(&self) -> String {
        format::plural(
            self.figures.customers_owing as u64,
            "customer owes",
            "customers owe",
        )
    }

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
    let figures = overview(
        &state.db,
        &state.clock,
        rules.clone(),
        SHOWN,
        &state.collections,
    )
    .await?;
    let page = CollectionsPage {
        layout: auth.layout("collections", "Collections"),
        buckets: &AGING_BUCKETS,
        tomorrow: today.succ_opt().unwrap_or(today),
        rules,
        history: service::history(&state.db, None, 50).await?,
        figures,
    };
    render(&page, &page.layout)
}

/// What the customer's page shows of collections.
pub struct CustomerCollections {
    pub emails: Vec<EmailMessage>,
    pub exemption: Option<Exemption>,
    pub history: Vec<ActionRow>,
    pub today: chrono::NaiveDate,
    /// E-mail is set up, so a message can be sent again.
    pub email_ready: bool,
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
        email_ready: state.live.current().values.email.enabled(),
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
    let until = match parse_date("until", form.get("until").trim()) {
        Ok(d) => d,
        Err(e) => return Ok(not_exempted(&page, &e)),
    };
    let done = service::exempt(
        &state.db,
        &state.clock,
        auth.origin(),
        &id,
        form.get("reason").to_owned(),
        until,
    )
    .await;
    match done {
        Ok(_) => {}
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => {
            return Ok(not_exempted(&page, &e));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(redirect(
        &page,
        Some(&format!(
            "No reminders or suspension for this customer until {}.",
            format::date(until)
        )),
    ))
}

/// A refused exemption, said on the customer's page by the field's label.
fn not_exempted(page: &str, e: &FieldError) -> HttpResponse {
    let label = match e.field.as_str() {
        "until" => "Until",
        "reason" => "Why",
        other => other,
    };
    redirect_refused(
        &format!("{page}#collections"),
        &format!(
            "Not exempted from dunning: {label} {}.",
            e.message.trim_end_matches('.')
        ),
    )
}

/// Sends a message again (a new message with a new Message-ID).
pub async fn resend(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<EmailId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let asked = match form.get("back") {
        b if b.starts_with("/admin/") && !b.starts_with("//") => Some(b.to_owned()),
        _ => None,
    };
    let m = match crate::service::email::resend(&state.db, &state.clock, auth.origin(), &id).await {
        Ok(m) => m,
        // E-mail switched off since the page was shown: say so where the button was.
        Err(ServiceError::Conflict(why)) => {
            let back = asked.unwrap_or_else(|| "/admin/collections".to_owned());
            return Ok(redirect_refused(&back, &format!("Not sent again: {why}.")));
        }
        Err(e) => return Err(e.into()),
    };
    let back = asked.unwrap_or_else(|| {
        m.customer_id
            .map(|c| format!("/admin/customers/{c}"))
            .unwrap_or_else(|| "/admin/collections".to_owned())
    });
    Ok(redirect(
        &back,
        Some(&format!(
            "The message is queued to be sent again to {}.",
            m.to
        )),
    ))
}
