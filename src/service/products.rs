use crate::db::Db;
use crate::db::products as sql;
use crate::domain::clock::Clock;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::ids::ProductId;
use crate::domain::product::ProductFilter;
use crate::domain::product::{Product, ProductDraft};

use crate::db::record::Recorder;
use crate::domain::origin::Origin;
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

/// Adds an `Active` product to the catalog.
pub async fn create(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    draft: ProductDraft,
) -> Result<Product, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let id = sql::insert(conn, &draft, ProductStatus::Active, &now)?;
        let product = sql::get(conn, id.as_str())?
            .map(|p| p.product)
            .ok_or_else(|| ServiceError::not_found("product", id.as_str()))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.audit(
            "product.created",
            ("product", id.as_str()),
            None::<&Product>,
            Some(&product),
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}

/// Changes a product. A new price applies to subscriptions made from now on: existing ones keep
/// the charge they copied when they were made. A product cannot turn into an add-on or back,
/// since subscriptions refer to it in that role.
pub async fn update(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
    draft: ProductDraft,
) -> Result<Product, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    let id = id.to_owned();
    db.write(move |conn| {
        let current =
            sql::get(conn, id.as_str())?.ok_or_else(|| ServiceError::not_found("product", &id))?;
        let was_addon = current.product.product_type == ProductType::Addon;
        if was_addon != (draft.product_type == ProductType::Addon) {
            return Err(ServiceError::Unprocessable(crate::domain::FieldError::new(
                "productType",
                "cannot change between Addon and a main product type; add a new product instead",
            )));
        }
        sql::update(conn, id.as_str(), &draft, &now)?;
        let product = sql::get(conn, id.as_str())?
            .map(|p| p.product)
            .ok_or_else(|| ServiceError::not_found("product", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.audit(
            "product.updated",
            ("product", id.as_str()),
            Some(&current.product),
            Some(&product),
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}

/// Takes a product off sale: nobody can subscribe to it any more; existing subscriptions go on.
pub async fn discontinue(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    id: &ProductId,
) -> Result<Product, ServiceError> {
    let (now, origin) = (clock.timestamp(), origin.clone());
    let id = id.to_owned();
    db.write(move |conn| {
        let current =
            sql::get(conn, id.as_str())?.ok_or_else(|| ServiceError::not_found("product", &id))?;
        if current.product.status == ProductStatus::Discontinued {
            return Err(ServiceError::Conflict(format!(
                "product `{id}` is already discontinued"
            )));
        }
        sql::set_status(conn, id.as_str(), ProductStatus::Discontinued, &now)?;
        let product = sql::get(conn, id.as_str())?
            .map(|p| p.product)
            .ok_or_else(|| ServiceError::not_found("product", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.audit(
            "product.discontinued",
            ("product", id.as_str()),
            Some(&current.product),
            Some(&product),
        )?;
        rec.answer(&product)?;
        Ok(product)
    })
    .await
}
