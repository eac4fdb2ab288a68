//! Checking the subscriptions of an import against the store: each one's customer (a row of
//! the customers file, or a stored customer that can take subscriptions) and its plan (by
//! product id, or by name when the id is another system's), with the API's catalog rules.

use std::collections::HashMap;

use super::import::{ImportFile, RowError};
use super::import_subscriptions::{SubscriptionRow, error};
use super::subscriptions::CheckedPlan;
use crate::db::customers;
use crate::domain::enums::CustomerStatus;
use crate::domain::ids::CustomerId;
use crate::error::ServiceError;

/// An add-on of `row` by id, else the one Active product of that name, else `token` itself (for
/// the catalog check to say it does not exist); several of that name is the row's error.
fn addon(
    conn: &rusqlite::Connection,
    row: &SubscriptionRow,
    token: &str,
) -> Result<Result<String, RowError>, ServiceError> {
    if crate::db::products::get(conn, token)?.is_some() {
        return Ok(Ok(token.to_owned()));
    }
    let named = crate::db::products::active_named(conn, token)?;
    Ok(match named.as_slice() {
        [one] => Ok(one.clone()),
        [] => Ok(token.to_owned()),
        _ => Err(error(
            row.line,
            "addons",
            format!(
                "{} active products are named `{token}`: give the id of the one meant",
                named.len()
            ),
        )),
    })
}

/// The row's product: by `productId` when the catalog has it, else by `productName` (an id from
/// another system, or from another data folder, means nothing here; a name may).
fn product(
    conn: &rusqlite::Connection,
    row: &SubscriptionRow,
) -> Result<Result<String, RowError>, ServiceError> {
    if !row.product_id.is_empty() && crate::db::products::get(conn, &row.product_id)?.is_some() {
        return Ok(Ok(row.product_id.clone()));
    }
    let Some(name) = &row.product_name else {
        return Ok(Ok(row.product_id.clone()));
    };
    let named = crate::db::products::active_named(conn, name)?;
    Ok(match named.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(error(
            row.line,
            "productName",
            format!(
                "no product has the productId `{}` and no active product is named `{name}`",
                row.product_id
            ),
        )),
        _ => Err(error(
            row.line,
            "productName",
            format!(
                "{} active products are named `{name}`: give the productId of the one meant",
                named.len()
            ),
        )),
    })
}

/// Checks `row` against the catalog as the API would; a refusal is the row's error.
pub fn check(
    conn: &rusqlite::Connection,
    row: &SubscriptionRow,
) -> Result<Result<CheckedPlan, RowError>, ServiceError> {
    let product_id = match product(conn, row)? {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    let mut addons = Vec::with_capacity(row.addons.len());
    for a in &row.addons {
        match addon(conn, row, a)? {
            Ok(id) => addons.push(id),
            Err(e) => return Ok(Err(e)),
        }
    }
    let plan = match super::subscriptions::check_plan(conn, &product_id, &addons, None) {
        Ok(plan) => plan,
        Err(ServiceError::Unprocessable(e) | ServiceError::Invalid(e)) => {
            // `addons[2]` names the third id of the row's one `addons` cell.
            let field = if e.field.starts_with("addons") {
                "addons"
            } else {
                e.field.as_str()
            };
            return Ok(Err(error(row.line, field, e.message)));
        }
        Err(e) => return Err(e),
    };
    if let Some(c) = row.currency
        && c != plan.currency
    {
        return Ok(Err(error(
            row.line,
            "currency",
            format!(
                "{c}, but {} is priced in {} in the catalog",
                plan.product.product_name, plan.currency
            ),
        )));
    }
    let price = plan.currency.from_minor(plan.price_minor);
    if let Some(charge) = row.monthly_charge
        && charge != price
    {
        return Ok(Err(error(
            row.line,
            "monthlyCharge",
            format!(
                "{charge}, but {} costs {price} {} a month in the catalog; an imported \
                 subscription takes the catalog's price (change the catalog first, or leave the \
                 column empty)",
                plan.product.product_name, plan.currency
            ),
        )));
    }
    Ok(Ok(plan))
}

/// The customer a subscription row goes to.
pub enum Target {
    /// The customer of row `.0` of the customers file, named `.1`.
    InFile(usize, String),
    /// A customer already stored, named `.1`.
    Stored(CustomerId, String),
}

/// A subscription row that passed every check, with its customer and plan.
pub struct Planned {
    pub row: SubscriptionRow,
    pub customer: Target,
    pub plan: CheckedPlan,
}

impl Planned {
    pub fn described(&self) -> (u64, String) {
        let name = match &self.customer {
            Target::InFile(_, n) | Target::Stored(_, n) => n,
        };
        (
            self.row.line,
            format!("{name}: {}", self.plan.product.product_name),
        )
    }
}

/// Finds each subscription's customer, among the customers file's rows (`(customerId, name)`
/// in order) or the stored customers, and checks it against the catalog; every bad row is
/// reported.
pub fn plan(
    conn: &rusqlite::Connection,
    file: &[(Option<String>, String)],
    subs: &[SubscriptionRow],
) -> Result<Result<Vec<Planned>, Vec<RowError>>, ServiceError> {
    let in_file: HashMap<&str, usize> = file
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| k.as_deref().map(|k| (k, i)))
        .collect();
    let (mut planned, mut errors) = (Vec::with_capacity(subs.len()), Vec::new());
    for row in subs {
        let refuse = |message: String| RowError {
            file: ImportFile::Subscriptions,
            line: row.line,
            field: "customerId".to_owned(),
            message,
        };
        let customer = if let Some(&i) = in_file.get(row.customer.as_str()) {
            Target::InFile(i, file[i].1.clone())
        } else {
            let stored = match CustomerId::parse(&row.customer) {
                Some(id) => customers::get(conn, &id)?,
                None => None,
            };
            match stored {
                Some(c)
                    if matches!(c.status, CustomerStatus::Active | CustomerStatus::Inactive) =>
                {
                    Target::Stored(c.customer_id.clone(), c.display_name())
                }
                Some(c) => {
                    errors.push(refuse(format!(
                        "customer `{}` is {} and cannot take new subscriptions",
                        row.customer, c.status
                    )));
                    continue;
                }
                None => {
                    errors.push(refuse(format!(
                        "`{}` is neither the customerId of a row of the customers file nor a customer in edgebss",
                        row.customer
                    )));
                    continue;
                }
            }
        };
        match check(conn, row)? {
            Ok(plan) => planned.push(Planned {
                row: row.clone(),
                customer,
                plan,
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok(if errors.is_empty() {
        Ok(planned)
    } else {
        Err(errors)
    })
}
