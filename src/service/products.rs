use crate::db::Db;
use crate::db::products::{self as sql, ProductFilter};
use crate::domain::product::Product;

use super::ServiceError;

pub async fn list(db: &Db, filter: ProductFilter) -> Result<Vec<Product>, ServiceError> {
    db.read(move |conn| Ok(sql::list(conn, filter)?)).await
}
