//! Giving a subscription a discount (with the lines it will put on the next invoice shown before
//! it is confirmed) and removing one.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render, render_status};
use crate::domain::FieldError;
use crate::domain::bill_run::PreviewLine;
use crate::domain::charge::{Discount, DiscountInput};
use crate::domain::ids::{DiscountId, SubscriptionId};
use crate::domain::period::Period;
use crate::domain::subscription::Subscription;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::{charges, subscriptions};

#[derive(Template)]
#[template(path = "pages/charging/discount.html")]
pub struct FormPage {
    layout: LayoutCtx,
    s: Subscription,
    form: FormState,
}

fn form_page(
    auth: &Authed,
    s: Subscription,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = FormPage {
        layout: auth.layout("customers", format!("Discount on {}", s.product_name)),
        s,
        form,
    };
    render_status(&page, &page.layout, status)
}

pub async fn form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let s = subscriptions::get(&state.db, &id).await?;
    let form = FormState::from_values([("kind".to_owned(), "percent".to_owned())]);
    form_page(&auth, s, form, StatusCode::OK)
}

/// The discount the form describes.
fn input(form: &FormData) -> Result<DiscountInput, FieldError> {
    let value = form.get("value").trim();
    let months = match form.opt("months") {
        None => None,
        Some(m) => Some(m.trim().parse::<i64>().map_err(|_| {
            FieldError::new(
                "months",
                "must be a whole number of months, or empty for ever",
            )
        })?),
    };
    let number = |field: &str| {
        RawValue::from_string(value.to_owned())
            .ok()
            .filter(|r| {
                r.get()
                    .starts_with(|c: char| c.is_ascii_digit() || c == '-')
            })
            .ok_or_else(|| FieldError::new(field, "must be a number such as 10 or 5.00"))
    };
    let description = form.get("description");
    let refiled = |e: FieldError| {
        if e.field == "percentOff" || e.field == "amountOff" {
            FieldError::new("value", e.message)
        } else {
            e
        }
    };
    match form.get("kind") {
        "amount" => DiscountInput::parse(None, Some(number("value")?), months, description),
        _ => {
            number("value")?;
            DiscountInput::parse(Some(value), None, months, description)
        }
    }
    .map_err(refiled)
}

fn refused(
    auth: &Authed,
    s: Subscription,
    form: &FormData,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    match e {
        ServiceError::Invalid(mut f) | ServiceError::Unprocessable(mut f) => {
            if f.field == "percentOff" || f.field == "amountOff" {
                f.field = "value".to_owned();
            }
            form_page(auth, s, form.to_state().refuse(f), StatusCode::BAD_REQUEST)
        }
        ServiceError::Conflict(m) => form_page(
            auth,
            s,
            form.to_state().with_message(m),
            StatusCode::CONFLICT,
        ),
        e => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/charging/discount_preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    s: Subscription,
    form: FormState,
    period: Period,
    lines: Vec<PreviewLine>,
}

impl PreviewPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.s.currency, *v)
    }

    /// What the discount lines take off, written as money.
    pub fn off(&self) -> String {
        let off: Decimal = self
            .lines
            .iter()
            .filter(|l| l.line_type == crate::domain::enums::LineType::Discount)
            .map(|l| l.amount)
            .sum();
        self.money(&off)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let s = subscriptions::get(&state.db, &id).await?;
    let query = FormData::parse(req.query_string().as_bytes());
    let result = match input(&query) {
        Ok(i) => charges::preview_discount(&state.db, &state.clock, &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((period, lines)) => {
            let page = PreviewPage {
                layout: auth.layout("customers", format!("Discount on {}", s.product_name)),
                s,
                form: query.to_state(),
                period,
                lines,
            };
            render(&page, &page.layout)
        }
        Err(e) => refused(&auth, s, &query, e),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let result = match input(&form) {
        Ok(i) => charges::create_discount(&state.db, &state.clock, auth.origin(), &id, i).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(d) => Ok(redirect(
            &format!("/admin/subscriptions/{id}"),
            Some(&format!(
                "Discount {} ({}) given.",
                d.description,
                d.off_text()
            )),
        )),
        Err(e) => {
            let s = subscriptions::get(&state.db, &id).await?;
            refused(&auth, s, &form, e)
        }
    }
}

#[derive(Template)]
#[template(path = "pages/charging/discount_remove.html")]
pub struct RemovePage {
    layout: LayoutCtx,
    s: Subscription,
    d: Discount,
}

async fn find(
    state: &AppState,
    id: &SubscriptionId,
    did: &DiscountId,
) -> Result<Discount, ServiceError> {
    charges::list_discounts(&state.db, id)
        .await?
        .into_iter()
        .find(|d| d.discount_id == *did)
        .ok_or_else(|| ServiceError::not_found("discount", did))
}

pub async fn confirm_remove(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath((id, did)): UiPath<(SubscriptionId, DiscountId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let s = subscriptions::get(&state.db, &id).await?;
    let d = find(&state, &id, &did).await?;
    let page = RemovePage {
        layout: auth.layout("customers", format!("Remove discount {}", d.description)),
        s,
        d,
    };
    render(&page, &page.layout)
}

pub async fn remove(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    UiPath((id, did)): UiPath<(SubscriptionId, DiscountId)>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let d = charges::remove_discount(&state.db, &state.clock, auth.origin(), &id, &did).await?;
    Ok(redirect(
        &format!("/admin/subscriptions/{id}"),
        Some(&format!("Discount {} removed.", d.description)),
    ))
}
