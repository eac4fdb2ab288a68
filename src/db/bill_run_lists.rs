//! The bill-run history as the admin UI filters and sorts it, who started each run, and which
//! months have been billed (for the period picker). Runs are few (one or two a month), so these
//! read the table through `bill_runs_by_period` or in full.

use rusqlite::{Connection, ToSql, params_from_iter};

use super::bill_runs::{COLUMNS, from_row, load_totals};
use crate::domain::bill_run::BillRun;
use crate::domain::list_order::RunFilter;
use crate::domain::origin::Actor;
use crate::domain::page::PageRequest;
use crate::domain::period::Period;

/// One page of runs and how many match.
pub fn list(
    conn: &Connection,
    f: &RunFilter,
    page: PageRequest,
) -> rusqlite::Result<(Vec<BillRun>, u64)> {
    let mut conds = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(s) = f.status {
        conds.push("status = ?");
        args.push(Box::new(s));
    }
    if let Some(p) = f.from {
        conds.push("period >= ?");
        args.push(Box::new(p));
    }
    if let Some(p) = f.to {
        conds.push("period <= ?");
        args.push(Box::new(p));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let dir = if f.ascending { "ASC" } else { "DESC" };
    let order = if f.by_period {
        format!("period {dir}, seq {dir}")
    } else {
        format!("seq {dir}")
    };
    let tx = conn.unchecked_transaction()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM bill_runs {clause}"))?
        .query_row(params_from_iter(args.iter().map(|a| a.as_ref())), |r| {
            r.get(0)
        })?;
    let (size, offset) = (i64::from(page.page_size), page.offset() as i64);
    let mut page_args: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    page_args.push(&size);
    page_args.push(&offset);
    let mut runs = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM bill_runs {clause} ORDER BY {order} LIMIT ? OFFSET ?"
        ))?
        .query_map(params_from_iter(page_args), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for r in &mut runs {
        load_totals(conn, r)?;
    }
    tx.commit()?;
    Ok((runs, total as u64))
}

/// The periods a run has completed.
pub fn billed_periods(conn: &Connection) -> rusqlite::Result<Vec<Period>> {
    conn.prepare_cached(
        "SELECT DISTINCT period FROM bill_runs WHERE status = 'Completed' ORDER BY period",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// Who a run was run by: the actor of its audit entry (written when it ends).
pub fn started_by(conn: &Connection, run_id: &str) -> rusqlite::Result<Option<Actor>> {
    Ok(super::who::newest_actor(conn, run_id)?.map(|(a, _)| a))
}
