//! CSV exports of customers, subscriptions, invoices (with what is still due), payments and the
//! aging report. The header names are the API's field names (a nested field as
//! `address.city`), money is a plain decimal, the file is UTF-8 without a byte-order mark.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::db::Db;
use crate::db::exports as sql;
pub use crate::db::exports::Range;
use crate::domain::FieldError;
use crate::domain::customer::CustomerFilter;
use crate::domain::enums::InvoiceStatus;
use crate::error::ServiceError;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Customers,
    Subscriptions,
    Invoices,
    Payments,
}

impl ExportKind {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "customers" => Ok(Self::Customers),
            "subscriptions" => Ok(Self::Subscriptions),
            "invoices" => Ok(Self::Invoices),
            "payments" => Ok(Self::Payments),
            other => Err(FieldError::new(
                "what",
                format!(
                    "`{other}` cannot be exported; choose customers, subscriptions, invoices or payments"
                ),
            )),
        }
    }
}

const ADDRESS: [&str; 5] = ["street", "city", "state", "postalCode", "country"];

/// The columns of customers, in order: also what an import reads.
pub fn customer_columns() -> Vec<String> {
    let mut cols: Vec<String> = [
        "customerId",
        "accountNumber",
        "customerType",
        "status",
        "firstName",
        "lastName",
        "companyName",
        "email",
        "phone",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for prefix in ["address", "billingAddress"] {
        cols.extend(ADDRESS.iter().map(|p| format!("{prefix}.{p}")));
    }
    cols.extend(
        [
            "taxExempt",
            "contactPerson",
            "taxId",
            "notes",
            "createdAt",
            "updatedAt",
        ]
        .map(str::to_owned),
    );
    cols
}

/// The columns of subscriptions, in order: also what an import reads. `addons` holds the
/// add-ons' names, separated by `;`.
pub fn subscription_columns() -> Vec<String> {
    [
        "subscriptionId",
        "customerId",
        "productId",
        "productName",
        "status",
        "startDate",
        "endDate",
        "monthlyCharge",
        "currency",
        "addons",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn columns(kind: ExportKind) -> Vec<String> {
    let list: &[&str] = match kind {
        ExportKind::Customers => return customer_columns(),
        ExportKind::Subscriptions => return subscription_columns(),
        ExportKind::Invoices => &[
            "invoiceId",
            "invoiceNumber",
            "customerId",
            "status",
            "invoiceDate",
            "dueDate",
            "period",
            "currency",
            "netAmount",
            "taxRatePercent",
            "taxAmount",
            "totalAmount",
            "amountPaid",
            "amountCredited",
            "amountDue",
        ],
        ExportKind::Payments => &[
            "paymentId",
            "invoiceId",
            "amount",
            "currency",
            "paidAt",
            "method",
            "reference",
            "createdAt",
        ],
    };
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A record's fields as the API's JSON has them, exactly (numbers keep their digits).
fn cells<T: Serialize>(item: &T, cols: &[String]) -> Result<Vec<String>, ServiceError> {
    let json = serde_json::to_string(item).map_err(|e| ServiceError::Unexpected(e.into()))?;
    let top: std::collections::HashMap<String, Box<RawValue>> =
        serde_json::from_str(&json).map_err(|e| ServiceError::Unexpected(e.into()))?;
    let text = |raw: &RawValue| -> String {
        let t = raw.get();
        if t.starts_with('[') {
            // A list (a subscription's add-ons): the names of its items, separated by `;`: an
            // import into another data folder finds them by name (ids are each folder's own).
            return serde_json::from_str::<Vec<serde_json::Value>>(t)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.get("addonName").and_then(|n| n.as_str()))
                .collect::<Vec<_>>()
                .join(";");
        }
        if t.starts_with('"') {
            serde_json::from_str::<String>(t).unwrap_or_default()
        } else if t == "null" {
            String::new()
        } else {
            t.to_owned()
        }
    };
    Ok(cols
        .iter()
        .map(|c| match c.split_once('.') {
            Some((outer, inner)) => top
                .get(outer)
                .and_then(|raw| {
                    serde_json::from_str::<std::collections::HashMap<String, Box<RawValue>>>(
                        raw.get(),
                    )
                    .ok()
                })
                .and_then(|m| m.get(inner).map(|r| text(r)))
                .unwrap_or_default(),
            None => top.get(c.as_str()).map(|r| text(r)).unwrap_or_default(),
        })
        .collect())
}

fn write<T: Serialize>(items: &[T], cols: &[String]) -> Result<Vec<u8>, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Unexpected(e.into());
    w.write_record(cols).map_err(fail)?;
    for item in items {
        w.write_record(cells(item, cols)?).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("{e}")))
}

/// Filters a list page may carry into its export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub customers: CustomerFilter,
    pub invoice_status: Option<InvoiceStatus>,
}

/// The CSV of `kind` in `range` (customers by creation, subscriptions by start, invoices by
/// date, payments by the day paid).
pub async fn export(
    db: &Db,
    kind: ExportKind,
    range: Range,
    filter: ExportFilter,
) -> Result<Vec<u8>, ServiceError> {
    if let (Some(from), Some(to)) = (range.from, range.to)
        && from > to
    {
        return Err(FieldError::new("from", format!("{from} is after to {to}")).into());
    }
    db.read(move |conn| {
        let tx = conn.unchecked_transaction()?;
        let cols = columns(kind);
        match kind {
            ExportKind::Customers => write(&sql::customers(&tx, range, &filter.customers)?, &cols),
            ExportKind::Subscriptions => {
                let mut subs = Vec::new();
                for id in sql::subscriptions(&tx, range)? {
                    subs.extend(crate::db::subscriptions::get(&tx, &id)?);
                }
                write(&subs, &cols)
            }
            ExportKind::Invoices => {
                write(&sql::invoices(&tx, range, filter.invoice_status)?, &cols)
            }
            ExportKind::Payments => write(&sql::payments(&tx, range)?, &cols),
        }
    })
    .await
}

/// The Subscriptions list's export: every subscription its filters show, in its order.
pub async fn subscriptions_csv(
    db: &Db,
    listing: crate::domain::record_lists::SubscriptionListing,
) -> Result<Vec<u8>, ServiceError> {
    let query = super::record_lists::subscription_query(&listing)?;
    db.read(move |conn| {
        let rows = crate::db::subscription_lists::all(conn, &query, listing.order)?;
        write(&rows, &columns(ExportKind::Subscriptions))
    })
    .await
}

/// The Payments list's export: every payment its filters show (days in `tz`), in its order.
pub async fn payments_csv(
    db: &Db,
    tz: chrono_tz::Tz,
    listing: crate::domain::record_lists::PaymentListing,
) -> Result<Vec<u8>, ServiceError> {
    let query = super::record_lists::payment_query(tz, &listing);
    db.read(move |conn| {
        let rows = crate::db::payment_lists::all(conn, &query, listing.order)?;
        write(&rows, &columns(ExportKind::Payments))
    })
    .await
}

/// The aging report as CSV: one row per customer and currency.
pub fn aging_csv(aging: &super::collections::Aging) -> Result<Vec<u8>, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Unexpected(e.into());
    w.write_record([
        "customerId",
        "customerName",
        "accountNumber",
        "currency",
        "notYetDue",
        "days1To30",
        "days31To60",
        "days61To90",
        "daysOver90",
        "total",
    ])
    .map_err(fail)?;
    for r in &aging.rows {
        let mut rec = vec![
            r.customer_id.to_string(),
            r.customer_name.clone(),
            r.account_number.clone(),
            r.currency.to_string(),
        ];
        rec.extend(
            r.buckets
                .iter()
                .map(|v| r.currency.from_minor(*v).to_string()),
        );
        rec.push(r.currency.from_minor(r.total).to_string());
        w.write_record(rec).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("{e}")))
}
