//! The dashboard's "needs attention" list and first-run checklist.

use crate::db::Db;
use crate::db::attention::{self as sql, Overdue, SetUp};
use crate::db::customers;
use crate::domain::ids::CustomerId;
use crate::error::ServiceError;

/// Overdue customers listed on the dashboard.
const OVERDUE_ROWS: u32 = 5;
/// Unfinished runs listed.
const RUN_ROWS: u32 = 5;
/// Customers the last run could not bill, listed by name.
const UNBILLED_ROWS: usize = 10;

/// The customers a run could not bill.
#[derive(Debug, Clone)]
pub struct Unbilled {
    pub run_id: String,
    pub period: String,
    /// The first of them: (id, name).
    pub customers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Attention {
    /// The customers owing most, each with its name.
    pub overdue: Vec<(Overdue, String)>,
    pub overdue_customers: u64,
    /// Failed or cut-off runs not completed since: (run id, period, status).
    pub unfinished_runs: Vec<(String, String, String)>,
    /// The last completed run, if it could not bill some customers.
    pub unbilled: Option<Unbilled>,
    /// How many customers the last run could not bill in all.
    pub unbilled_total: usize,
    pub set_up: SetUp,
}

impl Attention {
    /// Whether there is anything to list.
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.unfinished_runs.is_empty() && self.unbilled.is_none()
    }
}

fn name_of(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<String> {
    Ok(match CustomerId::parse(id) {
        Some(cid) => customers::get(conn, &cid)?.map(|c| c.display_name()),
        None => None,
    }
    .unwrap_or_else(|| id.to_owned()))
}

pub async fn attention(db: &Db) -> Result<Attention, ServiceError> {
    db.read(|conn| {
        let mut overdue = Vec::new();
        for o in sql::overdue_customers(conn, OVERDUE_ROWS)? {
            let name = name_of(conn, o.customer_id.as_str())?;
            overdue.push((o, name));
        }
        let (unbilled, unbilled_total) = match sql::last_completed_run(conn)? {
            Some(run) if !run.needs_attention.is_empty() => {
                let mut named = Vec::new();
                for id in run.needs_attention.iter().take(UNBILLED_ROWS) {
                    named.push((id.clone(), name_of(conn, id)?));
                }
                let id = run.bill_run_id.map(|i| i.to_string()).unwrap_or_default();
                let unbilled = Unbilled {
                    run_id: id,
                    period: run.period.to_string(),
                    customers: named,
                };
                (Some(unbilled), run.needs_attention.len())
            }
            _ => (None, 0),
        };
        Ok(Attention {
            overdue,
            overdue_customers: sql::overdue_customer_count(conn)?,
            unfinished_runs: sql::unfinished_runs(conn, RUN_ROWS)?,
            unbilled,
            unbilled_total,
            set_up: sql::set_up(conn)?,
        })
    })
    .await
}
