//! SQL for `bill_runs`, `bill_run_totals` and the invoice number counters.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::bill_run::{ATTENTION_LIMIT, BillRun, CurrencySum, Skipped, Sums};
use crate::domain::enums::{BillRunStatus, BillRunTrigger};
use crate::domain::ids::BillRunId;
use crate::domain::money::Currency;
use crate::domain::page::{MAX_PAGE_SIZE, PageRequest};
use crate::domain::period::Period;

pub(crate) const COLUMNS: &str = "id, period, status, trigger, invoice_date, started_at, finished_at, \
    invoices_created, skipped_already_invoiced, skipped_nothing_due, skipped_mixed_currencies, \
    needs_attention, error";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<BillRun> {
    let attention: String = row.get(11)?;
    let needs_attention = serde_json::from_str(&attention).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(BillRun {
        bill_run_id: Some(row.get(0)?),
        period: row.get(1)?,
        status: row.get(2)?,
        trigger: row.get(3)?,
        dry_run: false,
        invoice_date: row.get(4)?,
        started_at: row.get(5)?,
        finished_at: row.get(6)?,
        invoices_created: row.get::<_, i64>(7)? as u64,
        customers_skipped: Skipped {
            already_invoiced: row.get::<_, i64>(8)? as u64,
            nothing_due: row.get::<_, i64>(9)? as u64,
            mixed_currencies: row.get::<_, i64>(10)? as u64,
        },
        needs_attention,
        totals: Vec::new(),
        error: row.get(12)?,
        invoices: None,
        invoices_omitted: None,
    })
}

pub(crate) fn load_totals(conn: &Connection, run: &mut BillRun) -> rusqlite::Result<()> {
    let mut sums = Sums::default();
    let mut stmt = conn.prepare_cached(
        "SELECT currency, invoices, net_amount, tax_amount FROM bill_run_totals \
         WHERE bill_run_id = ?1",
    )?;
    let rows = stmt.query_map([&run.bill_run_id], |r| {
        Ok(CurrencySum {
            currency: r.get::<_, Currency>(0)?,
            invoices: r.get::<_, i64>(1)? as u64,
            net: r.get(2)?,
            tax: r.get(3)?,
        })
    })?;
    for row in rows {
        sums.add(row?);
    }
    run.totals = sums.totals();
    Ok(())
}

pub fn get(conn: &Connection, id: &BillRunId) -> rusqlite::Result<Option<BillRun>> {
    let run = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM bill_runs WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    run.map(|mut r| load_totals(conn, &mut r).map(|()| r))
        .transpose()
}

/// One page of runs, newest first, and how many there are.
pub fn list(conn: &Connection, page: PageRequest) -> rusqlite::Result<(Vec<BillRun>, u64)> {
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM bill_runs")?
        .query_row([], |r| r.get(0))?;
    let mut runs = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM bill_runs ORDER BY seq DESC LIMIT {MAX_PAGE_SIZE} OFFSET ?1"
        ))?
        .query_map(params![page.offset() as i64], from_row)?
        // A constant LIMIT: a bound one makes SQLite plan the statement again on each use.
        .take(page.page_size as usize)
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for r in &mut runs {
        load_totals(conn, r)?;
    }
    Ok((runs, total as u64))
}

/// Records a run as started. Another run of the same period still marked `Running` was cut off
/// (a crash, or a stop): it is marked `Interrupted`.
pub fn start(
    conn: &Connection,
    id: &BillRunId,
    period: Period,
    trigger: BillRunTrigger,
    invoice_date: NaiveDate,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE bill_runs SET status = 'Interrupted', finished_at = ?2 \
         WHERE period = ?1 AND status = 'Running'",
    )?
    .execute(params![period, now])?;
    conn.prepare_cached(
        "INSERT INTO bill_runs (id, period, status, trigger, invoice_date, started_at) \
         VALUES (?1, ?2, 'Running', ?3, ?4, ?5)",
    )?
    .execute(params![id, period, trigger, invoice_date, now])?;
    Ok(())
}

/// Adds one chunk's results to the run, in the chunk's own transaction.
pub fn add_chunk(
    conn: &Connection,
    id: &BillRunId,
    invoices: u64,
    skipped: &Skipped,
    attention: &[String],
    sums: &Sums,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE bill_runs SET invoices_created = invoices_created + ?2, \
         skipped_already_invoiced = skipped_already_invoiced + ?3, \
         skipped_nothing_due = skipped_nothing_due + ?4, \
         skipped_mixed_currencies = skipped_mixed_currencies + ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        invoices as i64,
        skipped.already_invoiced as i64,
        skipped.nothing_due as i64,
        skipped.mixed_currencies as i64
    ])?;
    if !attention.is_empty() {
        let current: String = conn
            .prepare_cached("SELECT needs_attention FROM bill_runs WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let mut ids: Vec<String> = serde_json::from_str(&current).unwrap_or_default();
        ids.extend(attention.iter().cloned());
        ids.truncate(ATTENTION_LIMIT);
        let json = serde_json::to_string(&ids)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        conn.prepare_cached("UPDATE bill_runs SET needs_attention = ?2 WHERE id = ?1")?
            .execute(params![id, json])?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO bill_run_totals (bill_run_id, currency, invoices, net_amount, tax_amount, \
         total_amount) VALUES (?1, ?2, ?3, ?4, ?5, ?4 + ?5) \
         ON CONFLICT (bill_run_id, currency) DO UPDATE SET invoices = invoices + excluded.invoices, \
         net_amount = net_amount + excluded.net_amount, \
         tax_amount = tax_amount + excluded.tax_amount, \
         total_amount = total_amount + excluded.total_amount",
    )?;
    for s in &sums.0 {
        upsert.execute(params![id, s.currency, s.invoices as i64, s.net, s.tax])?;
    }
    Ok(())
}

pub fn finish(
    conn: &Connection,
    id: &BillRunId,
    status: BillRunStatus,
    error: Option<&str>,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE bill_runs SET status = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, status, error, now])?;
    Ok(())
}

/// Marks every run still `Running` as `Interrupted`: at start-up, no run of this process exists.
pub fn interrupt_running(conn: &Connection, now: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE bill_runs SET status = 'Interrupted', finished_at = ?1 WHERE status = 'Running'",
    )?
    .execute([now])
}

/// Whether a run of `period` has completed.
pub fn completed(conn: &Connection, period: Period) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM bill_runs WHERE period = ?1 AND status = 'Completed')",
    )?
    .query_row([period], |r| r.get(0))
}

/// The last invoice number given out in `year` (0 before the first).
pub fn last_invoice_number(conn: &Connection, year: i32) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT last_number FROM invoice_number_counters WHERE year = ?1")?
        .query_row([year], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub fn set_last_invoice_number(conn: &Connection, year: i32, last: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO invoice_number_counters (year, last_number) VALUES (?1, ?2) \
         ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number",
    )?
    .execute(params![year, last])?;
    Ok(())
}
