//! The Subscriptions list: every subscription across customers, narrowed by status, product and
//! start date, found by customer, sorted, counted, its monthly charges totalled per currency,
//! and exported as CSV with the same filters (`csv::export_list`).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::Authed;
use super::format;
use super::layout::{FormState, LayoutCtx, render};
use super::pager::{self, PAGE_SIZE, Pager};
use super::sort::Sorter;
use crate::domain::enums::{ProductStatus, SubscriptionStatus};
use crate::domain::record_lists::{SubscriptionFilters, SubscriptionListing};
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::record_lists::{self, SubscriptionLine};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// A customer's name, account number or e-mail.
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    product: String,
    /// Start dates from and to.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    page: Option<String>,
}

impl ListQuery {
    fn params(&self) -> [(&'static str, &str); 5] {
        [
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("product", self.product.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
    }

    fn filters(&self) -> SubscriptionFilters<'_> {
        SubscriptionFilters {
            q: &self.q,
            status: &self.status,
            product: &self.product,
            from: &self.from,
            to: &self.to,
            sort: &self.sort,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/subscriptions/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    query: ListQuery,
    filters: FormState,
    statuses: &'static [SubscriptionStatus],
    /// The catalog's products: (id, name as the filter offers it).
    products: Vec<(String, String)>,
    rows: Vec<SubscriptionLine>,
    pager: Pager,
    sorter: Sorter,
    /// Every match per currency: (how many, monthly charges added up).
    totals: Vec<(String, String)>,
    /// The list holds the subscriptions of the customers a search found.
    searching: bool,
    /// The export of exactly what the list holds.
    export: String,
}

pub async fn list(
    state: web::Data<AppState>,
    auth: Authed,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, UiError> {
    let query = q.into_inner();
    let page = pager::page_request(query.page.as_deref())?;
    let params = query.params();
    let mut filters = FormState::from_values(
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let wanted = SubscriptionListing::parse(query.filters());
    let order = wanted
        .as_ref()
        .map_or(SubscriptionListing::DEFAULT_ORDER, |l| l.order);
    let searching = wanted.as_ref().is_ok_and(|l| l.search.is_some());
    let result = match wanted {
        Ok(l) => record_lists::subscriptions(&state.db, l, page).await,
        Err(e) => Err(e.into()),
    };
    let (rows, total, totals) = match result {
        Ok(r) => (r.rows, r.total, r.totals.unwrap_or_default()),
        Err(ServiceError::Invalid(e)) => {
            filters = filters.refuse(e);
            (Vec::new(), 0, Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    let searching = searching && !filters.has_error("q");
    let products = record_lists::product_choices(&state.db)
        .await?
        .into_iter()
        .map(|(id, name, status)| {
            let label = match status {
                ProductStatus::Active => name,
                ProductStatus::Discontinued => format!("{name} (discontinued)"),
            };
            (id.to_string(), label)
        })
        .collect();
    let sort_param = order.to_param();
    let mut with_sort: Vec<(&str, &str)> = params.to_vec();
    if !query.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let pager = Pager::new(
        "/admin/subscriptions",
        &with_sort,
        page.page,
        PAGE_SIZE,
        total,
    )
    .counting("subscription", "subscriptions");
    let sorter = Sorter::new("/admin/subscriptions", &params, order, &["start", "charge"])
        .offering(&[
            ("-start", "Start date, newest first"),
            ("start", "Start date, oldest first"),
            ("-charge", "Monthly charge, highest first"),
            ("charge", "Monthly charge, lowest first"),
        ]);
    let totals = totals
        .into_iter()
        .map(|t| {
            (
                format::plural(t.count, "subscription", "subscriptions"),
                format::money_minor(t.currency, t.total),
            )
        })
        .collect();
    let page = ListPage {
        layout: auth.layout("subscriptions", "Subscriptions"),
        export: pager::link("/admin/subscriptions/export.csv", &with_sort),
        filters,
        statuses: SubscriptionStatus::ALL,
        products,
        rows,
        pager,
        sorter,
        totals,
        searching,
        query,
    };
    render(&page, &page.layout)
}
