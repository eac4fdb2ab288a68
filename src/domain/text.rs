use super::FieldError;

/// Characters that change how the text around them is shown without being seen themselves:
/// the bidirectional embeddings, overrides, isolates and marks (U+202E shows `cod.exe` as
/// `exe.doc`), and invisible characters (zero-width space, word joiner, byte-order mark, soft
/// hyphen, fillers), which make two different names look the same.
fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{180E}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{17B4}'
            | '\u{17B5}'
    )
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';

/// The zero-width non-joiner and joiner are part of writing Persian, the Indic scripts and emoji
/// sequences, always between two such characters; anywhere else (at an end, beside ASCII or a
/// space, doubled) they only hide.
fn joins(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && c != ZWNJ && c != ZWJ && !is_hidden(c))
}

/// Refuses control characters, bidirectional controls and invisible characters (see
/// [`is_hidden`]); zero-width (non-)joiners only where a script needs them.
pub fn check_visible(field: &str, value: &str) -> Result<(), FieldError> {
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    let chars: Vec<char> = value.chars().collect();
    let misplaced = |i: usize| {
        !(joins(i.checked_sub(1).and_then(|p| chars.get(p).copied()))
            && joins(chars.get(i + 1).copied()))
    };
    let hidden = chars
        .iter()
        .enumerate()
        .find(|&(i, &c)| is_hidden(c) || ((c == ZWNJ || c == ZWJ) && misplaced(i)));
    if let Some((_, c)) = hidden {
        return Err(FieldError::new(
            field,
            format!(
                "must not contain invisible or text-direction characters (found U+{:04X})",
                u32::from(*c)
            ),
        ));
    }
    Ok(())
}

/// A free-text field as people type it: trimmed, not empty, at most `max` characters, and without
/// control characters (which break invoices, CSV exports and terminals alike) or characters that
/// hide or reorder text ([`check_visible`]).
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
    check_visible(field, trimmed)?;
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
    fn text_that_hides_or_reorders_itself_is_refused() {
        for bad in [
            "Ada\u{202E}ecalevol",
            "Ada\u{2066}x\u{2069}",
            "A\u{200B}da",
            "\u{FEFF}Ada",
            "Ad\u{00AD}a",
            "Ada\u{200D}",
            "A\u{200C}da",
            "\u{200D}\u{0645}",
        ] {
            let err = parse_text("firstName", bad, 100).unwrap_err();
            assert_eq!(err.field, "firstName", "{bad:?}");
            assert!(
                err.message.contains("invisible"),
                "{bad:?}: {}",
                err.message
            );
        }
        // Where scripts need the joiners, and ordinary text in any script.
        for good in [
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
            "\u{0915}\u{094D}\u{200D}\u{0937}",
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
            "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",
            "José Ñúñez",
            "\u{05D3}\u{05D5}\u{05D3}",
            "山田 太郎",
        ] {
            assert!(parse_text("firstName", good, 100).is_ok(), "{good:?}");
        }
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
