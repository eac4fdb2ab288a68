//! Subscriptions: adding one to a customer (product and add-on pickers with prices).
//! Suspending, resuming and cancelling are in `subscription_actions`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, PostForm, UiPath};
use super::format;
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use crate::domain::FieldError;
use crate::domain::customer::Customer;
use crate::domain::date::parse_date;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::ids::CustomerId;
use crate::domain::product::Product;
use crate::domain::product::ProductFilter;
use crate::domain::subscription::SubscriptionOrder;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::subscriptions as service;
use crate::service::{customers, products};

/// A product as the picker shows it.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub price: String,
    pub description: String,
}

impl Choice {
    fn of(p: &Product) -> Self {
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
    let active = products::list(
        &state.db,
        ProductFilter {
            product_type: None,
            status: Some(ProductStatus::Active),
        },
    )
    .await?;
    let (addons, mains): (Vec<_>, Vec<_>) = active
        .iter()
        .partition(|p| p.product_type == ProductType::Addon);
    let page = NewPage {
        layout: auth.layout(
            "customers",
            format!("New subscription for {}", c.display_name()),
        ),
        c,
        form,
        products: mains.into_iter().map(Choice::of).collect(),
        addons: addons.into_iter().map(Choice::of).collect(),
        chosen_addons,
    };
    render_status(&page, &page.layout, status)
}

pub async fn new_form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = customers::get(&state.db, &id).await?;
    let form = FormState::from_values([("startDate".to_owned(), state.clock.today().to_string())]);
    new_page(&state, &auth, c, form, Vec::new(), StatusCode::OK).await
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
