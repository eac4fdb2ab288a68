use std::collections::HashSet;

use crate::db::Db;
use crate::db::subscriptions::{self as sql, NewSubscriptionRow};
use crate::db::{customers, products};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::enums::{CustomerStatus, ProductStatus, ProductType, SubscriptionStatus};
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::subscription::{Subscription, SubscriptionOrder};

use crate::domain::event::EventType;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

use crate::db::record::Recorder;

pub async fn list_for_customer(
    db: &Db,
    customer_id: &CustomerId,
    status: Option<SubscriptionStatus>,
) -> Result<Vec<Subscription>, ServiceError> {
    let cid = customer_id.clone();
    let id = customer_id.to_owned();
    db.read_now(move |conn| {
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        Ok(sql::list_for_customer(conn, &cid, status)?)
    })
    .await
}

pub async fn get(db: &Db, id: &SubscriptionId) -> Result<Subscription, ServiceError> {
    let sid = id.clone();
    let missing = ServiceError::not_found("subscription", id);
    db.read_now(move |conn| sql::get(conn, &sid)?.ok_or(missing))
        .await
}

/// Subscribes a customer to a product with optional add-ons.
///
/// Name and charges are copied from the catalog inside the same write job that checks them, so
/// what the customer is charged is exactly what was on offer when they subscribed.
pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    customer_id: &CustomerId,
    order: SubscriptionOrder,
) -> Result<Subscription, ServiceError> {
    let cid = customer_id.clone();
    let origin = origin.clone();
    let today = clock.today();
    order.check_start(today)?;
    let now = clock.timestamp();
    let id = customer_id.to_owned();
    db.write(move |conn| {
        let customer =
            customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &id))?;
        if matches!(
            customer.status,
            CustomerStatus::Terminated | CustomerStatus::Suspended
        ) {
            return Err(ServiceError::Conflict(format!(
                "customer `{id}` is {} and cannot take new subscriptions",
                customer.status
            )));
        }
        let unprocessable =
            |field: &str, msg: String| ServiceError::Unprocessable(FieldError::new(field, msg));
        let product = products::get(conn, &order.product_id)?.ok_or_else(|| {
            unprocessable(
                "productId",
                format!("product `{}` does not exist", order.product_id),
            )
        })?;
        if product.product.status != ProductStatus::Active {
            return Err(unprocessable(
                "productId",
                format!(
                    "product `{}` is {} and cannot be subscribed to",
                    order.product_id, product.product.status
                ),
            ));
        }
        if product.product.product_type == ProductType::Addon {
            return Err(unprocessable(
                "productId",
                format!(
                    "product `{}` is an add-on; list it under addons of a main product",
                    order.product_id
                ),
            ));
        }
        let currency = product.product.currency;
        let mut seen = HashSet::new();
        let mut addons = Vec::with_capacity(order.addons.len());
        for (i, addon_id) in order.addons.iter().enumerate() {
            let field = format!("addons[{i}]");
            let addon = products::get(conn, addon_id)?.ok_or_else(|| {
                unprocessable(&field, format!("add-on `{addon_id}` does not exist"))
            })?;
            if addon.product.product_type != ProductType::Addon {
                return Err(unprocessable(
                    &field,
                    format!("product `{addon_id}` is not an add-on"),
                ));
            }
            if addon.product.status != ProductStatus::Active {
                return Err(unprocessable(
                    &field,
                    format!(
                        "add-on `{addon_id}` is {} and cannot be subscribed to",
                        addon.product.status
                    ),
                ));
            }
            if addon.product.currency != currency {
                return Err(unprocessable(
                    &field,
                    format!(
                        "add-on `{addon_id}` is priced in {}, the product in {currency}",
                        addon.product.currency
                    ),
                ));
            }
            if !seen.insert(addon_id.clone()) {
                return Err(unprocessable(
                    &field,
                    format!("add-on `{addon_id}` is listed twice"),
                ));
            }
            addons.push((
                addon.product.product_id,
                addon.product.product_name,
                addon.price_minor,
            ));
        }
        let row = NewSubscriptionRow {
            customer_id: cid,
            product_id: product.product.product_id,
            product_name: product.product.product_name,
            status: if order.start_date > today {
                SubscriptionStatus::Pending
            } else {
                SubscriptionStatus::Active
            },
            start_date: order.start_date,
            monthly_charge_minor: product.price_minor,
            currency,
            addons,
        };
        let sid = sql::insert(conn, &row, &now)?;
        let sub = sql::get(conn, &sid)?
            .ok_or_else(|| ServiceError::not_found("subscription", sid.as_str()))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::SubscriptionCreated,
            ("subscription", sid.as_str()),
            None::<&Subscription>,
            &sub,
        )?;
        rec.answer(&sub)?;
        Ok(sub)
    })
    .await
}
