//! The counts and totals of the Subscriptions and Payments lists, from the sums migration V15
//! keeps per month, day and hour: a range of time is cut into the whole months it spans and the
//! days and hours at either end, so any range reads a few hundred kept rows instead of every
//! record in it.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};
use rusqlite::{Connection, params};

use crate::domain::date::format_timestamp;
use crate::domain::enums::{PaymentMethod, SubscriptionStatus};
use crate::domain::ids::ProductId;
use crate::domain::money::Currency;

/// How many records of one currency a list holds, and their amounts added up (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencySum {
    pub currency: Currency,
    pub count: u64,
    pub total: i64,
}

/// Adds `count` records worth `total` of `currency` to `sums` (kept in the order currencies
/// are first met).
pub fn add(sums: &mut Vec<CurrencySum>, currency: Currency, count: u64, total: i64) {
    if count == 0 {
        return;
    }
    match sums.iter_mut().find(|s| s.currency == currency) {
        Some(s) => {
            s.count += count;
            s.total += total;
        }
        None => sums.push(CurrencySum {
            currency,
            count,
            total,
        }),
    }
}

/// How many records `sums` counts, whatever their currency.
pub fn count(sums: &[CurrencySum]) -> u64 {
    sums.iter().map(|s| s.count).sum()
}

/// A length of time the sums are kept for, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Month,
    Day,
    Hour,
}

impl Level {
    fn starts_at(self, t: NaiveDateTime) -> bool {
        let midnight = t.time() == chrono::NaiveTime::MIN;
        match self {
            Level::Month => midnight && t.day() == 1,
            Level::Day => midnight,
            Level::Hour => t.minute() == 0 && t.second() == 0 && t.nanosecond() == 0,
        }
    }

    fn after(self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        match self {
            Level::Month => t.checked_add_months(Months::new(1)),
            Level::Day => t.checked_add_signed(TimeDelta::days(1)),
            Level::Hour => t.checked_add_signed(TimeDelta::hours(1)),
        }
    }

    /// The key of the span starting at `t`, as the triggers write it.
    fn key(self, t: NaiveDateTime) -> String {
        match self {
            Level::Month => t.format("m:%Y-%m").to_string(),
            Level::Day => t.format("d:%Y-%m-%d").to_string(),
            Level::Hour => t.format("h:%Y-%m-%dT%H").to_string(),
        }
    }
}

/// A part of a range of time: kept spans of one level (keys, inclusive), or a stretch shorter
/// than the finest level, whose records are read one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Kept {
        level: Level,
        first: String,
        last: String,
    },
    Rows {
        from: NaiveDateTime,
        until: NaiveDateTime,
    },
}

/// `[from, until)` as the fewest kept spans (no finer than `finest`) and, where it starts or
/// ends inside one of the finest spans, the stretches left over.
pub fn pieces(from: NaiveDateTime, until: NaiveDateTime, finest: Level) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut t = from;
    while t < until {
        let whole = [Level::Month, Level::Day, Level::Hour]
            .into_iter()
            .filter(|l| *l <= finest && l.starts_at(t))
            .find_map(|l| l.after(t).filter(|next| *next <= until).map(|n| (l, n)));
        match whole {
            Some((level, next)) => {
                let key = level.key(t);
                match out.last_mut() {
                    Some(Piece::Kept { level: l, last, .. }) if *l == level => *last = key,
                    _ => out.push(Piece::Kept {
                        level,
                        first: key.clone(),
                        last: key,
                    }),
                }
                t = next;
            }
            None => {
                // Up to the next start of a finest span, or the end when none fits before it.
                let next = next_start(t, finest).filter(|n| *n > t && *n < until);
                let stop = next.unwrap_or(until);
                out.push(Piece::Rows {
                    from: t,
                    until: stop,
                });
                t = stop;
            }
        }
    }
    out
}

/// The first start of a `level` span at or after `t`.
fn next_start(t: NaiveDateTime, level: Level) -> Option<NaiveDateTime> {
    if level.starts_at(t) {
        return Some(t);
    }
    let floor = match level {
        Level::Month => t.date().with_day(1)?.and_time(chrono::NaiveTime::MIN),
        Level::Day => t.date().and_time(chrono::NaiveTime::MIN),
        Level::Hour => t.date().and_hms_opt(t.hour(), 0, 0)?,
    };
    level.after(floor)
}

/// The subscriptions' filters the kept sums can answer.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionSums<'a> {
    pub status: Option<SubscriptionStatus>,
    pub product: Option<&'a ProductId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// How many subscriptions match and what they charge a month, per currency.
pub fn subscriptions(
    conn: &Connection,
    f: &SubscriptionSums<'_>,
) -> rusqlite::Result<Vec<CurrencySum>> {
    let mut sums = Vec::new();
    let mut read = |first: &str, last: &str| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT currency, SUM(n), SUM(charge) FROM subscription_list_totals \
             WHERE span BETWEEN ?1 AND ?2 AND (?3 IS NULL OR status = ?3) \
               AND (?4 IS NULL OR product_id = ?4) GROUP BY currency ORDER BY currency",
        )?;
        let mut rows = stmt.query(params![first, last, f.status, f.product])?;
        while let Some(r) = rows.next()? {
            add(&mut sums, r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
        }
        Ok(())
    };
    if f.from.is_none() && f.to.is_none() {
        read("*", "*")?;
        return Ok(sums);
    }
    // An open end is where the subscriptions end, so the range holds no more months than they
    // span.
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = conn
        .prepare_cached(
            "SELECT (SELECT MIN(start_date) FROM subscriptions), \
                    (SELECT MAX(start_date) FROM subscriptions)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(sums);
    };
    let from = f.from.map_or(first, |d| d.max(first));
    let to = f.to.map_or(last, |d| d.min(last));
    let Some(until) = to.succ_opt() else {
        return Ok(sums);
    };
    let start = chrono::NaiveTime::MIN;
    for piece in pieces(from.and_time(start), until.and_time(start), Level::Day) {
        if let Piece::Kept { first, last, .. } = piece {
            read(&first, &last)?;
        }
    }
    Ok(sums)
}

/// The payments' filters the kept sums can answer: paid at or after `from`, before `until`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentSums {
    pub method: Option<PaymentMethod>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// How many payments match and what they add up to, per currency.
pub fn payments(conn: &Connection, f: &PaymentSums) -> rusqlite::Result<Vec<CurrencySum>> {
    let mut sums = Vec::new();
    if f.from.is_none() && f.until.is_none() {
        read_payment_spans(conn, f.method, "*", "*", &mut sums)?;
        return Ok(sums);
    }
    let (first, last): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT (SELECT MIN(paid_at) FROM payments), (SELECT MAX(paid_at) FROM payments)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let instant = |s: Option<String>| {
        s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.naive_utc())
    };
    let (Some(first), Some(last)) = (instant(first), instant(last)) else {
        return Ok(sums);
    };
    // From the start of the first payment's hour to the end of the last one's.
    let first = first
        .date()
        .and_hms_opt(first.hour(), 0, 0)
        .unwrap_or(first);
    let last = next_start(last + TimeDelta::nanoseconds(1), Level::Hour).unwrap_or(last);
    let from = f.from.map_or(first, |t| t.naive_utc().max(first));
    let until = f.until.map_or(last, |t| t.naive_utc().min(last));
    for piece in pieces(from, until, Level::Hour) {
        match piece {
            Piece::Kept { first, last, .. } => {
                read_payment_spans(conn, f.method, &first, &last, &mut sums)?;
            }
            Piece::Rows { from, until } => {
                let mut stmt = conn.prepare_cached(
                    "SELECT currency, COUNT(*), SUM(amount) FROM payments \
                     WHERE paid_at >= ?1 AND paid_at < ?2 AND (?3 IS NULL OR method = ?3) \
                     GROUP BY currency ORDER BY currency",
                )?;
                let mut rows = stmt.query(params![
                    format_timestamp(from.and_utc()),
                    format_timestamp(until.and_utc()),
                    f.method
                ])?;
                while let Some(r) = rows.next()? {
                    add(&mut sums, r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
                }
            }
        }
    }
    Ok(sums)
}

fn read_payment_spans(
    conn: &Connection,
    method: Option<PaymentMethod>,
    first: &str,
    last: &str,
    sums: &mut Vec<CurrencySum>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency, SUM(n), SUM(amount) FROM payment_list_totals \
         WHERE span BETWEEN ?1 AND ?2 AND (?3 IS NULL OR method = ?3) \
         GROUP BY currency ORDER BY currency",
    )?;
    let mut rows = stmt.query(params![first, last, method])?;
    while let Some(r) = rows.next()? {
        add(sums, r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn kept(level: Level, first: &str, last: &str) -> Piece {
        Piece::Kept {
            level,
            first: first.to_owned(),
            last: last.to_owned(),
        }
    }

    #[test]
    fn a_range_of_days_is_its_whole_months_and_the_days_either_side() {
        let p = pieces(at("2026-03-15 00:00"), at("2026-07-11 00:00"), Level::Day);
        assert_eq!(
            p,
            vec![
                kept(Level::Day, "d:2026-03-15", "d:2026-03-31"),
                kept(Level::Month, "m:2026-04", "m:2026-06"),
                kept(Level::Day, "d:2026-07-01", "d:2026-07-10"),
            ]
        );
        // Within one month: days only; a whole month: that month.
        assert_eq!(
            pieces(at("2026-02-03 00:00"), at("2026-02-05 00:00"), Level::Day),
            vec![kept(Level::Day, "d:2026-02-03", "d:2026-02-04")]
        );
        assert_eq!(
            pieces(at("2026-02-01 00:00"), at("2026-03-01 00:00"), Level::Day),
            vec![kept(Level::Month, "m:2026-02", "m:2026-02")]
        );
        assert!(pieces(at("2026-02-01 00:00"), at("2026-02-01 00:00"), Level::Day).is_empty());
    }

    #[test]
    fn a_range_of_instants_adds_hours_and_the_minutes_no_hour_covers() {
        // A day in a zone half an hour off UTC (India) runs from 18:30 to 18:30.
        let p = pieces(at("2026-11-25 18:30"), at("2026-11-26 18:30"), Level::Hour);
        assert_eq!(
            p,
            vec![
                Piece::Rows {
                    from: at("2026-11-25 18:30"),
                    until: at("2026-11-25 19:00")
                },
                // Hours in a row are one range of keys, over midnight too.
                kept(Level::Hour, "h:2026-11-25T19", "h:2026-11-26T17"),
                Piece::Rows {
                    from: at("2026-11-26 18:00"),
                    until: at("2026-11-26 18:30")
                },
            ]
        );
        // Days in a zone a whole number of hours off UTC, over a month end.
        let p = pieces(at("2026-10-30 23:00"), at("2026-12-02 23:00"), Level::Hour);
        assert_eq!(
            p,
            vec![
                kept(Level::Hour, "h:2026-10-30T23", "h:2026-10-30T23"),
                kept(Level::Day, "d:2026-10-31", "d:2026-10-31"),
                kept(Level::Month, "m:2026-11", "m:2026-11"),
                kept(Level::Day, "d:2026-12-01", "d:2026-12-01"),
                kept(Level::Hour, "h:2026-12-02T00", "h:2026-12-02T22"),
            ]
        );
        // Less than an hour, inside one.
        assert_eq!(
            pieces(at("2026-11-26 10:15"), at("2026-11-26 10:45"), Level::Hour),
            vec![Piece::Rows {
                from: at("2026-11-26 10:15"),
                until: at("2026-11-26 10:45")
            }]
        );
    }

    #[test]
    fn sums_add_up_per_currency_and_skip_empty_ones() {
        let eur = Currency::parse("currency", "EUR").unwrap();
        let mut s = Vec::new();
        add(&mut s, Currency::USD, 2, 1000);
        add(&mut s, eur, 0, 0);
        add(&mut s, Currency::USD, 1, 50);
        add(&mut s, eur, 1, 7);
        assert_eq!(count(&s), 4);
        assert_eq!(s[0].total, 1050);
        assert_eq!(s[1].currency, eur);
    }
}
