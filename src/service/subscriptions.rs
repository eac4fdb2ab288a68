use std::collections::HashSet;

use crate::db::Db;
use crate::db::subscriptions::{self as sql, NewSubscriptionRow};
use crate::db::{customers, products};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::enums::{CustomerStatus, ProductStatus, ProductType, SubscriptionStatus};
use crate::domain::ids::{CustomerId, ProductId, SubscriptionId};
use crate::domain::money::Currency;
use crate::domain::product::Product;
use crate::domain::subscription::{Subscription, SubscriptionOrder};
use crate::domain::usage::UsagePrice;

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
        let plan = check_plan(conn, &order.product_id, &order.addons, None)?;
        let rec = Recorder::new(conn, &origin, &now);
        let sub = insert_checked(conn, &rec, cid, &plan, order.start_date, today, &now)?;
        rec.answer(&sub)?;
        Ok(sub)
    })
    .await
}

/// Stores a subscription of `customer` to a plan that passed [`check_plan`] in this write job,
/// Pending when it starts after `today`, with its `subscription.created` event.
pub fn insert_checked(
    conn: &rusqlite::Connection,
    rec: &Recorder<'_>,
    customer: CustomerId,
    plan: &CheckedPlan,
    start_date: chrono::NaiveDate,
    today: chrono::NaiveDate,
    now: &str,
) -> Result<Subscription, ServiceError> {
    let row = NewSubscriptionRow {
        customer_id: customer,
        product_id: plan.product.product_id.clone(),
        product_name: plan.product.product_name.clone(),
        status: if start_date > today {
            SubscriptionStatus::Pending
        } else {
            SubscriptionStatus::Active
        },
        start_date,
        monthly_charge_minor: plan.price_minor,
        currency: plan.currency,
        addons: plan.addons.clone(),
    };
    let sid = sql::insert(conn, &row, now)?;
    plan.set_usage_prices(conn, &sid)?;
    let sub = sql::get(conn, &sid)?
        .ok_or_else(|| ServiceError::not_found("subscription", sid.as_str()))?;
    rec.change(
        EventType::SubscriptionCreated,
        ("subscription", sid.as_str()),
        None::<&Subscription>,
        &sub,
    )?;
    Ok(sub)
}

/// A plan that passed the catalog's rules: an Active main product and Active add-ons of the
/// same currency, each listed once, each allowed on the product, no metric priced twice.
#[derive(Debug, Clone)]
pub struct CheckedPlan {
    pub product: Product,
    pub price_minor: i64,
    pub currency: Currency,
    /// (add-on id, name, charge)
    pub addons: Vec<(ProductId, String, i64)>,
    /// (the product or add-on that prices it, the price)
    pub usage: Vec<(String, UsagePrice)>,
}

impl CheckedPlan {
    /// Gives subscription `id` the plan's usage prices.
    pub fn set_usage_prices(
        &self,
        conn: &rusqlite::Connection,
        id: &SubscriptionId,
    ) -> rusqlite::Result<()> {
        for (product, price) in &self.usage {
            crate::db::usage::set_price(conn, id, product, price)?;
        }
        Ok(())
    }
}

/// Checks `product_id` with `addons` against the catalog; `currency`, when given, is the one
/// the plan must be priced in (a plan change keeps the subscription's).
pub fn check_plan(
    conn: &rusqlite::Connection,
    product_id: &str,
    addons: &[String],
    currency: Option<Currency>,
) -> Result<CheckedPlan, ServiceError> {
    let unprocessable =
        |field: &str, msg: String| ServiceError::Unprocessable(FieldError::new(field, msg));
    let product = products::get(conn, product_id)
        .map_err(ServiceError::from)?
        .ok_or_else(|| {
            unprocessable(
                "productId",
                format!("product `{product_id}` does not exist"),
            )
        })?;
    if product.product.status != ProductStatus::Active {
        return Err(unprocessable(
            "productId",
            format!(
                "product `{product_id}` is {} and cannot be subscribed to",
                product.product.status
            ),
        ));
    }
    if product.product.product_type == ProductType::Addon {
        return Err(unprocessable(
            "productId",
            format!("product `{product_id}` is an add-on; list it under addons of a main product"),
        ));
    }
    let main = &product.product;
    if let Some(c) = currency
        && main.currency != c
    {
        return Err(unprocessable(
            "productId",
            format!(
                "product `{product_id}` is priced in {}, the subscription in {c}",
                main.currency
            ),
        ));
    }
    let mut usage: Vec<(String, UsagePrice)> = main
        .usage
        .iter()
        .map(|u| (main.product_id.to_string(), u.clone()))
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(addons.len());
    for (i, addon_id) in addons.iter().enumerate() {
        let field = format!("addons[{i}]");
        let addon = products::get(conn, addon_id)?
            .ok_or_else(|| unprocessable(&field, format!("add-on `{addon_id}` does not exist")))?;
        let a = &addon.product;
        if a.product_type != ProductType::Addon {
            return Err(unprocessable(
                &field,
                format!("product `{addon_id}` is not an add-on"),
            ));
        }
        if a.status != ProductStatus::Active {
            return Err(unprocessable(
                &field,
                format!(
                    "add-on `{addon_id}` is {} and cannot be subscribed to",
                    a.status
                ),
            ));
        }
        if a.currency != main.currency {
            return Err(unprocessable(
                &field,
                format!(
                    "add-on `{addon_id}` is priced in {}, the product in {}",
                    a.currency, main.currency
                ),
            ));
        }
        if let Some(rule) = &a.compatible_with
            && !rule.allows(main.product_type, main.product_id.as_str())
        {
            return Err(unprocessable(
                &field,
                format!(
                    "add-on `{addon_id}` ({}) cannot be added to {} ({}); it goes on {}",
                    a.product_name,
                    main.product_name,
                    main.product_type,
                    rule.describe(|id| products::get(conn, id)
                        .ok()
                        .flatten()
                        .map(|p| p.product.product_name))
                ),
            ));
        }
        if !seen.insert(addon_id.clone()) {
            return Err(unprocessable(
                &field,
                format!("add-on `{addon_id}` is listed twice"),
            ));
        }
        if let Some(u) = &a.usage {
            if usage.iter().any(|(_, p)| p.metric == u.metric) {
                return Err(unprocessable(
                    &field,
                    format!(
                        "add-on `{addon_id}` prices the metric {}, which the plan already prices",
                        u.metric
                    ),
                ));
            }
            usage.push((addon_id.clone(), u.clone()));
        }
        out.push((
            a.product_id.clone(),
            a.product_name.clone(),
            addon.price_minor,
        ));
    }
    Ok(CheckedPlan {
        price_minor: product.price_minor,
        currency: main.currency,
        product: product.product,
        addons: out,
        usage,
    })
}
