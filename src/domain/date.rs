use chrono::NaiveDate;

use super::FieldError;

/// A calendar date written exactly `YYYY-MM-DD`, as the contract's `format: date` requires.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            format!("`{value}` is not a date of the form YYYY-MM-DD"),
        )
    };
    let b = value.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(bad());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())
}

/// The earliest date accepted wherever a date or time is entered (a payment, a subscription's
/// start): no business keeps its records in edgebss from before, and an older date is a typing
/// mistake (year 0, 1969) that would distort every report.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// How many years ahead of today a date entered may lie (a subscription starting later).
pub const YEARS_AHEAD: u32 = 5;

/// The latest date accepted when today is `today`: [`YEARS_AHEAD`] years on.
pub fn latest_date(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_months(chrono::Months::new(12 * YEARS_AHEAD))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` when it lies from [`EARLIEST_DATE`] to `latest` (inclusive), otherwise a message naming
/// the field and the bounds.
pub fn check_date_range(
    field: &str,
    date: NaiveDate,
    latest: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    if (EARLIEST_DATE..=latest).contains(&date) {
        Ok(date)
    } else {
        Err(FieldError::new(
            field,
            format!("{date} is out of range: it must be from {EARLIEST_DATE} to {latest}"),
        ))
    }
}

/// Timestamps in API responses: RFC 3339 UTC with milliseconds, so two changes within one second
/// still show a moving `updatedAt`.
pub fn format_timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An instant written in RFC 3339 (`2026-11-26T15:04:05Z`), or a date (`2026-11-26`, its start
/// in UTC), as filters take them.
pub fn parse_timestamp(
    field: &str,
    value: &str,
) -> Result<chrono::DateTime<chrono::Utc>, FieldError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) {
        return Ok(t.to_utc());
    }
    parse_date(field, value)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("`{value}` is neither an RFC 3339 time nor a date of the form YYYY-MM-DD"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_full_iso_dates_are_accepted() {
        assert_eq!(
            parse_date("d", "2028-02-29").unwrap(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        for bad in [
            "2027-02-29",
            "2026-1-05",
            "26-01-05",
            "2026/01/05",
            "",
            "2026-13-01",
            "+02026-01-0",
        ] {
            assert!(parse_date("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn entered_dates_lie_from_2000_to_five_years_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let latest = latest_date(today);
        assert_eq!(latest, NaiveDate::from_ymd_opt(2031, 11, 26).unwrap());
        assert!(check_date_range("d", EARLIEST_DATE, latest).is_ok());
        assert!(check_date_range("d", latest, latest).is_ok());
        for bad in ["0000-01-01", "1999-12-31", "2031-11-27", "9999-12-31"] {
            let date = parse_date("d", bad).unwrap();
            let err = check_date_range("d", date, latest).unwrap_err();
            assert_eq!(err.field, "d");
            assert!(err.message.contains("2000-01-01"), "{}", err.message);
        }
        assert_eq!(latest_date(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn filter_times_are_rfc3339_or_a_date() {
        let t = parse_timestamp("from", "2026-11-26T15:04:05+01:00").unwrap();
        assert_eq!(format_timestamp(t), "2026-11-26T14:04:05.000Z");
        let d = parse_timestamp("from", "2026-11-26").unwrap();
        assert_eq!(format_timestamp(d), "2026-11-26T00:00:00.000Z");
        assert_eq!(
            parse_timestamp("from", "yesterday").unwrap_err().field,
            "from"
        );
    }
}
