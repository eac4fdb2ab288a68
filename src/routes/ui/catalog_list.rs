//! The catalog's list: filtered by type and status, sorted, a page at a time.

use std::str::FromStr;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::Authed;
use super::format;
use super::layout::{LayoutCtx, render};
use super::pager::Pager;
use super::sort::Sorter;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::list_order::{Order, SortKey};
use crate::domain::product::Product;
use crate::domain::product::ProductFilter;
use crate::routes::state::AppState;
use crate::service::products as service;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default, rename = "type")]
    product_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    page: Option<String>,
}

/// How the catalog can be sorted. It holds tens of products, not thousands, so it is sorted
/// in memory after it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    Added,
    Name,
    Type,
    Price,
}

impl SortKey for ProductSort {
    const KEYS: &'static [(Self, &'static str)] = &[
        (ProductSort::Added, "added"),
        (ProductSort::Name, "name"),
        (ProductSort::Type, "type"),
        (ProductSort::Price, "price"),
    ];
}

const DEFAULT_ORDER: Order<ProductSort> = Order {
    by: ProductSort::Added,
    desc: false,
};

fn sort_products(products: &mut [Product], order: Order<ProductSort>) {
    match order.by {
        ProductSort::Added => {}
        ProductSort::Name => {
            products.sort_by_key(|p| p.product_name.to_lowercase());
        }
        ProductSort::Type => products.sort_by_key(|p| format::word(p.product_type)),
        ProductSort::Price => {
            products.sort_by(|a, b| {
                (a.currency.as_str(), a.monthly_price).cmp(&(b.currency.as_str(), b.monthly_price))
            });
        }
    }
    if order.desc {
        products.reverse();
    }
}

/// Products per catalog page.
const PAGE_SIZE: usize = 25;

#[derive(Template)]
#[template(path = "pages/catalog/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    products: Vec<Product>,
    product_type: String,
    status: String,
    types: &'static [ProductType],
    statuses: &'static [ProductStatus],
    pager: Pager,
    sorter: Sorter,
}

impl ListPage {
    pub fn price(&self, p: &Product) -> String {
        format::money(p.currency, p.monthly_price)
    }
}

fn parse_filter<T: FromStr<Err = String>>(field: &str, v: &str) -> Result<Option<T>, UiError> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|e| UiError::BadRequest(format!("{field}: {e}")))
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let q = q.into_inner();
    let filter = ProductFilter {
        product_type: parse_filter("type", &q.product_type)?,
        status: parse_filter("status", &q.status)?,
    };
    let order =
        Order::parse(&q.sort, DEFAULT_ORDER).map_err(|e| UiError::BadRequest(e.to_string()))?;
    let mut all = service::list(&state.db, filter).await?;
    sort_products(&mut all, order);
    let page_no = match q.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            UiError::BadRequest("page: must be a whole number of at least 1".into())
        })?,
    };
    let params = [
        ("type", q.product_type.as_str()),
        ("status", q.status.as_str()),
    ];
    let sort_param = order.to_param();
    let mut with_sort = params.to_vec();
    if !q.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let pager = Pager::new(
        "/admin/catalog",
        &with_sort,
        page_no as u32,
        PAGE_SIZE as u32,
        all.len() as u64,
    )
    .counting("product", "products");
    let sorter = Sorter::new("/admin/catalog", &params, order, &[]).offering(&[
        ("added", "As added"),
        ("name", "Name, A to Z"),
        ("-name", "Name, Z to A"),
        ("type", "Type"),
        ("price", "Price, lowest first"),
        ("-price", "Price, highest first"),
    ]);
    let products = all
        .into_iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let page = ListPage {
        layout: auth.layout("catalog", "Catalog"),
        pager,
        sorter,
        products,
        product_type: q.product_type,
        status: q.status,
        types: ProductType::ALL,
        statuses: ProductStatus::ALL,
    };
    render(&page, &page.layout)
}
