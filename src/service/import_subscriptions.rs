//! Importing the subscriptions of the customers being migrated: a second CSV file with the
//! columns of the subscriptions export. Each row names its customer by `customerId`: the
//! `customerId` a row of the customers file carries (the other system's id, so the two files
//! exported from one system fit together), or the id of a customer already in edgebss.
//!
//! A migrated subscription keeps its start date, however long ago: edgebss bills it from the
//! first bill run it makes, so the period the other system billed last must not be run again.
//! Charges come from the catalog, as for a subscription made through the API; a
//! `monthlyCharge` or `currency` in the file must agree with it, so that a price never changes
//! silently on the way in.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::import::{ImportFile, RowError};
use super::import_csv::{Line, Sheet};
use crate::domain::FieldError;
use crate::domain::date::{YEARS_AHEAD, latest_date, parse_date};
use crate::domain::enums::SubscriptionStatus;
use crate::domain::money::Currency;

/// A subscriptions file to import with the customers.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionsFile<'a> {
    pub data: &'a [u8],
    /// The last day the other system billed: days up to it count as billed here (see
    /// [`default_billed_through`]).
    pub billed_through: NaiveDate,
}

/// The last day of the month before `today`: the usual last day another system billed, for a
/// move made during a month before its bill run.
pub fn default_billed_through(today: NaiveDate) -> NaiveDate {
    today
        .with_day(1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(today)
}

/// A billed-through day can be at most the last day of the current month (what was billed in
/// advance for it).
pub fn check_billed_through(d: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    let last = crate::domain::period::Period::containing(today).last_day();
    if d > last {
        return Err(FieldError::new(
            "billedThrough",
            format!(
                "{d} is after the end of this month ({last}): no other system has billed that far"
            ),
        ));
    }
    Ok(())
}

/// Most add-ons on one subscription, as through the API.
const MAX_ADDONS: usize = 20;

/// A subscription row that parsed; its catalog rules are checked against the store.
#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    pub line: u64,
    /// The `customerId` it names: of a row of the customers file, or of a stored customer.
    pub customer: String,
    /// Its `productId`, or empty when only its name is given.
    pub product_id: String,
    pub product_name: Option<String>,
    pub start_date: NaiveDate,
    /// Add-ons by id or name.
    pub addons: Vec<String>,
    pub monthly_charge: Option<Decimal>,
    pub currency: Option<Currency>,
}

/// The columns a subscriptions file may have: those of the subscriptions export.
fn columns() -> Vec<String> {
    super::export::subscription_columns()
}

pub(super) fn error(line: u64, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        file: ImportFile::Subscriptions,
        line,
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The good rows of a file and the errors of the bad ones.
pub type ParsedRows = (Vec<SubscriptionRow>, Vec<RowError>);

/// Reads every row of a subscriptions file: the good rows and every bad row's error; `Err` when
/// its header cannot be used.
pub fn parse(data: &[u8], today: NaiveDate) -> Result<ParsedRows, Vec<RowError>> {
    let sheet = Sheet::open(
        ImportFile::Subscriptions,
        data,
        &columns(),
        &["customerId", "startDate"],
    )?;
    if !sheet.has("productId") && !sheet.has("productName") {
        return Err(vec![sheet.error(
            1,
            FieldError::new("productId", "this column (or productName) is required"),
        )]);
    }
    let mut rows = Vec::new();
    let errors = sheet.rows(|row| {
        rows.push(parse_row(row, today)?);
        Ok(())
    });
    Ok((rows, errors))
}

fn parse_row(row: &Line<'_>, today: NaiveDate) -> Result<SubscriptionRow, FieldError> {
    let (line, cell) = (row.line, |name: &str| row.cell(name));
    let required = |name: &str| {
        cell(name)
            .map(str::to_owned)
            .ok_or_else(|| FieldError::new(name, "is empty; every subscription needs one"))
    };
    let customer = required("customerId")?;
    let product_id = cell("productId").unwrap_or_default().to_owned();
    let product_name = cell("productName").map(str::to_owned);
    if product_id.is_empty() && product_name.is_none() {
        return Err(FieldError::new(
            "productId",
            "is empty, and so is productName; every subscription needs a product",
        ));
    }
    let start_date = parse_date("startDate", &required("startDate")?)?;
    let latest = latest_date(today);
    if start_date > latest {
        return Err(FieldError::new(
            "startDate",
            format!(
                "{start_date} is too far ahead; the latest start is {latest}, {YEARS_AHEAD} years from today"
            ),
        ));
    }
    if let Some(end) = cell("endDate") {
        return Err(FieldError::new(
            "endDate",
            format!("`{end}`: an ended subscription is history and is not imported"),
        ));
    }
    if let Some(status) = cell("status") {
        let expected = if start_date > today {
            SubscriptionStatus::Pending
        } else {
            SubscriptionStatus::Active
        };
        if status != expected.to_string() {
            return Err(FieldError::new(
                "status",
                format!(
                    "`{status}` cannot be imported for a start on {start_date}: it is {expected} \
                     (leave the column empty to have it follow the start date)"
                ),
            ));
        }
    }
    let currency = cell("currency")
        .map(|c| Currency::parse("currency", c))
        .transpose()?;
    let monthly_charge = cell("monthlyCharge")
        .map(|v| {
            v.parse::<Decimal>().map_err(|_| {
                FieldError::new(
                    "monthlyCharge",
                    format!("`{v}` is not an amount (a plain decimal such as 49.99)"),
                )
            })
        })
        .transpose()?;
    let addons: Vec<String> = cell("addons")
        .map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if addons.len() > MAX_ADDONS {
        return Err(FieldError::new(
            "addons",
            format!("at most {MAX_ADDONS} add-ons per subscription"),
        ));
    }
    Ok(SubscriptionRow {
        line,
        customer,
        product_id,
        product_name,
        start_date,
        addons,
        monthly_charge,
        currency,
    })
}
