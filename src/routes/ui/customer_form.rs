//! Creating and editing a customer. The form's field names are the API's (`firstName`,
//! `address.city`, ...), so a refused field's name is the form field to mark.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use crate::domain::FieldError;
use crate::domain::address::{Address, AddressInput};
use crate::domain::customer::{
    Customer, CustomerChanges, CustomerChangesInput, CustomerInput, NewCustomer,
};
use crate::domain::enums::CustomerType;
use crate::domain::ids::CustomerId;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::customers as service;

#[derive(Template)]
#[template(path = "pages/customers/form.html")]
pub struct FormPage {
    layout: LayoutCtx,
    form: FormState,
    /// `None` for a new customer.
    customer: Option<Customer>,
    types: Vec<&'static str>,
}

fn page(
    auth: &Authed,
    form: FormState,
    customer: Option<Customer>,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let title = match &customer {
        Some(c) => format!("Edit {}", c.display_name()),
        None => "New customer".to_owned(),
    };
    let page = FormPage {
        layout: auth.layout("customers", title),
        form,
        customer,
        types: CustomerType::ALL.iter().map(|t| t.as_str()).collect(),
    };
    render_status(&page, &page.layout, status)
}

/// The address fields of the form; `None` when all are blank.
fn address_input(form: &FormData, prefix: &str) -> Option<AddressInput> {
    let get = |part: &str| form.opt(&format!("{prefix}.{part}")).map(str::to_owned);
    let a = AddressInput {
        street: get("street"),
        city: get("city"),
        state: get("state"),
        postal_code: get("postalCode"),
        country: get("country"),
    };
    (a != AddressInput::default()).then_some(a)
}

fn customer_type(form: &FormData) -> Result<CustomerType, FieldError> {
    form.get("customerType")
        .parse()
        .map_err(|e: String| FieldError::new("customerType", e))
}

/// Refused input goes back to the form; other failures become error pages.
fn refused(
    auth: &Authed,
    form: &FormData,
    customer: Option<Customer>,
    e: ServiceError,
) -> Result<HttpResponse, UiError> {
    match e {
        ServiceError::Invalid(f) | ServiceError::Unprocessable(f) => page(
            auth,
            form.to_state().refuse(f),
            customer,
            StatusCode::BAD_REQUEST,
        ),
        ServiceError::Conflict(m) => page(
            auth,
            form.to_state().with_message(m),
            customer,
            StatusCode::CONFLICT,
        ),
        e => Err(e.into()),
    }
}

pub async fn new_form(auth: Authed) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let form = FormState::from_values([("customerType".to_owned(), "Individual".to_owned())]);
    page(&auth, form, None, StatusCode::OK)
}

pub async fn create(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let address = address_input(&form, "address");
    let parsed = customer_type(&form).and_then(|t| {
        NewCustomer::parse(
            t,
            CustomerInput {
                first_name: form.opt("firstName"),
                last_name: form.opt("lastName"),
                company_name: form.opt("companyName"),
                email: form.get("email"),
                phone: form.opt("phone"),
                address: address.as_ref(),
                billing_address: None,
            },
        )
    });
    let result = match parsed {
        Ok(mut new) => {
            new.tax_exempt = form.get("taxExempt") == "true";
            service::create(&state.db, &state.clock, auth.origin(), new).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(c) => Ok(redirect(
            &format!("/admin/customers/{}", c.customer_id),
            Some(&format!(
                "Customer {} created (account {}).",
                c.display_name(),
                c.account_number
            )),
        )),
        Err(e) => refused(&auth, &form, None, e),
    }
}

/// The form filled with what is stored.
fn current_values(c: &Customer) -> FormState {
    let mut v = vec![
        ("customerType".to_owned(), c.customer_type.to_string()),
        ("email".to_owned(), c.email.clone()),
    ];
    for (name, value) in [
        ("firstName", &c.first_name),
        ("lastName", &c.last_name),
        ("companyName", &c.company_name),
        ("phone", &c.phone),
    ] {
        if let Some(x) = value {
            v.push((name.to_owned(), x.clone()));
        }
    }
    if c.tax_exempt {
        v.push(("taxExempt".to_owned(), "true".to_owned()));
    }
    if let Some(a) = &c.address {
        let parts: [(&str, &Option<String>); 5] = [
            ("street", &a.street),
            ("city", &a.city),
            ("state", &a.state),
            ("postalCode", &a.postal_code),
            ("country", &a.country),
        ];
        for (name, value) in parts {
            if let Some(x) = value {
                v.push((format!("address.{name}"), x.clone()));
            }
        }
    }
    FormState::from_values(v)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    auth: Authed,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let c = service::get(&state.db, &id).await?;
    page(&auth, current_values(&c), Some(c), StatusCode::OK)
}

pub async fn edit(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let current = service::get(&state.db, &id).await?;
    let address = address_input(&form, "address");
    // Only what changed is sent, so an untouched address is not rewritten.
    let address =
        address.filter(|a| Address::parse("address", a).ok().as_ref() != current.address.as_ref());
    let parsed = CustomerChanges::parse(CustomerChangesInput {
        status: None,
        first_name: form.opt("firstName"),
        last_name: form.opt("lastName"),
        company_name: form.opt("companyName"),
        email: Some(form.get("email")),
        phone: form.opt("phone"),
        address: address.as_ref(),
        billing_address: None,
    });
    let result = match parsed {
        Ok(mut changes) => {
            let tax_exempt = form.get("taxExempt") == "true";
            changes.tax_exempt = (tax_exempt != current.tax_exempt).then_some(tax_exempt);
            service::update(&state.db, &state.clock, auth.origin(), &id, changes).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(c) => Ok(redirect(
            &format!("/admin/customers/{}", c.customer_id),
            Some(&format!("Customer {} saved.", c.display_name())),
        )),
        Err(e) => refused(&auth, &form, Some(current), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_address_fields_mean_no_address() {
        let form = FormData::parse(b"address.street=&address.city=+");
        assert!(address_input(&form, "address").is_none());
        let form = FormData::parse(b"address.city=Oslo");
        assert_eq!(
            address_input(&form, "address").unwrap().city.as_deref(),
            Some("Oslo")
        );
    }
}
