//! Billing periods: calendar months, written `YYYY-MM`.

use chrono::{Datelike, Months, NaiveDate};

use crate::domain::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The first day of the month; the one field, so ordering is by date.
    first: NaiveDate,
}

impl Period {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!("`{value}` is not a month of the form YYYY-MM, such as 2026-12"),
            )
        };
        let b = value.as_bytes();
        let shape_ok = b.len() == 7
            && b[4] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_digit());
        if !shape_ok {
            return Err(bad());
        }
        let year: i32 = value[..4].parse().map_err(|_| bad())?;
        let month: u32 = value[5..].parse().map_err(|_| bad())?;
        if year < 2000 {
            return Err(FieldError::new(
                field,
                format!("`{value}` is before 2000-01, the earliest period edgebss bills"),
            ));
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|first| Self { first })
            .ok_or_else(bad)
    }

    /// The period `date` falls in.
    pub fn containing(date: NaiveDate) -> Self {
        Self {
            first: date.with_day(1).unwrap_or(date),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first.pred_opt().unwrap_or(self.first)
    }

    pub fn days(&self) -> u32 {
        self.last_day().day()
    }

    pub fn next(&self) -> Self {
        Self {
            first: self
                .first
                .checked_add_months(Months::new(1))
                .unwrap_or(self.first),
        }
    }

    pub fn previous(&self) -> Self {
        Self {
            first: self
                .first
                .checked_sub_months(Months::new(1))
                .unwrap_or(self.first),
        }
    }

    /// The day this period's invoices are issued: `bill_day` (1 to 28) of the month.
    pub fn bill_date(&self, bill_day: u32) -> NaiveDate {
        self.first
            .with_day(bill_day.clamp(1, 28))
            .unwrap_or(self.first)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

impl rusqlite::types::ToSql for Period {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
    }
}

impl rusqlite::types::FromSql for Period {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        Period::parse("period", value.as_str()?)
            .map_err(|e| rusqlite::types::FromSqlError::Other(e.into()))
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_strictly_and_know_their_days() {
        let p = Period::parse("period", "2028-02").unwrap();
        assert_eq!(p.days(), 29);
        assert_eq!(p.last_day(), d(2028, 2, 29));
        assert_eq!(Period::parse("p", "2027-02").unwrap().days(), 28);
        assert_eq!(p.to_string(), "2028-02");
        assert_eq!(p.next().to_string(), "2028-03");
        assert_eq!(
            Period::parse("p", "2027-01")
                .unwrap()
                .previous()
                .to_string(),
            "2026-12"
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-12",
            "2026/12",
            "",
            "2026-12-01",
            "1999-12",
        ] {
            assert_eq!(
                Period::parse("period", bad).unwrap_err().field,
                "period",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_bill_date_is_the_bill_day_of_the_month() {
        let p = Period::containing(d(2026, 12, 17));
        assert_eq!(p.first_day(), d(2026, 12, 1));
        assert_eq!(p.bill_date(1), d(2026, 12, 1));
        assert_eq!(p.bill_date(28), d(2026, 12, 28));
    }
}
