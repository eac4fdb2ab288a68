//! Changing a subscription's plan from the admin UI: choose the product, then its add-ons
//! (only those allowed on it) and when; the preview shows the lines the next invoice will carry
//! and the new monthly total; confirming stores the change (POST, then a redirect).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use super::plan_choices::{Choices, choices};
use super::subscriptions::Choice;
use crate::domain::FieldError;
use crate::domain::ids::SubscriptionId;
use crate::domain::plan::{PlanOrder, PlanWhen};
use crate::domain::subscription::Subscription;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::plan_changes::{self, PlanChange};
use crate::service::subscriptions;

#[derive(Template)]
#[template(path = "pages/charging/change_plan.html")]
pub struct FormPage {
    layout: LayoutCtx,
    s: Subscription,
    form: FormState,
    products: Vec<Choice>,
    addons: Vec<Choice>,
    chosen: Option<Choice>,
    chosen_addons: Vec<String>,
}

impl FormPage {
    pub fn addon_checked(&self, id: &str) -> bool {
        self.chosen_addons.iter().any(|a| a == id)
    }
}

/// What the form (or the query of a preview) says.
struct Asked {
    product_id: Option<String>,
    addons: Vec<String>,
    when: String,
}

fn asked(form: &FormData, s: &Subscription) -> Asked {
    // The add-on boxes were shown (and maybe all left empty) once a product was chosen.
    let addons = if form.opt("addonsShown").is_some() {
        form.all("addons").into_iter().map(str::to_owned).collect()
    } else {
        s.addons.iter().map(|a| a.addon_id.to_string()).collect()
    };
    Asked {
        product_id: form.opt("productId").map(str::to_owned),
        addons,
        when: form.opt("when").unwrap_or("now").to_owned(),
    }
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    s: Subscription,
    a: &Asked,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let Choices {
        products,
        addons,
        chosen,
        ..
    } = choices(state, a.product_id.as_deref(), Some(s.currency)).await?;
    let page = FormPage {
        layout: auth.layout(
            "customers",
            format!("Change the plan of {}", s.product_name),
        ),
        s,
        form,
        products,
        chosen: chosen.as_ref().map(Choice::of),
        chosen_addons: a
            .addons
            .iter()
            .filter(|id| addons.iter().any(|c| c.id == **id))
            .cloned()
            .collect(),
        addons,
    };
    render_status(&page, &page.layout, status)
}

pub async fn form(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let s = subscriptions::get(&state.db, &id).await?;
    let query = FormData::parse(req.query_string().as_bytes());
    let a = asked(&query, &s);
    let form = FormState::from_values([("when".to_owned(), a.when.clone())]);
    form_page(&state, &auth, s, &a, form, StatusCode::OK).await
}

fn order(a: &Asked) -> Result<(PlanOrder, PlanWhen), FieldError> {
    let product_id = a
        .product_id
        .clone()
        .ok_or_else(|| FieldError::new("productId", "choose a plan"))?;
    let when = PlanWhen::parse(&a.when)
        .ok_or_else(|| FieldError::new("when", "choose today or the end of this month"))?;
    Ok((
        PlanOrder {
            product_id,
            addons: Some(a.addons.clone()),
        },
        when,
    ))
}

#[derive(Template)]
#[template(path = "pages/charging/change_plan_preview.html")]
pub struct PreviewPage {
    layout: LayoutCtx,
    s: Subscription,
    change: PlanChange,
    addon_names: Vec<String>,
}

impl PreviewPage {
    pub fn money(&self, v: &Decimal) -> String {
        format::money(self.change.currency, *v)
    }

    pub fn when_text(&self) -> &'static str {
        match self.change.when {
            PlanWhen::Now => "today",
            PlanWhen::EndOfPeriod => "at the end of this month",
        }
    }
}

/// Refused changes go back to the form, with the reason beside the field (or above it).
async fn refused(
    state: &AppState,
    auth: &Authed,
    s: Subscription,
    a: &Asked,
    form: &FormData,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    let (state_form, status) = match e {
        ServiceError::Invalid(mut f) | ServiceError::Unprocessable(mut f) => {
            if f.field.starts_with("addons") {
                f.field = "addons".to_owned();
            }
            (form.to_state().refuse(f), StatusCode::BAD_REQUEST)
        }
        ServiceError::Conflict(m) => (form.to_state().with_message(m), StatusCode::CONFLICT),
        e => return Err(e.into()),
    };
    form_page(state, auth, s, a, state_form, status).await
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
    let a = asked(&query, &s);
    let result = match order(&a) {
        Ok((order, when)) => {
            plan_changes::change(
                &state.db,
                &state.clock,
                auth.origin(),
                &id,
                order,
                when,
                true,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    let change = match result {
        Ok(c) => c,
        Err(e) => return refused(&state, &auth, s, &a, &query, e).await,
    };
    let catalog = choices(&state, Some(&change.product_id), None).await?;
    let addon_names = change
        .addons
        .iter()
        .map(|id| {
            catalog
                .catalog
                .iter()
                .find(|p| p.product_id.as_str() == id)
                .map_or_else(|| id.clone(), |p| p.product_name.clone())
        })
        .collect();
    let page = PreviewPage {
        layout: auth.layout(
            "customers",
            format!("Change the plan of {}", s.product_name),
        ),
        s,
        change,
        addon_names,
    };
    render_status(&page, &page.layout, StatusCode::OK)
}

pub async fn confirm(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<SubscriptionId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let s = subscriptions::get(&state.db, &id).await?;
    let a = asked(&form, &s);
    let result = match order(&a) {
        Ok((order, when)) => {
            plan_changes::change(
                &state.db,
                &state.clock,
                auth.origin(),
                &id,
                order,
                when,
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(c) => {
            let msg = match c.when {
                PlanWhen::Now => format!("Plan changed to {} from today.", c.product_name),
                PlanWhen::EndOfPeriod => format!(
                    "Plan change to {} scheduled for {}.",
                    c.product_name, c.effective_date
                ),
            };
            Ok(redirect(&format!("/admin/subscriptions/{id}"), Some(&msg)))
        }
        Err(e) => refused(&state, &auth, s, &a, &form, e).await,
    }
}
