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

/// Timestamps in API responses: RFC 3339 UTC with milliseconds, so two changes within one second
/// still show a moving `updatedAt`.
pub fn format_timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
}
