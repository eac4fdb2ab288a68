//! The catalog: products with their monthly and usage prices and, for add-ons, what they can be
//! added to. A price change reaches existing subscriptions from the first day of the next
//! period; new subscriptions pay it at once.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::db::Db;
use crate::db::products::{self as sql, StoredProduct};
use crate::db::record::Recorder;
use crate::db::{plan_switch, usage};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::event::EventType;
use crate::domain::ids::ProductId;
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::product::{Product, ProductDraft, ProductFilter, ProductPatch};
use crate::error::ServiceError;

pub async fn list(db: &Db, filter: ProductFilter) -> Result<Vec<Product>, ServiceError> {
    db.read_now(move |conn| Ok(sql::list(conn, filter)?)).await
}

pub async fn get(db: &Db, id: &ProductId) -> Result<Product, ServiceError> {
    let id = id.to_owned();
    db.read_now(move |conn| {
        sql::get(conn, id.as_str())?
            .map(|p| p.product)
            .ok_or_else(|| ServiceError::not_found("product", id))
    })
    .await
}

/// The products an add-on's `compatibleWith` names must be main products of the catalog.
fn check_compatibility(conn: &Connection, draft: &ProductDraft) -> Result<(), ServiceError> {
    let Some(rule) = &draft.addon_for else {
        return Ok(());
    };
    for (i, id) in rule.product_ids.iter().enumerate() {
        let field = format!("compatibleWith.productIds[{i}]");
        match sql::get(conn, id)? {
            None => {
                return Err(ServiceError::Unprocessable(FieldError::new(
                    field,
                    format!("product `{id}` does not exist"),
                )));
            }
            Some(p) if p.product.product_type == ProductType::Addon => {
                return Err(ServiceError::Unprocessable(FieldError::new(
                    field,
                    format!("product `{id}` is an add-on; add-ons go on main products"),
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn read(conn: &Connection, id: &str) -> Result<Product, ServiceError> {
    sql::get(conn, id)?
        .map(|p| p.product)
        .ok_or_else(|| ServiceError::not_found("product", id))
}

/// Adds an `Active` product to the catalog.
pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    draft: ProductDraft,
) -> Result<Product, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        check_compatibility(conn, &draft)?;
        let id = sql::insert(conn, &draft, ProductStatus::Active, &now)?;
        let product = read(conn, id.as_str())?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::ProductCreated,
            ("product", id.as_str()),
            None::<&Product>,
            &product,
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}

/// Replaces a product's fields (the admin UI's form).
pub async fn update(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
    draft: ProductDraft,
) -> Result<Product, ServiceError> {
    change(db, clock, origin, id, move |_| Ok((draft, None))).await
}

/// Changes the fields a `PATCH` sends, its status included (`Active` puts a discontinued
/// product back on sale).
pub async fn patch(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
    patch: ProductPatch,
) -> Result<Product, ServiceError> {
    change(db, clock, origin, id, move |current| {
        Ok((patch.apply(current)?, patch.status))
    })
    .await
}

/// Changes a product. A product cannot turn into an add-on or back, since subscriptions refer to
/// it in that role. A new monthly or usage price reaches the subscriptions that have it from the
/// first day of the next period.
async fn change<F>(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
    f: F,
) -> Result<Product, ServiceError>
where
    F: FnOnce(&Product) -> Result<(ProductDraft, Option<ProductStatus>), ServiceError>
        + Send
        + 'static,
{
    let (now, today, origin) = (clock.timestamp(), clock.today(), origin.clone());
    let id = id.to_owned();
    db.write(move |conn| {
        let current =
            sql::get(conn, id.as_str())?.ok_or_else(|| ServiceError::not_found("product", &id))?;
        let (draft, status) = f(&current.product)?;
        let was_addon = current.product.product_type == ProductType::Addon;
        if was_addon != (draft.product_type == ProductType::Addon) {
            return Err(ServiceError::Unprocessable(FieldError::new(
                "productType",
                "cannot change between Addon and a main product type; add a new product instead",
            )));
        }
        check_compatibility(conn, &draft)?;
        sql::update(conn, id.as_str(), &draft, &now)?;
        if let Some(status) = status {
            sql::set_status(conn, id.as_str(), status, &now)?;
        }
        schedule_prices(conn, &current, &draft, today)?;
        let product = read(conn, id.as_str())?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.event(EventType::ProductUpdated, &product)?;
        let action = match (current.product.status, product.status) {
            (ProductStatus::Active, ProductStatus::Discontinued) => "product.discontinued",
            (ProductStatus::Discontinued, ProductStatus::Active) => "product.reactivated",
            _ => EventType::ProductUpdated.as_str(),
        };
        rec.audit(
            action,
            ("product", id.as_str()),
            Some(&current.product),
            Some(&product),
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}

/// The first day of the period after `today`: when a price change reaches existing
/// subscriptions.
pub fn price_change_date(today: NaiveDate) -> NaiveDate {
    Period::containing(today).next().first_day()
}

/// Schedules a changed monthly price, and a changed usage price of the same metric, for the
/// subscriptions that have the product. (A usage price for another metric, or none, applies to
/// new subscriptions only: existing ones keep the metric they were sold.)
fn schedule_prices(
    conn: &Connection,
    current: &StoredProduct,
    draft: &ProductDraft,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let from = price_change_date(today);
    let id = current.product.product_id.as_str();
    let price = draft
        .currency
        .to_minor(draft.monthly_price)
        .ok_or_else(|| FieldError::new("monthlyPrice", "is too large"))?;
    if price != current.price_minor {
        plan_switch::schedule_charge(conn, id, price, from, today)?;
    }
    if let (Some(old), Some(new)) = (&current.product.usage, &draft.usage)
        && old != new
        && old.metric == new.metric
    {
        usage::schedule_price(conn, id, new, from, today)?;
    }
    Ok(())
}

/// Takes a product off sale: nobody can subscribe to it any more; existing subscriptions go on.
pub async fn discontinue(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
) -> Result<Product, ServiceError> {
    set_status(db, clock, origin, id, ProductStatus::Discontinued).await
}

/// Puts a product on sale (again) or takes it off.
pub async fn set_status(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
    status: ProductStatus,
) -> Result<Product, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    let id = id.to_owned();
    db.write(move |conn| {
        let current = read(conn, id.as_str())?;
        if current.status == status {
            return Err(ServiceError::Conflict(format!(
                "product `{id}` is already {status}"
            )));
        }
        sql::set_status(conn, id.as_str(), status, &now)?;
        let product = read(conn, id.as_str())?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.event(EventType::ProductUpdated, &product)?;
        let action = match status {
            ProductStatus::Discontinued => "product.discontinued",
            ProductStatus::Active => "product.reactivated",
        };
        rec.audit(
            action,
            ("product", id.as_str()),
            Some(&current),
            Some(&product),
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}
