//! Importing customers from CSV (migrating from another system): the columns of the customers
//! export, read in full first; every bad row is reported by line and field and nothing is
//! imported unless every row is good, then all rows are created in one transaction. A dry run
//! reports what would be created.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::record::Recorder;
use crate::db::{Db, customers};
use crate::domain::FieldError;
use crate::domain::address::AddressInput;
use crate::domain::clock::Clock;
use crate::domain::customer::{Customer, CustomerInput, NewCustomer};
use crate::domain::enums::{CustomerStatus, CustomerType};
use crate::domain::event::EventType;
use crate::domain::origin::Origin;
use crate::error::ServiceError;

/// Most rows one import takes.
pub const MAX_ROWS: usize = 100_000;

/// A refused row: its line in the file (the header is line 1), the column, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Line and name of each customer created (or to be created).
    pub customers: Vec<(u64, String)>,
}

struct Row {
    line: u64,
    customer: NewCustomer,
    status: CustomerStatus,
}

fn parse_rows(data: &[u8]) -> Result<Vec<Row>, Vec<RowError>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().from_reader(data);
    let header_error = |message: String, field: &str| {
        vec![RowError {
            line: 1,
            field: field.to_owned(),
            message,
        }]
    };
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("the header cannot be read: {e}"), "header"))?
        .clone();
    let known = super::export::customer_columns();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if !known.iter().any(|k| k == h) {
            return Err(header_error(
                format!(
                    "is not a column; the columns are those of the customers export: {}",
                    known.join(", ")
                ),
                h,
            ));
        }
        index.insert(h, i);
    }
    for required in ["customerType", "email"] {
        if !index.contains_key(required) {
            return Err(header_error("this column is required".to_owned(), required));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    field: "row".to_owned(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(RowError {
                line,
                field: "row".to_owned(),
                message: format!("an import takes at most {MAX_ROWS} rows"),
            });
            break;
        }
        match parse_row(&record, &index) {
            Ok((customer, status)) => rows.push(Row {
                line,
                customer,
                status,
            }),
            Err(e) => errors.push(RowError {
                line,
                field: e.field,
                message: e.message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(
    record: &csv::StringRecord,
    index: &HashMap<&str, usize>,
) -> Result<(NewCustomer, CustomerStatus), FieldError> {
    let cell = |name: &str| -> Option<&str> {
        index
            .get(name)
            .and_then(|i| record.get(*i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let customer_type: CustomerType = cell("customerType")
        .unwrap_or_default()
        .parse()
        .map_err(|e: String| FieldError::new("customerType", e))?;
    let address = |prefix: &str| -> Option<AddressInput> {
        let part = |p: &str| cell(&format!("{prefix}.{p}")).map(str::to_owned);
        let a = AddressInput {
            street: part("street"),
            city: part("city"),
            state: part("state"),
            postal_code: part("postalCode"),
            country: part("country"),
        };
        (a != AddressInput::default()).then_some(a)
    };
    let (home, billing) = (address("address"), address("billingAddress"));
    let mut customer = NewCustomer::parse(
        customer_type,
        CustomerInput {
            first_name: cell("firstName"),
            last_name: cell("lastName"),
            company_name: cell("companyName"),
            email: cell("email").unwrap_or_default(),
            phone: cell("phone"),
            address: home.as_ref(),
            billing_address: billing.as_ref(),
        },
    )?;
    customer.tax_exempt = match cell("taxExempt") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(FieldError::new(
                "taxExempt",
                format!("`{other}` is neither true nor false"),
            ));
        }
    };
    let status = match cell("status") {
        None | Some("Active") => CustomerStatus::Active,
        Some("Inactive") => CustomerStatus::Inactive,
        Some(other) => {
            return Err(FieldError::new(
                "status",
                format!("`{other}` cannot be imported; a new customer is Active or Inactive"),
            ));
        }
    };
    Ok((customer, status))
}

/// Imports the customers of a CSV file: all or none. `Err` inside `Ok` lists the bad rows.
pub async fn customers(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    data: &[u8],
    dry_run: bool,
) -> Result<Result<ImportReport, Vec<RowError>>, ServiceError> {
    let rows = match parse_rows(data) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(errors)),
    };
    if dry_run {
        return Ok(Ok(ImportReport {
            dry_run: true,
            customers: rows
                .iter()
                .map(|r| (r.line, display_name(&r.customer)))
                .collect(),
        }));
    }
    let (now, origin) = (clock.timestamp(), origin.clone());
    let created = db
        .write(move |conn| -> Result<Vec<(u64, String)>, ServiceError> {
            let rec = Recorder::new(conn, &origin, &now);
            let mut created = Vec::with_capacity(rows.len());
            for row in rows {
                let mut c = customers::insert(conn, row.customer, &now)?;
                if row.status != c.status {
                    customers::set_status(conn, &c.customer_id, row.status, &now)?;
                    c.status = row.status;
                }
                rec.change(
                    EventType::CustomerCreated,
                    ("customer", c.customer_id.as_str()),
                    None::<&Customer>,
                    &c,
                )?;
                created.push((row.line, c.display_name()));
            }
            Ok(created)
        })
        .await?;
    Ok(Ok(ImportReport {
        dry_run: false,
        customers: created,
    }))
}

fn display_name(c: &NewCustomer) -> String {
    match &c.company_name {
        Some(name) if c.customer_type != CustomerType::Individual => name.clone(),
        _ => [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    }
}
