//! SQL for `customers` and its list counts.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::account_number;
use crate::domain::address::Address;
use crate::domain::customer::{Customer, CustomerChanges, CustomerFilter, NewCustomer};
use crate::domain::enums::CustomerStatus;
use crate::domain::ids::CustomerId;
use crate::domain::page::{MAX_PAGE_SIZE, PageRequest};

pub(crate) const COLUMNS: &str = "id, customer_type, status, account_number, first_name, last_name, \
    company_name, email, phone, address, billing_address, created_at, updated_at, tax_exempt, \
    contact_person, tax_id, notes";

/// Rows per block of `customer_list_counts` (must match `>> 10` in the migration's triggers).
const BLOCK_SHIFT: u32 = 10;

/// The key of a filter's row in `customer_list_counts`.
fn count_key(filter: &CustomerFilter) -> String {
    match (filter.status, filter.customer_type) {
        (None, None) => "*".to_owned(),
        (Some(s), None) => format!("s:{s}"),
        (None, Some(t)) => format!("t:{t}"),
        (Some(s), Some(t)) => format!("st:{s}:{t}"),
    }
}

fn json_address(a: &Option<Address>) -> rusqlite::Result<Option<String>> {
    a.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn read_address(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Address>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        customer_id: row.get(0)?,
        customer_type: row.get(1)?,
        status: row.get(2)?,
        account_number: row.get(3)?,
        first_name: row.get(4)?,
        last_name: row.get(5)?,
        company_name: row.get(6)?,
        email: row.get(7)?,
        phone: row.get(8)?,
        address: read_address(row, 9)?,
        billing_address: read_address(row, 10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
        tax_exempt: row.get(13)?,
        contact_person: row.get(14)?,
        tax_id: row.get(15)?,
        notes: row.get(16)?,
    })
}

/// Stores a new `Active` customer and returns it as stored. Runs on the writer, so the next row
/// number (and with it the account number) cannot be taken by anyone else meanwhile. The result is
/// built from what was written rather than read back: this runs once per create on the single
/// writer thread, whose time bounds how many creates per second the server takes.
pub fn insert(conn: &Connection, c: NewCustomer, now: &str) -> rusqlite::Result<Customer> {
    let seq: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM customers")?
        .query_row([], |r| r.get(0))?;
    let id = CustomerId::generate();
    let account_number = account_number::for_seq(seq);
    let status = CustomerStatus::Active;
    conn.prepare_cached(
        "INSERT INTO customers (seq, id, account_number, customer_type, status, first_name, \
         last_name, company_name, email, phone, address, billing_address, created_at, updated_at, \
         tax_exempt, contact_person, tax_id, notes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        seq,
        id,
        account_number,
        c.customer_type,
        status,
        c.first_name,
        c.last_name,
        c.company_name,
        c.email.as_str(),
        c.phone,
        json_address(&c.address)?,
        json_address(&c.billing_address)?,
        now,
        c.tax_exempt,
        c.contact_person,
        c.tax_id,
        c.notes,
    ])?;
    Ok(Customer {
        customer_id: id,
        customer_type: c.customer_type,
        status,
        account_number,
        first_name: c.first_name,
        last_name: c.last_name,
        company_name: c.company_name,
        email: c.email.as_str().to_owned(),
        phone: c.phone,
        address: c.address,
        billing_address: c.billing_address,
        tax_exempt: c.tax_exempt,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        contact_person: c.contact_person,
        tax_id: c.tax_id,
        notes: c.notes,
    })
}

pub fn get(conn: &Connection, id: &CustomerId) -> rusqlite::Result<Option<Customer>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// A customer's status alone: what dunning checks for each overdue customer.
pub fn status(conn: &Connection, id: &CustomerId) -> rusqlite::Result<Option<CustomerStatus>> {
    conn.prepare_cached("SELECT status FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// Applies `changes` and returns the customer as stored, or `None` when there is no such customer.
pub fn update(
    conn: &Connection,
    id: &CustomerId,
    changes: &CustomerChanges,
    now: &str,
) -> rusqlite::Result<Option<Customer>> {
    let n = conn
        .prepare_cached(
            "UPDATE customers SET \
               status = COALESCE(?2, status), \
               first_name = COALESCE(?3, first_name), \
               last_name = COALESCE(?4, last_name), \
               company_name = COALESCE(?5, company_name), \
               email = COALESCE(?6, email), \
               phone = CASE WHEN ?19 THEN NULL ELSE COALESCE(?7, phone) END, \
               address = COALESCE(?8, address), \
               billing_address = CASE WHEN ?20 THEN NULL ELSE COALESCE(?9, billing_address) END, \
               updated_at = ?10, \
               tax_exempt = COALESCE(?11, tax_exempt), \
               customer_type = COALESCE(?12, customer_type), \
               contact_person = CASE WHEN ?13 THEN ?14 ELSE contact_person END, \
               tax_id = CASE WHEN ?15 THEN ?16 ELSE tax_id END, \
               notes = CASE WHEN ?17 THEN ?18 ELSE notes END \
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            changes.status,
            changes.first_name,
            changes.last_name,
            changes.company_name,
            changes.email.as_ref().map(|e| e.as_str()),
            changes.phone,
            json_address(&changes.address)?,
            json_address(&changes.billing_address)?,
            now,
            changes.tax_exempt,
            changes.customer_type,
            changes.contact_person.is_some(),
            changes.contact_person.clone().flatten(),
            changes.tax_id.is_some(),
            changes.tax_id.clone().flatten(),
            changes.notes.is_some(),
            changes.notes.clone().flatten(),
            changes.clear_phone,
            changes.clear_billing_address,
        ])?;
    if n == 0 {
        return Ok(None);
    }
    get(conn, id)
}

/// Sets a customer's status, whatever it was; `false` when there is no such customer.
pub fn set_status(
    conn: &Connection,
    id: &CustomerId,
    status: CustomerStatus,
    now: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("UPDATE customers SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, now])?;
    Ok(n > 0)
}

/// One page of the list in creation order, and the list's total.
///
/// The total is a sum over the per-block counts, and the page's first row is found by skipping
/// whole blocks, so neither costs a scan of the list: at a million customers the total sums about
/// a thousand count rows, and a page reads the counts up to its block and at most a block of
/// index entries.
pub fn list(
    conn: &Connection,
    filter: CustomerFilter,
    page: PageRequest,
) -> rusqlite::Result<(Vec<Customer>, u64)> {
    list_in_creation_order(conn, filter, page, false)
}

/// [`list`], newest first when `newest_first`: the same rows counted from the other end of the
/// list (page 1 holds the last rows in creation order, reversed), so a deep page costs the same.
pub fn list_in_creation_order(
    conn: &Connection,
    filter: CustomerFilter,
    page: PageRequest,
    newest_first: bool,
) -> rusqlite::Result<(Vec<Customer>, u64)> {
    // One snapshot for the total, the block walk and the page, so they agree under writes.
    let tx = conn.unchecked_transaction()?;
    let key = count_key(&filter);
    let total: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM customer_list_counts WHERE key = ?1")?
        .query_row([&key], |r| r.get(0))?;
    let total = total as u64;
    let from_end = page.offset();
    if from_end >= total {
        return Ok((Vec::new(), total));
    }
    let (offset, limit) = if newest_first {
        let end = total - from_end;
        let start = end.saturating_sub(u64::from(page.page_size));
        (start, end - start)
    } else {
        (from_end, u64::from(page.page_size))
    };
    // Walk the blocks only as far as the one holding the page's first row.
    let (mut before, mut start_block) = (0_u64, 0_i64);
    if offset > 0 {
        let mut stmt = conn.prepare_cached(
            "SELECT block, n FROM customer_list_counts WHERE key = ?1 AND n > 0 ORDER BY block",
        )?;
        let mut rows = stmt.query([&key])?;
        while let Some(row) = rows.next()? {
            let (block, n): (i64, i64) = (row.get(0)?, row.get(1)?);
            if before + n as u64 > offset {
                start_block = block;
                break;
            }
            before += n as u64;
        }
    }
    let from_seq = start_block << BLOCK_SHIFT;
    let skip = (offset - before) as i64;
    let limit = limit as usize;
    let mut rows = match (filter.status, filter.customer_type) {
        (None, None) => query_page(
            conn,
            "WHERE seq >= ?1 ORDER BY seq",
            params![from_seq, skip],
            limit,
        )?,
        (Some(s), None) => query_page(
            conn,
            "INDEXED BY customers_by_status WHERE status = ?1 AND seq >= ?2 ORDER BY seq",
            params![s, from_seq, skip],
            limit,
        )?,
        (None, Some(t)) => query_page(
            conn,
            "INDEXED BY customers_by_type WHERE customer_type = ?1 AND seq >= ?2 ORDER BY seq",
            params![t, from_seq, skip],
            limit,
        )?,
        (Some(s), Some(t)) => query_page(
            conn,
            "INDEXED BY customers_by_status_type WHERE status = ?1 AND customer_type = ?2 \
             AND seq >= ?3 ORDER BY seq",
            params![s, t, from_seq, skip],
            limit,
        )?,
    };
    tx.commit()?;
    if newest_first {
        rows.reverse();
    }
    Ok((rows, total))
}

/// The list's total for `filter`, from the per-block counts.
pub fn count(conn: &Connection, filter: CustomerFilter) -> rusqlite::Result<u64> {
    let total: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM customer_list_counts WHERE key = ?1")?
        .query_row([count_key(&filter)], |r| r.get(0))?;
    Ok(total as u64)
}

/// `limit` rows of `SELECT … FROM customers {tail}`, after skipping as many as the last
/// parameter says. The statement's `LIMIT` is the largest page size, a constant: SQLite plans a
/// statement again each time a bound `LIMIT` changes, and that cost more than the page itself;
/// the rows past `limit` are never produced, as only `limit` are stepped through.
pub(crate) fn query_page(
    conn: &Connection,
    tail: &str,
    params: &[&dyn rusqlite::ToSql],
    limit: usize,
) -> rusqlite::Result<Vec<Customer>> {
    let skip = params.len();
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers {tail} LIMIT {MAX_PAGE_SIZE} OFFSET ?{skip}"
    ))?
    .query_map(params, from_row)?
    .take(limit)
    .collect()
}

/// How many customers have each status.
pub fn count_by_status(conn: &Connection) -> rusqlite::Result<Vec<(CustomerStatus, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(key, 3), SUM(n) FROM customer_list_counts WHERE key LIKE 's:%' GROUP BY key",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
        .collect()
}
