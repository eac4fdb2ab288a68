use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{ApiJson, ApiOrigin, ApiPath, ApiQuery};
use super::{ListResponse, ONE_BYTES, PAGE_BYTES, json_ok, not_null, present};
use crate::domain::address::AddressInput;
use crate::domain::customer::CustomerFilter;
use crate::domain::customer::{CustomerChanges, CustomerChangesInput, CustomerInput, NewCustomer};
use crate::domain::enums::{CustomerStatus, CustomerType};
use crate::domain::ids::CustomerId;
use crate::domain::page::PageRequest;
use crate::routes::state::AppState;
use crate::service::customers as service;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListCustomersQuery {
    status: Option<CustomerStatus>,
    customer_type: Option<CustomerType>,
    page: Option<i64>,
    page_size: Option<i64>,
}

pub async fn list_customers(
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<ListCustomersQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filter = CustomerFilter {
        status: q.status,
        customer_type: q.customer_type,
    };
    let result = service::list(&state.db, filter, page).await?;
    Ok(json_ok(
        &ListResponse {
            data: result.items,
            pagination: Some(result.pagination),
        },
        PAGE_BYTES,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCustomerRequest {
    customer_type: CustomerType,
    #[serde(default, deserialize_with = "present")]
    first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    company_name: Option<Option<String>>,
    email: String,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    address: Option<Option<AddressInput>>,
    #[serde(default, deserialize_with = "present")]
    billing_address: Option<Option<AddressInput>>,
    #[serde(default, deserialize_with = "present")]
    tax_exempt: Option<Option<bool>>,
}

pub async fn create_customer(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<CreateCustomerRequest>,
    origin: ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    // A field is either left out or given a value; `null` is refused, as the schema says.
    let first_name = not_null("firstName", req.first_name)?;
    let last_name = not_null("lastName", req.last_name)?;
    let company_name = not_null("companyName", req.company_name)?;
    let phone = not_null("phone", req.phone)?;
    let address = not_null("address", req.address)?;
    let billing_address = not_null("billingAddress", req.billing_address)?;
    let tax_exempt = not_null("taxExempt", req.tax_exempt)?;
    let mut new = NewCustomer::parse(
        req.customer_type,
        CustomerInput {
            first_name: first_name.as_deref(),
            last_name: last_name.as_deref(),
            company_name: company_name.as_deref(),
            email: &req.email,
            phone: phone.as_deref(),
            address: address.as_ref(),
            billing_address: billing_address.as_ref(),
        },
    )?;
    new.tax_exempt = tax_exempt.unwrap_or(false);
    let origin = origin.answering(StatusCode::CREATED, Some(customer_location));
    let customer = service::create(&state.db, &state.clock, &origin, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/customers/{}", customer.customer_id),
        ))
        .json(customer))
}

/// Where a created customer is, from the customer as returned.
fn customer_location(v: &serde_json::Value) -> Option<String> {
    Some(format!("/v1/customers/{}", v["customerId"].as_str()?))
}

pub async fn get_customer(
    state: web::Data<AppState>,
    ApiPath(id): ApiPath<CustomerId>,
) -> Result<HttpResponse, ApiError> {
    let customer = service::get(&state.db, &id).await?;
    Ok(json_ok(&customer, ONE_BYTES))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<CustomerStatus>>,
    #[serde(default, deserialize_with = "present")]
    first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    address: Option<Option<AddressInput>>,
    #[serde(default, deserialize_with = "present")]
    billing_address: Option<Option<AddressInput>>,
    #[serde(default, deserialize_with = "present")]
    tax_exempt: Option<Option<bool>>,
}

pub async fn update_customer(
    state: web::Data<AppState>,
    ApiJson(req): ApiJson<UpdateCustomerRequest>,
    ApiPath(id): ApiPath<CustomerId>,
    ApiOrigin(origin): ApiOrigin,
) -> Result<HttpResponse, ApiError> {
    let first_name = not_null("firstName", req.first_name)?;
    let last_name = not_null("lastName", req.last_name)?;
    let company_name = not_null("companyName", req.company_name)?;
    let email = not_null("email", req.email)?;
    let phone = not_null("phone", req.phone)?;
    let address = not_null("address", req.address)?;
    let billing_address = not_null("billingAddress", req.billing_address)?;
    let mut changes = CustomerChanges::parse(CustomerChangesInput {
        status: not_null("status", req.status)?,
        first_name: first_name.as_deref(),
        last_name: last_name.as_deref(),
        company_name: company_name.as_deref(),
        email: email.as_deref(),
        phone: phone.as_deref(),
        address: address.as_ref(),
        billing_address: billing_address.as_ref(),
    })?;
    changes.tax_exempt = not_null("taxExempt", req.tax_exempt)?;
    let customer = service::update(&state.db, &state.clock, &origin, &id, changes).await?;
    Ok(json_ok(&customer, ONE_BYTES))
}
