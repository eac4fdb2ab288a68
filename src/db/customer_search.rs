//! Customer search over the `customer_search` trigram index (migration V4).

use rusqlite::{Connection, params};

use super::customer_lists::Created;
use super::customers::{COLUMNS, from_row};
use crate::domain::customer::Customer;
use crate::domain::customer::CustomerFilter;
use crate::domain::page::PageRequest;

/// Counting stops here: "more than 1000 matches" is all a person needs, and counting every
/// match of a very common word would read the whole index.
pub const COUNT_CAP: u64 = 1000;

#[derive(Debug, Clone)]
pub struct SearchPage {
    pub items: Vec<Customer>,
    /// Matches, up to [`COUNT_CAP`] + 1.
    pub total: u64,
    pub page: PageRequest,
}

impl SearchPage {
    /// Whether there are more matches than were counted.
    pub fn capped(&self) -> bool {
        self.total > COUNT_CAP
    }
}

/// Turns what a person typed into an FTS5 query: every word of three characters or more must
/// appear somewhere (name, e-mail, phone, account number). A word that looks like a phone number
/// is matched on its digits, so `555-0102` finds `+1 (555) 010-2030`'s digits. `None` when
/// nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split_whitespace()
        .map(|w| {
            let phone_like = w.chars().all(|c| c.is_ascii_digit() || "+-().".contains(c))
                && w.chars().filter(char::is_ascii_digit).count() >= 3;
            if phone_like {
                w.chars().filter(char::is_ascii_digit).collect()
            } else {
                w.to_owned()
            }
        })
        .filter(|w| w.chars().count() >= 3)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

pub fn search(
    conn: &Connection,
    fts: &str,
    filter: CustomerFilter,
    page: PageRequest,
) -> rusqlite::Result<SearchPage> {
    search_in(conn, fts, filter, &Created::default(), false, page)
}

/// [`search`] within a creation-time range, newest first when `newest_first` (FTS5 walks its
/// rowids, which are creation order, either way).
pub fn search_in(
    conn: &Connection,
    fts: &str,
    filter: CustomerFilter,
    created: &Created,
    newest_first: bool,
    page: PageRequest,
) -> rusqlite::Result<SearchPage> {
    const FROM: &str = "FROM customer_search s JOIN customers c ON c.seq = s.rowid \
        WHERE customer_search MATCH ?1 AND (?2 IS NULL OR c.status = ?2) \
        AND (?3 IS NULL OR c.customer_type = ?3) AND (?4 IS NULL OR c.created_at >= ?4) \
        AND (?5 IS NULL OR c.created_at < ?5)";
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 {FROM} LIMIT {})",
            COUNT_CAP + 1
        ))?
        .query_row(
            params![
                fts,
                filter.status,
                filter.customer_type,
                created.from,
                created.until
            ],
            |r| r.get(0),
        )?;
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let dir = if newest_first { "DESC" } else { "ASC" };
    let items = conn
        .prepare_cached(&format!(
            "SELECT {columns} {FROM} ORDER BY s.rowid {dir} LIMIT ?6 OFFSET ?7"
        ))?
        .query_map(
            params![
                fts,
                filter.status,
                filter.customer_type,
                created.from,
                created.until,
                i64::from(page.page_size),
                page.offset() as i64
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(SearchPage {
        items,
        total: total as u64,
        page,
    })
}

/// Brings the index up to date with the customers the triggers of migration V7 noted as new or
/// changed, in one statement each, then forgets them. The writer calls it at the end of every
/// batch, before the COMMIT, so the index flushes once per batch rather than once per customer.
/// Returns how many customers were (re)indexed. (`CROSS JOIN` keeps the pending list as the
/// outer loop: ordered by `seq`, the planner would rather walk every customer.)
pub fn index_pending(conn: &Connection) -> rusqlite::Result<usize> {
    let waiting: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM customer_search_pending)")?
        .query_row([], |r| r.get(0))?;
    if !waiting {
        return Ok(0);
    }
    // One by one: FTS5 looks a rowid up directly for `rowid = ?`, but scans the whole index for
    // `rowid IN (...)`.
    let changed: Vec<i64> = conn
        .prepare_cached("SELECT seq FROM customer_search_pending WHERE indexed = 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete = conn.prepare_cached("DELETE FROM customer_search WHERE rowid = ?1")?;
    for seq in changed {
        delete.execute([seq])?;
    }
    let n = conn
        .prepare_cached(
            "INSERT INTO customer_search (rowid, name, email, phone, phone_digits, account_number) \
             SELECT c.seq, \
                    trim(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '') || ' ' || \
                         COALESCE(c.company_name, '')), \
                    c.email, \
                    COALESCE(c.phone, ''), \
                    replace(replace(replace(replace(replace(replace(COALESCE(c.phone, ''), \
                        ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), \
                    c.account_number \
               FROM customer_search_pending p CROSS JOIN customers c ON c.seq = p.seq \
              ORDER BY p.seq",
        )?
        .execute([])?;
    conn.prepare_cached("DELETE FROM customer_search_pending")?
        .execute([])?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_keep_searchable_words_and_quote_them() {
        assert_eq!(fts_query("ab"), None);
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("Ada lo"), Some("\"Ada\"".into()));
        assert_eq!(fts_query("ada love"), Some("\"ada\" AND \"love\"".into()));
        assert_eq!(fts_query("555-0102"), Some("\"5550102\"".into()));
        assert_eq!(fts_query("a\"b\"c"), Some("\"a\"\"b\"\"c\"".into()));
    }
}
