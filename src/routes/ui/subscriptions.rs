//! Subscriptions: adding one to a customer: the product, then the add-ons that go with it, then
//! a review with the monthly total before it is confirmed. Suspending, resuming and cancelling
//! are in `subscription_actions`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use crate::domain::FieldError;
use crate::domain::customer::Customer;
use crate::domain::date::parse_date;
use crate::domain::ids::CustomerId;
use crate::domain::product::Product;
use crate::domain::subscription::SubscriptionOrder;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::customers;
use crate::service::subscriptions as service;

/// A product as the picker shows it.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub price: String,
    pub description: String,
}

impl Choice {
    pub fn of(p: &Product) -> Self {
        Self {
            id: p.product_id.to_string(),
            label: format!("{} ({})", p.product_name, format::word(p.product_type)),
            price: format!("{} / month", format::money(p.currency, p.monthly_price)),
            description: p.description.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/subscriptions/new.html")]
pub struct NewPage {
    layout: LayoutCtx,
    c: Customer,
    form: FormState,
    products: Vec<Choice>,
    addons: Vec<Choice>,
    chosen_addons: Vec<String>,
    /// The product chosen in the first step; its add-ons are offered in the second.
    chosen: Option<Choice>,
}

impl NewPage {
    pub fn addon_checked(&self, id: &str) -> bool {
        self.chosen_addons.iter().any(|a| a == id)
    }
}

async fn new_page(
    state: &AppState,
    auth: &Authed,
    c: Customer,
    form: FormState,
    chosen_addons: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let picked = form.values.get("productId").cloned();
    let choices = super::plan_choices::choices(state, picked.as_deref(), None).await?;
    let page = NewPage {
        layout: auth.layout(
            "customers",
            format!("New subscription for {}", c.display_name()),
        ),
        c,
        form,
        products: choices.products,
        addons: choices.addons,
        chosen_addons,
        chosen: choices.chosen.as_ref().map(Choice::of),
    };
    render_status(&page, &page.layout, status)
}

pub async fn new_form(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let query = FormData::parse(req.query_string().as_bytes());
    let mut form = query.to_state();
    if form.value("startDate").is_empty() {
        form.values
            .insert("startDate".to_owned(), state.clock.today().to_string());
    }
    let addons = query.all("addons").into_iter().map(str::to_owned).collect();
    new_page(&state, &auth, c, form, addons, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "pages/subscriptions/review.html")]
pub struct ReviewPage {
    layout: LayoutCtx,
    c: Customer,
    product: Product,
    addons: Vec<Product>,
    start_date: chrono::NaiveDate,
    total: String,
}

impl ReviewPage {
    pub fn price(&self, p: &Product) -> String {
        format!("{} / month", format::money(p.currency, p.monthly_price))
    }
}

/// The review step: the plan, its add-ons and the monthly total, before it is confirmed.
pub async fn review(
    state: web::Data<AppState>,
    auth: Authed,
    req: HttpRequest,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let query = FormData::parse(req.query_string().as_bytes());
    let addons: Vec<String> = query.all("addons").into_iter().map(str::to_owned).collect();
    let choices = super::plan_choices::choices(&state, query.opt("productId"), None).await?;
    let checked = (|| {
        let product = choices
            .chosen
            .clone()
            .ok_or_else(|| FieldError::new("productId", "choose a product"))?;
        let start_date = parse_date("startDate", query.get("startDate"))?;
        let mut chosen = Vec::new();
        for a in &addons {
            let ok = choices.addons.iter().any(|c| c.id == *a);
            let p = choices.catalog.iter().find(|p| p.product_id.as_str() == a);
            match (ok, p) {
                (true, Some(p)) => chosen.push(p.clone()),
                _ => {
                    return Err(FieldError::new(
                        "addons",
                        format!("this add-on cannot be added to {}", product.product_name),
                    ));
                }
            }
        }
        Ok::<_, FieldError>((product, start_date, chosen))
    })();
    match checked {
        Ok((product, start_date, chosen)) => {
            let total = choices.monthly_total(&addons).unwrap_or_default();
            let page = ReviewPage {
                layout: auth.layout(
                    "customers",
                    format!("New subscription for {}", c.display_name()),
                ),
                c,
                product,
                addons: chosen,
                start_date,
                total,
            };
            render_status(&page, &page.layout, StatusCode::OK)
        }
        Err(e) => {
            let form = query.to_state().refuse(e);
            new_page(&state, &auth, c, form, addons, StatusCode::BAD_REQUEST).await
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let addons: Vec<String> = form.all("addons").into_iter().map(str::to_owned).collect();
    let order = (|| {
        let product_id = form
            .opt("productId")
            .ok_or_else(|| FieldError::new("productId", "choose a product"))?;
        Ok::<_, FieldError>(SubscriptionOrder {
            product_id: product_id.to_owned(),
            start_date: parse_date("startDate", form.get("startDate"))?,
            addons: addons.clone(),
        })
    })();
    let result = match order {
        Ok(order) => service::create(&state.db, &state.clock, auth.origin(), &id, order).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(s) => Ok(redirect(
            &format!("/admin/customers/{}", s.customer_id),
            Some(&format!(
                "{} added for {}.",
                s.product_name,
                c.display_name()
            )),
        )),
        Err(ServiceError::Invalid(mut f) | ServiceError::Unprocessable(mut f)) => {
            // `addons[2]` is the add-on picker.
            if f.field.starts_with("addons") {
                f.field = "addons".to_owned();
            }
            let state_form = form.to_state().refuse(f);
            new_page(
                &state,
                &auth,
                c,
                state_form,
                addons,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            let state_form = form.to_state().with_message(m);
            new_page(&state, &auth, c, state_form, addons, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
