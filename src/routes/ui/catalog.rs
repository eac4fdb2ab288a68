//! The catalog: list, create, edit (a new price applies to new subscriptions at once and to
//! existing ones from the next period), usage prices and what an add-on goes on, discontinue.
//! Changing the catalog is for admins. The list is in `catalog_list`.

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;

pub use super::catalog_list::list;
use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, redirect_refused, render, render_status};
use crate::domain::FieldError;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::ids::ProductId;
use crate::domain::product::ProductFilter;
use crate::domain::product::{Product, ProductDraft};
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::products as service;

#[derive(Template)]
#[template(path = "pages/catalog/form.html")]
pub struct FormPage {
    layout: LayoutCtx,
    form: FormState,
    product: Option<Product>,
    types: Vec<&'static str>,
    /// Main product types and products an add-on can be limited to.
    main_types: Vec<&'static str>,
    mains: Vec<(String, String)>,
    /// What the form has ticked of them.
    ticked: Vec<String>,
}

impl FormPage {
    pub fn ticked(&self, value: &str) -> bool {
        self.ticked.iter().any(|t| t == value)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Authed,
    form: FormState,
    ticked: Vec<String>,
    product: Option<Product>,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let title = match &product {
        Some(p) => format!("Edit {}", p.product_name),
        None => "New product".to_owned(),
    };
    let mains = service::list(&state.db, ProductFilter::default())
        .await?
        .into_iter()
        .filter(|p| p.product_type != ProductType::Addon)
        .map(|p| (p.product_id.to_string(), p.product_name))
        .collect();
    let page = FormPage {
        layout: auth.layout("catalog", title),
        form,
        product,
        types: ProductType::ALL.iter().map(|t| t.as_str()).collect(),
        main_types: ProductType::ALL
            .iter()
            .filter(|t| **t != ProductType::Addon)
            .map(|t| t.as_str())
            .collect(),
        mains,
        ticked,
    };
    render_status(&page, &page.layout, status)
}

/// The product the form describes.
fn draft(form: &FormData) -> Result<ProductDraft, FieldError> {
    let product_type: ProductType = form
        .get("productType")
        .parse()
        .map_err(|e: String| FieldError::new("productType", e))?;
    let price = Decimal::from_str(form.get("monthlyPrice").trim())
        .map_err(|_| FieldError::new("monthlyPrice", "must be an amount such as 29.99"))?;
    let features: Vec<&str> = form
        .get("features")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let draft = ProductDraft::parse(
        form.get("productName"),
        product_type,
        form.opt("description"),
        price,
        form.get("currency").trim(),
        &features,
    )?;
    let addon_for = if product_type == ProductType::Addon {
        super::catalog_charging::compatibility(form)?
    } else {
        None
    };
    draft.with_charging(super::catalog_charging::usage(form)?, addon_for)
}

async fn refused(
    state: &AppState,
    auth: &Authed,
    form: &FormData,
    product: Option<Product>,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    match e {
        ServiceError::Invalid(mut f) | ServiceError::Unprocessable(mut f) => {
            if f.field.starts_with("features") {
                f.field = "features".to_owned();
            }
            if f.field.starts_with("compatibleWith") {
                f.field = "compatibleWith".to_owned();
            }
            let state_form = form.to_state().refuse(f);
            let status = StatusCode::BAD_REQUEST;
            form_page(
                state,
                auth,
                state_form,
                super::catalog_charging::ticked(form),
                product,
                status,
            )
            .await
        }
        e => Err(e.into()),
    }
}

pub async fn new_form(state: web::Data<AppState>, auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let form = FormState::from_values([
        ("productType".to_owned(), "Broadband".to_owned()),
        ("currency".to_owned(), "USD".to_owned()),
    ]);
    form_page(&state, &auth, form, Vec::new(), None, StatusCode::OK).await
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let result = match draft(&form) {
        Ok(d) => service::create(&state.db, &state.clock, auth.origin(), d).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => Ok(redirect(
            "/admin/catalog",
            Some(&format!("Product {} added to the catalog.", p.product_name)),
        )),
        Err(e) => refused(&state, &auth, &form, None, e).await,
    }
}

fn current_values(p: &Product) -> FormState {
    let mut values = vec![
        ("productName".to_owned(), p.product_name.clone()),
        ("productType".to_owned(), p.product_type.to_string()),
        (
            "description".to_owned(),
            p.description.clone().unwrap_or_default(),
        ),
        ("monthlyPrice".to_owned(), p.monthly_price.to_string()),
        ("currency".to_owned(), p.currency.to_string()),
        ("features".to_owned(), p.features.join("\n")),
    ];
    values.extend(super::catalog_charging::usage_values(p));
    FormState::from_values(values)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<ProductId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let p = service::get(&state.db, &id).await?;
    let ticks = super::catalog_charging::current_ticks(&p);
    form_page(
        &state,
        &auth,
        current_values(&p),
        ticks,
        Some(p),
        StatusCode::OK,
    )
    .await
}

pub async fn edit(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<ProductId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let current = service::get(&state.db, &id).await?;
    let result = match draft(&form) {
        Ok(d) => service::update(&state.db, &state.clock, auth.origin(), &id, d).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => Ok(redirect(
            "/admin/catalog",
            Some(&format!(
                "Product {} saved. A new price reaches existing subscriptions from the next period.",
                p.product_name
            )),
        )),
        Err(e) => refused(&state, &auth, &form, Some(current), e).await,
    }
}

#[derive(Template)]
#[template(path = "pages/catalog/confirm.html")]
pub struct ConfirmPage {
    layout: LayoutCtx,
    p: Product,
}

pub async fn confirm_discontinue(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<ProductId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let p = service::get(&state.db, &id).await?;
    if p.status != ProductStatus::Active {
        return Ok(redirect_refused(
            "/admin/catalog",
            &format!("{} is already discontinued.", p.product_name),
        ));
    }
    let page = ConfirmPage {
        layout: auth.layout("catalog", format!("Discontinue {}", p.product_name)),
        p,
    };
    render(&page, &page.layout)
}

pub async fn discontinue(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
    UiPath(id): UiPath<ProductId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Admin)?;
    let p = match service::discontinue(&state.db, &state.clock, auth.origin(), &id).await {
        Ok(p) => p,
        Err(ServiceError::Conflict(m)) => return Ok(redirect_refused("/admin/catalog", &m)),
        Err(e) => return Err(e.into()),
    };
    Ok(redirect(
        "/admin/catalog",
        Some(&format!(
            "Product {} discontinued: no new subscriptions; existing ones go on.",
            p.product_name
        )),
    ))
}
