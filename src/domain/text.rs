use super::FieldError;

/// A free-text field as people type it: trimmed, not empty, at most `max` characters, and without
/// control characters (which break invoices, CSV exports and terminals alike).
pub fn parse_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Same as [`parse_text`] for optional fields.
pub fn parse_opt_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    value.map(|v| parse_text(field, v, max)).transpose()
}

/// Search words as typed or pasted into a search box. Control characters other than white
/// space (which separates words) are refused: no one types them, and the full-text index reads a
/// NUL as the end of the query.
pub fn parse_search<'a>(field: &str, value: &'a str) -> Result<&'a str, FieldError> {
    if value.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

/// A telephone number as written by people: digits with the usual separators, 4 to 20 digits.
pub fn parse_phone(field: &str, value: &str) -> Result<String, FieldError> {
    let text = parse_text(field, value, 32)?;
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if !text.chars().all(allowed) || !(4..=20).contains(&digits) || text[1..].contains('+') {
        return Err(FieldError::new(
            field,
            "must be a telephone number: 4 to 20 digits, optionally with a leading +, spaces, dashes, dots or parentheses",
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(parse_text("f", "  Ada ", 10).unwrap(), "Ada");
        assert!(parse_text("f", "   ", 10).is_err());
        assert!(parse_text("f", "abcdefghijk", 10).is_err());
        assert!(parse_text("f", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn search_words_refuse_control_characters() {
        assert_eq!(parse_search("q", "Ada Lovelace").unwrap(), "Ada Lovelace");
        assert_eq!(parse_search("q", "abc\u{0}").unwrap_err().field, "q");
        assert!(parse_search("q", "a\u{7}b").is_err());
        assert!(parse_search("q", "pasted\tfrom a sheet").is_ok());
    }

    #[test]
    fn phones_accept_common_notations_only() {
        assert!(parse_phone("phone", "+1 (555) 010-2030").is_ok());
        assert!(parse_phone("phone", "0171 23.45.67").is_ok());
        assert!(parse_phone("phone", "call me").is_err());
        assert!(parse_phone("phone", "12").is_err());
        assert!(parse_phone("phone", "1+234567").is_err());
    }
}
