//! Binding dates as `YYYY-MM-DD` text without a formatting machinery per value: a bill run binds
//! several dates per row for hundreds of thousands of rows.

use chrono::{Datelike, NaiveDate};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};

/// A date as the database stores it, formatted once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlDate([u8; 10]);

impl SqlDate {
    /// `None` for years outside 0000–9999, which the stored form cannot hold.
    pub fn new(d: NaiveDate) -> Option<Self> {
        let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let (m, day) = (d.month(), d.day());
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some(Self([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Built from ASCII digits and dashes only.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

/// Reads column `idx` of `row`, a `YYYY-MM-DD` date or NULL, without a format-string parser.
pub fn read_date(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let value = row.get_ref(idx)?;
    if value == ValueRef::Null {
        return Ok(None);
    }
    let text = value.as_str()?;
    parse(text).map(Some).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("`{text}` is not a date of the form YYYY-MM-DD").into(),
        )
    })
}

fn parse(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0_u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

impl ToSql for SqlDate {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_iso_dates() {
        for (y, m, d) in [(2026, 12, 1), (2028, 2, 29), (1, 1, 9), (9999, 12, 31)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                SqlDate::new(date).unwrap().as_str(),
                date.format("%Y-%m-%d").to_string()
            );
        }
        assert!(SqlDate::new(NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap()).is_none());
        assert!(SqlDate::new(NaiveDate::from_ymd_opt(-1, 1, 1).unwrap()).is_none());
    }

    #[test]
    fn dates_are_read_back_strictly() {
        assert_eq!(parse("2028-02-29"), NaiveDate::from_ymd_opt(2028, 2, 29));
        for bad in [
            "2027-02-29",
            "2026-1-05",
            "2026/01/05",
            "2026-01-0x",
            "",
            "+2026-01-05",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
