use super::FieldError;

/// An email address that a mail server could deliver to: RFC 5322 syntax with a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let v = value.trim();
        let bad = || FieldError::new(field, format!("`{v}` is not a valid email address"));
        if v.len() > 254
            || v.chars().any(|c| c.is_whitespace() || c.is_control())
            || super::text::check_visible(field, v).is_err()
        {
            return Err(bad());
        }
        let parsed: email_address::EmailAddress = v.parse().map_err(|_| bad())?;
        let domain = parsed.domain();
        // Addresses at a bare host or an IP literal are legal but never what a customer means.
        if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
            return Err(bad());
        }
        Ok(Self(v.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted() {
        for ok in [
            "ada@example.com",
            "first.last+tag@sub.example.co.uk",
            "o'neil@example.ie",
        ] {
            assert!(Email::parse("email", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_field_named() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "a da@example.com",
            "ada@@x.com",
        ] {
            let err = Email::parse("email", bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }
}
