//! Creating and editing a customer. The form's field names are the API's (`firstName`,
//! `address.city`, `billingAddress.street`, ...), so a refused field's name is the form field to
//! mark. The service (installation) address and the billing address are separate; the country
//! is picked from the ISO 3166 list; admins may change the kind of customer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::UiError;
use super::extract::{Authed, FormData, PostForm, UiPath};
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use crate::domain::FieldError;
use crate::domain::address::{Address, AddressInput};
use crate::domain::country::{COUNTRIES, name_of};
use crate::domain::customer::{
    Customer, CustomerChanges, CustomerChangesInput, CustomerInput, NOTES_MAX, NewCustomer,
};
use crate::domain::enums::CustomerType;
use crate::domain::ids::CustomerId;
use crate::domain::user::Role;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::customers as service;

/// One address of the form: its legend, a hint, and its fields' names.
pub struct AddressFields {
    pub prefix: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
    pub street: &'static str,
    pub postal: &'static str,
    pub city: &'static str,
    pub region: &'static str,
    pub country: &'static str,
}

/// The service (installation) address and the billing address.
const ADDRESSES: [AddressFields; 2] = [
    AddressFields {
        prefix: "address",
        legend: "Service address",
        hint: "Where the service is installed.",
        street: "address.street",
        postal: "address.postalCode",
        city: "address.city",
        region: "address.state",
        country: "address.country",
    },
    AddressFields {
        prefix: "billingAddress",
        legend: "Billing address",
        hint: "Where invoices go, if not to the service address. Leave it empty to send them \
               to the service address.",
        street: "billingAddress.street",
        postal: "billingAddress.postalCode",
        city: "billingAddress.city",
        region: "billingAddress.state",
        country: "billingAddress.country",
    },
];

#[derive(Template)]
#[template(path = "pages/customers/form.html")]
pub struct FormPage {
    layout: LayoutCtx,
    form: FormState,
    /// `None` for a new customer.
    customer: Option<Customer>,
    types: Vec<&'static str>,
    addresses: [AddressFields; 2],
    /// May change the kind of an existing customer.
    can_change_type: bool,
    notes_max: usize,
}

impl FormPage {
    /// The country choices for `field`: every ISO 3166 country, and first the stored value when
    /// it is not one of them (an address entered as free text through the API), so saving the
    /// form keeps it.
    pub fn countries(&self, field: &str) -> Vec<(String, String)> {
        let current = self.form.value(field);
        let mut out = Vec::with_capacity(COUNTRIES.len() + 1);
        if !current.is_empty() && name_of(current).is_none() {
            out.push((current.to_owned(), format!("{current} (as entered)")));
        }
        out.extend(
            COUNTRIES
                .iter()
                .map(|(code, name)| ((*code).to_owned(), (*name).to_owned())),
        );
        out
    }

    pub fn country_selected(&self, field: &str, code: &str) -> bool {
        self.form.value(field).eq_ignore_ascii_case(code)
    }
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
        addresses: ADDRESSES,
        can_change_type: auth.session.user.role.allows(Role::Admin),
        notes_max: NOTES_MAX,
    };
    render_status(&page, &page.layout, status)
}

/// The address fields of the form under `prefix`; `None` when all are blank.
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
    let billing = address_input(&form, "billingAddress");
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
                billing_address: billing.as_ref(),
                contact_person: form.opt("contactPerson"),
                tax_id: form.opt("taxId"),
                notes: form.opt("notes"),
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
        ("contactPerson", &c.contact_person),
        ("taxId", &c.tax_id),
        ("notes", &c.notes),
    ] {
        if let Some(x) = value {
            v.push((name.to_owned(), x.clone()));
        }
    }
    if c.tax_exempt {
        v.push(("taxExempt".to_owned(), "true".to_owned()));
    }
    for (prefix, address) in [
        ("address", &c.address),
        ("billingAddress", &c.billing_address),
    ] {
        let Some(a) = address else { continue };
        let parts: [(&str, &Option<String>); 5] = [
            ("street", &a.street),
            ("city", &a.city),
            ("state", &a.state),
            ("postalCode", &a.postal_code),
            ("country", &a.country),
        ];
        for (name, value) in parts {
            if let Some(x) = value {
                v.push((format!("{prefix}.{name}"), x.clone()));
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

/// An optional detail as the form changes it: unchanged, emptied (removed) or a new value.
fn detail<'a>(form: &'a FormData, name: &str, current: &Option<String>) -> Option<Option<&'a str>> {
    match (form.opt(name), current) {
        (None, None) => None,
        (None, Some(_)) => Some(None),
        (Some(v), Some(c)) if v.replace("\r\n", "\n").trim() == c => None,
        (Some(v), _) => Some(Some(v)),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    PostForm { auth, form }: PostForm,
    UiPath(id): UiPath<CustomerId>,
) -> Result<HttpResponse, UiError> {
    auth.require(Role::Operator)?;
    let current = service::get(&state.db, &id).await?;
    // Only what changed is sent, so an untouched address is not rewritten.
    let unchanged = |field: &str, a: &AddressInput, stored: &Option<Address>| {
        Address::parse(field, a).ok().as_ref() == stored.as_ref()
    };
    let address =
        address_input(&form, "address").filter(|a| !unchanged("address", a, &current.address));
    let billing_form = address_input(&form, "billingAddress");
    let billing = billing_form
        .clone()
        .filter(|a| !unchanged("billingAddress", a, &current.billing_address));
    let parsed = CustomerChanges::parse(CustomerChangesInput {
        status: None,
        first_name: form.opt("firstName"),
        last_name: form.opt("lastName"),
        company_name: form.opt("companyName"),
        email: Some(form.get("email")),
        phone: form.opt("phone"),
        address: address.as_ref(),
        billing_address: billing.as_ref(),
        contact_person: detail(&form, "contactPerson", &current.contact_person),
        tax_id: detail(&form, "taxId", &current.tax_id),
        notes: detail(&form, "notes", &current.notes),
    })
    .and_then(|mut changes| {
        changes.clear_phone = form.opt("phone").is_none() && current.phone.is_some();
        changes.clear_billing_address = billing_form.is_none() && current.billing_address.is_some();
        let tax_exempt = form.get("taxExempt") == "true";
        changes.tax_exempt = (tax_exempt != current.tax_exempt).then_some(tax_exempt);
        // The kind of customer is the admins' to change; others' forms do not carry it.
        if auth.session.user.role.allows(Role::Admin) && form.opt("customerType").is_some() {
            let kind = customer_type(&form)?;
            changes.customer_type = (kind != current.customer_type).then_some(kind);
        }
        Ok(changes)
    });
    let result = match parsed {
        Ok(changes) => service::update(&state.db, &state.clock, auth.origin(), &id, changes).await,
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

    #[test]
    fn an_emptied_detail_is_removed_and_an_untouched_one_left_alone() {
        let form = FormData::parse(b"taxId=&notes=same&contactPerson=New");
        assert_eq!(detail(&form, "taxId", &Some("X".into())), Some(None));
        assert_eq!(detail(&form, "taxId", &None), None);
        assert_eq!(detail(&form, "notes", &Some("same".into())), None);
        assert_eq!(
            detail(&form, "contactPerson", &Some("Old".into())),
            Some(Some("New"))
        );
    }
}
