//! SQL for `products`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::enums::ProductStatus;
use crate::domain::ids::ProductId;
use crate::domain::money::Currency;
use crate::domain::product::{Compatibility, Product, ProductDraft, ProductFilter};
use crate::domain::usage::UsagePrice;

const COLUMNS: &str = "id, name, product_type, description, monthly_price, currency, features, \
    status, usage, addon_for";

fn json_error(idx: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// A product with its price in minor units, as the billing and subscription code wants it.
#[derive(Debug, Clone)]
pub struct StoredProduct {
    pub product: Product,
    pub price_minor: i64,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredProduct> {
    let currency: Currency = row.get(5)?;
    let price_minor: i64 = row.get(4)?;
    let features: String = row.get(6)?;
    let features = serde_json::from_str(&features).map_err(|e| json_error(6, e))?;
    let usage: Option<String> = row.get(8)?;
    let usage = usage
        .map(|u| UsagePrice::from_stored(&u))
        .transpose()
        .map_err(|e| json_error(8, e))?;
    let addon_for: Option<String> = row.get(9)?;
    let compatible_with = addon_for
        .map(|a| serde_json::from_str::<Compatibility>(&a))
        .transpose()
        .map_err(|e| json_error(9, e))?;
    Ok(StoredProduct {
        product: Product {
            product_id: row.get(0)?,
            product_name: row.get(1)?,
            product_type: row.get(2)?,
            description: row.get(3)?,
            monthly_price: currency.from_minor(price_minor),
            currency,
            features,
            status: row.get(7)?,
            usage,
            compatible_with,
        },
        price_minor,
    })
}

/// The catalog in the order products were added.
pub fn list(conn: &Connection, filter: ProductFilter) -> rusqlite::Result<Vec<Product>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM products \
         WHERE (?1 IS NULL OR product_type = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY seq"
    ))?
    .query_map(params![filter.product_type, filter.status], |r| {
        from_row(r).map(|p| p.product)
    })?
    .collect()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<StoredProduct>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM products WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The ids of the Active products named `name` exactly, oldest first: how an import finds a
/// product another system knew by its name.
pub fn active_named(conn: &Connection, name: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT id FROM products WHERE name = ?1 AND status = 'Active' ORDER BY seq",
    )?
    .query_map([name], |r| r.get(0))?
    .collect()
}

pub fn insert(
    conn: &Connection,
    p: &ProductDraft,
    status: ProductStatus,
    now: &str,
) -> rusqlite::Result<ProductId> {
    let id = ProductId::generate();
    let price = p
        .currency
        .to_minor(p.monthly_price)
        .ok_or_else(|| rusqlite::Error::ToSqlConversionFailure("price out of range".into()))?;
    let (features, usage, addon_for) = stored_json(p)?;
    conn.prepare_cached(
        "INSERT INTO products (id, name, product_type, description, monthly_price, currency, \
         features, status, created_at, updated_at, usage, addon_for) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        p.name,
        p.product_type,
        p.description,
        price,
        p.currency,
        features,
        status,
        now,
        usage,
        addon_for
    ])?;
    Ok(id)
}

/// Replaces a product's fields. Subscriptions keep the price they copied when made.
pub fn update(conn: &Connection, id: &str, p: &ProductDraft, now: &str) -> rusqlite::Result<bool> {
    let price = p
        .currency
        .to_minor(p.monthly_price)
        .ok_or_else(|| rusqlite::Error::ToSqlConversionFailure("price out of range".into()))?;
    let (features, usage, addon_for) = stored_json(p)?;
    let n = conn
        .prepare_cached(
            "UPDATE products SET name = ?2, product_type = ?3, description = ?4, \
             monthly_price = ?5, currency = ?6, features = ?7, updated_at = ?8, usage = ?9, \
             addon_for = ?10 WHERE id = ?1",
        )?
        .execute(params![
            id,
            p.name,
            p.product_type,
            p.description,
            price,
            p.currency,
            features,
            now,
            usage,
            addon_for
        ])?;
    Ok(n == 1)
}

pub fn set_status(
    conn: &Connection,
    id: &str,
    status: ProductStatus,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("UPDATE products SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, now])?;
    Ok(n == 1)
}

/// The JSON columns of a product: features, usage price, add-on compatibility.
fn stored_json(p: &ProductDraft) -> rusqlite::Result<(String, Option<String>, Option<String>)> {
    let to_sql = |e: serde_json::Error| rusqlite::Error::ToSqlConversionFailure(Box::new(e));
    let features = serde_json::to_string(&p.features).map_err(to_sql)?;
    let usage = p.usage.as_ref().map(UsagePrice::to_stored);
    let addon_for = p
        .addon_for
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(to_sql)?;
    Ok((features, usage, addon_for))
}
