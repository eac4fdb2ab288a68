//! The Payments list: every payment across invoices, narrowed by method and the days paid (in
//! the operator's time zone), found by invoice number, customer or reference, sorted, counted,
//! totalled per currency, and exported as CSV with the same filters (`csv::export_list`).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::UiError;
use super::extract::Authed;
use super::format;
use super::layout::{FormState, LayoutCtx, render};
use super::pager::{self, PAGE_SIZE, Pager};
use super::sort::Sorter;
use crate::domain::enums::PaymentMethod;
use crate::domain::origin::Actor;
use crate::domain::record_lists::{PaymentFilters, PaymentListing};
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::record_lists::{self, PaymentLine};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// An invoice number, a customer's name or account number, or a reference.
    #[serde(default)]
    q: String,
    #[serde(default)]
    method: String,
    /// Days paid from and to.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    page: Option<String>,
}

impl ListQuery {
    fn params(&self) -> [(&'static str, &str); 4] {
        [
            ("q", self.q.as_str()),
            ("method", self.method.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
    }

    fn filters(&self) -> PaymentFilters<'_> {
        PaymentFilters {
            q: &self.q,
            method: &self.method,
            from: &self.from,
            to: &self.to,
            sort: &self.sort,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/payments/list.html")]
pub struct ListPage {
    layout: LayoutCtx,
    query: ListQuery,
    filters: FormState,
    methods: &'static [PaymentMethod],
    rows: Vec<PaymentLine>,
    pager: Pager,
    sorter: Sorter,
    /// Every match per currency: (how many, amounts added up); `None` when a search found too
    /// many to add up.
    totals: Option<Vec<(String, String)>>,
    /// The export of exactly what the list holds.
    export: String,
}

impl ListPage {
    pub fn who(&self, a: &Option<Actor>) -> String {
        a.as_ref().map(format::actor).unwrap_or_default()
    }
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
    let wanted = PaymentListing::parse(query.filters());
    let order = wanted
        .as_ref()
        .map_or(PaymentListing::DEFAULT_ORDER, |l| l.order);
    let result = match wanted {
        Ok(l) => record_lists::payments(&state.db, auth.tz, l, page).await,
        Err(e) => Err(e.into()),
    };
    let (rows, total, capped, totals) = match result {
        Ok(r) => (r.rows, r.total, r.capped, r.totals),
        Err(ServiceError::Invalid(e)) => {
            filters = filters.refuse(e);
            (Vec::new(), 0, false, Some(Vec::new()))
        }
        Err(e) => return Err(e.into()),
    };
    let sort_param = order.to_param();
    let mut with_sort: Vec<(&str, &str)> = params.to_vec();
    if !query.sort.is_empty() {
        with_sort.push(("sort", sort_param.as_str()));
    }
    let mut pager = Pager::new("/admin/payments", &with_sort, page.page, PAGE_SIZE, total)
        .counting("payment", "payments");
    pager.capped = capped;
    let sorter = Sorter::new("/admin/payments", &params, order, &["paid", "amount"]).offering(&[
        ("-paid", "Date paid, newest first"),
        ("paid", "Date paid, oldest first"),
        ("-amount", "Amount, highest first"),
        ("amount", "Amount, lowest first"),
    ]);
    let totals = totals.map(|rows| {
        rows.into_iter()
            .map(|t| {
                (
                    format::plural(t.count, "payment", "payments"),
                    format::money_minor(t.currency, t.total),
                )
            })
            .collect()
    });
    let page = ListPage {
        layout: auth.layout("payments", "Payments"),
        export: pager::link("/admin/payments/export.csv", &with_sort),
        filters,
        methods: PaymentMethod::ALL,
        rows,
        pager,
        sorter,
        totals,
        query,
    };
    render(&page, &page.layout)
}
