use serde::Serialize;

use super::FieldError;
use super::address::{Address, AddressInput};
use super::email::Email;
use super::enums::{CustomerStatus, CustomerType};
use super::ids::CustomerId;
use super::text::{parse_opt_text, parse_phone};

const NAME_MAX: usize = 100;
const TAX_ID_MAX: usize = 50;
/// Notes are a few paragraphs at most: what the installer found, how to reach the site.
pub const NOTES_MAX: usize = 2000;

/// A customer account, shaped as the contract's `Customer`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub customer_id: CustomerId,
    pub customer_type: CustomerType,
    pub status: CustomerStatus,
    pub account_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Invoices for this customer carry no tax.
    pub tax_exempt: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Who to talk to at an organisation (edgebss addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    /// The customer's own tax or VAT number, printed on its invoices (edgebss addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// Free-form notes kept with the customer (edgebss addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Customer {
    /// The name to show people: the company for organisations, the person's name otherwise.
    pub fn display_name(&self) -> String {
        match (&self.company_name, self.customer_type) {
            (Some(c), CustomerType::Business | CustomerType::Government) => c.clone(),
            _ => [self.first_name.as_deref(), self.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// The raw fields of a new customer, as any surface (API, admin form, demo data) receives them.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub company_name: Option<&'a str>,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub address: Option<&'a AddressInput>,
    pub billing_address: Option<&'a AddressInput>,
    pub contact_person: Option<&'a str>,
    pub tax_id: Option<&'a str>,
    pub notes: Option<&'a str>,
}

/// Notes as people type them: several lines allowed (tabs and line breaks), other control
/// characters not; trimmed, at most [`NOTES_MAX`] characters, line breaks as `\n`.
pub fn parse_notes(field: &str, value: &str) -> Result<String, FieldError> {
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > NOTES_MAX {
        return Err(FieldError::new(
            field,
            format!("must be at most {NOTES_MAX} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(text.to_owned())
}

/// The optional fields every kind of customer may have.
struct Details {
    contact_person: Option<String>,
    tax_id: Option<String>,
    notes: Option<String>,
}

fn parse_details(
    contact_person: Option<&str>,
    tax_id: Option<&str>,
    notes: Option<&str>,
) -> Result<Details, FieldError> {
    Ok(Details {
        contact_person: parse_opt_text("contactPerson", contact_person, NAME_MAX * 2)?,
        tax_id: parse_opt_text("taxId", tax_id, TAX_ID_MAX)?,
        notes: notes.map(|n| parse_notes("notes", n)).transpose()?,
    })
}

/// A customer that passed every rule and can be stored.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub customer_type: CustomerType,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Email,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub billing_address: Option<Address>,
    /// Set by the caller after parsing (it needs no validation); `false` unless asked.
    pub tax_exempt: bool,
    pub contact_person: Option<String>,
    pub tax_id: Option<String>,
    pub notes: Option<String>,
}

impl NewCustomer {
    pub fn parse(
        customer_type: CustomerType,
        input: CustomerInput<'_>,
    ) -> Result<Self, FieldError> {
        let first_name = parse_opt_text("firstName", input.first_name, NAME_MAX)?;
        let last_name = parse_opt_text("lastName", input.last_name, NAME_MAX)?;
        let company_name = parse_opt_text("companyName", input.company_name, NAME_MAX * 2)?;
        let email = Email::parse("email", input.email)?;
        let phone = input.phone.map(|p| parse_phone("phone", p)).transpose()?;
        let address = input
            .address
            .map(|a| Address::parse("address", a))
            .transpose()?;
        let billing_address = input
            .billing_address
            .map(|a| Address::parse("billingAddress", a))
            .transpose()?;
        let Details {
            contact_person,
            tax_id,
            notes,
        } = parse_details(input.contact_person, input.tax_id, input.notes)?;
        match customer_type {
            CustomerType::Individual => {
                if first_name.is_none() {
                    return Err(FieldError::new(
                        "firstName",
                        "is required for an Individual customer",
                    ));
                }
                if last_name.is_none() {
                    return Err(FieldError::new(
                        "lastName",
                        "is required for an Individual customer",
                    ));
                }
            }
            CustomerType::Business | CustomerType::Government => {
                if company_name.is_none() {
                    return Err(FieldError::new(
                        "companyName",
                        format!("is required for a {customer_type} customer"),
                    ));
                }
            }
        }
        Ok(Self {
            customer_type,
            first_name,
            last_name,
            company_name,
            email,
            phone,
            address,
            billing_address,
            tax_exempt: false,
            contact_person,
            tax_id,
            notes,
        })
    }
}

/// The raw fields of a change to a customer; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CustomerChangesInput<'a> {
    pub status: Option<CustomerStatus>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub company_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address: Option<&'a AddressInput>,
    pub billing_address: Option<&'a AddressInput>,
    /// The optional details: `None` leaves one as it is, `Some(None)` removes it.
    pub contact_person: Option<Option<&'a str>>,
    pub tax_id: Option<Option<&'a str>>,
    pub notes: Option<Option<&'a str>>,
}

/// A validated change to a customer. A status of `Terminated` cannot be set this way: ending a
/// customer relationship is its own action, with its own consequences.
#[derive(Debug, Clone, Default)]
pub struct CustomerChanges {
    pub status: Option<CustomerStatus>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub billing_address: Option<Address>,
    /// Set by the caller after parsing; `None` leaves it as it is.
    pub tax_exempt: Option<bool>,
    /// `None` leaves it as it is, `Some(None)` removes it.
    pub contact_person: Option<Option<String>>,
    pub tax_id: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    /// Removes the phone number or the billing address (the admin form's emptied fields).
    pub clear_phone: bool,
    pub clear_billing_address: bool,
    /// A new kind of customer (admins, in the admin UI); its name rules are checked against the
    /// customer's names after the change, when it is stored.
    pub customer_type: Option<CustomerType>,
}

/// An optional detail's change: absent, removed, or a new value parsed by `parse`.
fn detail_change(
    v: Option<Option<&str>>,
    parse: impl Fn(&str) -> Result<String, FieldError>,
) -> Result<Option<Option<String>>, FieldError> {
    v.map(|inner| inner.map(parse).transpose()).transpose()
}

impl CustomerChanges {
    pub fn parse(input: CustomerChangesInput<'_>) -> Result<Self, FieldError> {
        if input.status == Some(CustomerStatus::Terminated) {
            return Err(FieldError::new(
                "status",
                "can be set to Active, Inactive or Suspended; terminating a customer is its own action",
            ));
        }
        Ok(Self {
            status: input.status,
            first_name: parse_opt_text("firstName", input.first_name, NAME_MAX)?,
            last_name: parse_opt_text("lastName", input.last_name, NAME_MAX)?,
            company_name: parse_opt_text("companyName", input.company_name, NAME_MAX * 2)?,
            email: input.email.map(|e| Email::parse("email", e)).transpose()?,
            phone: input.phone.map(|p| parse_phone("phone", p)).transpose()?,
            address: input
                .address
                .map(|a| Address::parse("address", a))
                .transpose()?,
            billing_address: input
                .billing_address
                .map(|a| Address::parse("billingAddress", a))
                .transpose()?,
            tax_exempt: None,
            contact_person: detail_change(input.contact_person, |v| {
                super::text::parse_text("contactPerson", v, NAME_MAX * 2)
            })?,
            tax_id: detail_change(input.tax_id, |v| {
                super::text::parse_text("taxId", v, TAX_ID_MAX)
            })?,
            notes: detail_change(input.notes, |v| parse_notes("notes", v))?,
            clear_phone: false,
            clear_billing_address: false,
            customer_type: None,
        })
    }

    /// Whether a customer of `customer_type` with these names (after the change) meets the rules
    /// of its kind: an Individual needs both names, an organisation its company name.
    pub fn check_names(
        customer_type: CustomerType,
        first_name: Option<&str>,
        last_name: Option<&str>,
        company_name: Option<&str>,
    ) -> Result<(), FieldError> {
        match customer_type {
            CustomerType::Individual if first_name.is_none() => Err(FieldError::new(
                "firstName",
                "is required for an Individual customer",
            )),
            CustomerType::Individual if last_name.is_none() => Err(FieldError::new(
                "lastName",
                "is required for an Individual customer",
            )),
            CustomerType::Business | CustomerType::Government if company_name.is_none() => {
                Err(FieldError::new(
                    "companyName",
                    format!("is required for a {customer_type} customer"),
                ))
            }
            _ => Ok(()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.company_name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.address.is_none()
            && self.billing_address.is_none()
            && self.tax_exempt.is_none()
            && self.contact_person.is_none()
            && self.tax_id.is_none()
            && self.notes.is_none()
            && !self.clear_phone
            && !self.clear_billing_address
            && self.customer_type.is_none()
    }
}

/// Which customers to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    pub status: Option<CustomerStatus>,
    pub customer_type: Option<CustomerType>,
}

#[cfg(test)]
mod tests;
