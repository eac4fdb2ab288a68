//! Importing customers, and their subscriptions, from CSV (migrating from another system): the
//! columns of the customers export (and of the subscriptions export, in a second file; see
//! [`super::import_subscriptions`]), read in full first; every bad row of either file is
//! reported by file, line and field and nothing is imported unless every row is good, then all
//! rows are created in one transaction. A dry run reports what would be created.

use std::collections::HashMap;

use chrono::NaiveDate;
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

use super::import_check as check;
use super::import_csv::{Line, Sheet};
use super::import_subscriptions as subs;
pub use super::import_subscriptions::{SubscriptionsFile, default_billed_through};

pub use super::import_csv::MAX_ROWS;

/// Which of an import's files a row is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImportFile {
    Customers,
    Subscriptions,
}

impl std::fmt::Display for ImportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Customers => "customers",
            Self::Subscriptions => "subscriptions",
        })
    }
}

/// A refused row: its file, its line there (the header is line 1), the column, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: ImportFile,
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
    /// Line of each subscription created (or to be created), with its customer and product.
    pub subscriptions: Vec<(u64, String)>,
    /// The day through which the subscriptions count as billed, when a file of them was given.
    pub billed_through: Option<NaiveDate>,
}

struct Row {
    line: u64,
    customer: NewCustomer,
    status: CustomerStatus,
    /// The `customerId` the row carries (the other system's): how a subscription names it.
    key: Option<String>,
}

/// A customers file read through: the good rows, every bad row's error, and the `customerId`s
/// of the bad rows (so that their subscriptions are not also reported as naming no customer).
struct Parsed {
    rows: Vec<Row>,
    errors: Vec<RowError>,
    refused_keys: Vec<String>,
}

/// Reads every row of a customers file; `Err` when its header cannot be used.
fn parse_rows(data: &[u8]) -> Result<Parsed, Vec<RowError>> {
    let known = super::export::customer_columns();
    let sheet = Sheet::open(
        ImportFile::Customers,
        data,
        &known,
        &["customerType", "email"],
    )?;
    let mut rows = Vec::new();
    let mut keys: HashMap<String, u64> = HashMap::new();
    let mut refused_keys = Vec::new();
    let errors = sheet.rows(|row| {
        let key = row.cell("customerId").map(str::to_owned);
        if let Some(k) = &key
            && let Some(first) = keys.insert(k.clone(), row.line)
        {
            return Err(FieldError::new(
                "customerId",
                format!("`{k}` is on line {first} too; each customer once"),
            ));
        }
        match parse_row(row) {
            Ok((customer, status)) => {
                rows.push(Row {
                    line: row.line,
                    customer,
                    status,
                    key,
                });
                Ok(())
            }
            Err(e) => {
                refused_keys.extend(key);
                Err(e)
            }
        }
    });
    Ok(Parsed {
        rows,
        errors,
        refused_keys,
    })
}

fn parse_row(row: &Line<'_>) -> Result<(NewCustomer, CustomerStatus), FieldError> {
    let cell = |name: &str| row.cell(name);
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
            contact_person: cell("contactPerson"),
            tax_id: cell("taxId"),
            notes: cell("notes"),
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

/// Imports the customers of a CSV file, and the subscriptions of a second one when given: all
/// or none. `Err` inside `Ok` lists the bad rows of both files.
pub async fn customers(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    data: &[u8],
    subscriptions: Option<SubscriptionsFile<'_>>,
    dry_run: bool,
) -> Result<Result<ImportReport, Vec<RowError>>, ServiceError> {
    let today = clock.today();
    let billed_through = subscriptions.map(|s| s.billed_through);
    if let Some(d) = billed_through {
        subs::check_billed_through(d, today)?;
    }
    // Every bad row of both files is reported at once: the rows that parse are checked against
    // the store too, even when others did not parse.
    let (rows, mut errors, file) = match parse_rows(data) {
        Ok(p) => {
            let mut file = in_file(&p.rows);
            file.extend(p.refused_keys.into_iter().map(|k| (Some(k.clone()), k)));
            (p.rows, p.errors, Some(file))
        }
        Err(header) => (Vec::new(), header, None),
    };
    let subs = match subscriptions.map(|s| subs::parse(s.data, today)) {
        None => Vec::new(),
        Some(Ok((subs, bad))) => {
            errors.extend(bad);
            subs
        }
        Some(Err(header)) => {
            errors.extend(header);
            Vec::new()
        }
    };
    if !errors.is_empty() || dry_run {
        return db
            .read(move |conn| {
                let planned = match &file {
                    Some(f) => check::plan(conn, f, &subs)?,
                    None => Ok(Vec::new()),
                };
                match planned {
                    Ok(planned) if errors.is_empty() => Ok(Ok(ImportReport {
                        dry_run: true,
                        customers: rows
                            .iter()
                            .map(|r| (r.line, display_name(&r.customer)))
                            .collect(),
                        subscriptions: planned.iter().map(check::Planned::described).collect(),
                        billed_through,
                    })),
                    Ok(_) => Ok(Err(errors)),
                    Err(more) => {
                        errors.extend(more);
                        errors.sort_by_key(|e| (e.file == ImportFile::Subscriptions, e.line));
                        Ok(Err(errors))
                    }
                }
            })
            .await;
    }
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        // Checked again in the write job, which sees the catalog as it is now: all or none.
        let planned = match check::plan(conn, &in_file(&rows), &subs)? {
            Ok(p) => p,
            Err(errors) => return Ok(Err(errors)),
        };
        let rec = Recorder::new(conn, &origin, &now);
        let mut created = Vec::with_capacity(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
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
            ids.push(c.customer_id);
        }
        let mut subscribed = Vec::with_capacity(planned.len());
        for p in planned {
            let customer = match &p.customer {
                check::Target::InFile(i, _) => ids[*i].clone(),
                check::Target::Stored(id, _) => id.clone(),
            };
            let sub = super::subscriptions::insert_checked(
                conn,
                &rec,
                customer,
                &p.plan,
                p.row.start_date,
                today,
                &now,
            )?;
            if let Some(through) = billed_through {
                crate::db::billing_state::settle_migrated(conn, &sub.subscription_id, through)?;
            }
            subscribed.push(p.described());
        }
        Ok(Ok(ImportReport {
            dry_run: false,
            customers: created,
            subscriptions: subscribed,
            billed_through,
        }))
    })
    .await
}

/// Each customer row's key (`customerId`) and name, in order.
fn in_file(rows: &[Row]) -> Vec<(Option<String>, String)> {
    rows.iter()
        .map(|r| (r.key.clone(), display_name(&r.customer)))
        .collect()
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
