//! A branch's site id and the document numbers it prefixes.
//!
//! Head office consolidates every branch's records, so two branches must never hand out the same
//! invoice number: with a site id, each site numbers its own series (`PORTS-2026-000001`),
//! gapless within the site and the year (EU VAT Directive art. 226(2) allows "one or more
//! series"). Without one, numbering stays `INV-2026-000001`.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// Longest site id: it is part of every invoice number and of a NATS subject.
pub const MAX_LEN: usize = 16;

/// A site id: 1 to 16 upper-case letters and digits, starting with a letter. It is a single
/// NATS subject token (no `.`, `*`, `>` or space) and reads well in an invoice number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteId(String);

impl SiteId {
    /// Parses a site id; `field` names the input in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_LEN
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "`{s}` is not a site id: use 1 to {MAX_LEN} upper-case letters and digits, \
                     starting with a letter (e.g. PORTS)"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SiteId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse("site_id", &s).map_err(|e| e.message)
    }
}

impl From<SiteId> for String {
    fn from(s: SiteId) -> Self {
        s.0
    }
}

impl std::fmt::Display for SiteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The document series of one edge: its site, if it has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    site: Option<SiteId>,
}

impl Series {
    pub fn of(site: Option<SiteId>) -> Self {
        Self { site }
    }

    pub fn site(&self) -> Option<&SiteId> {
        self.site.as_ref()
    }

    /// The `number`th invoice of `year`: `INV-2026-000001`, or `PORTS-2026-000001` at site PORTS.
    pub fn invoice_number(&self, year: i32, number: i64) -> String {
        match &self.site {
            Some(site) => format!("{site}-{year}-{number:06}"),
            None => format!("INV-{year}-{number:06}"),
        }
    }

    /// The `number`th credit note of `year`: `CN-2026-000001`, or `PORTS-CN-2026-000001` at
    /// site PORTS (its own series beside the invoices', gapless within the site and year).
    pub fn credit_note_number(&self, year: i32, number: i64) -> String {
        match &self.site {
            Some(site) => format!("{site}-CN-{year}-{number:06}"),
            None => format!("CN-{year}-{number:06}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids_are_upper_case_tokens() {
        for ok in ["PORTS", "A", "B2", "DOCKS01", "ABCDEFGHIJKLMNOP"] {
            assert_eq!(SiteId::parse("sync.site_id", ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "ports",
            "2PORTS",
            "POR TS",
            "PO.RTS",
            "PO*",
            "PO>",
            "PO-RTS",
            "ABCDEFGHIJKLMNOPQ",
            "PÖRTS",
        ] {
            let e = SiteId::parse("sync.site_id", bad).unwrap_err();
            assert_eq!(e.field, "sync.site_id");
            assert!(e.message.contains("upper-case"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_site_prefixes_its_invoice_series() {
        let site = SiteId::parse("site", "PORTS").unwrap();
        assert_eq!(
            Series::of(Some(site)).invoice_number(2026, 1),
            "PORTS-2026-000001"
        );
        assert_eq!(
            Series::of(None).invoice_number(2027, 1234567),
            "INV-2027-1234567"
        );
        assert_eq!(
            Series::default().invoice_number(2026, 42),
            "INV-2026-000042"
        );
    }

    #[test]
    fn a_site_prefixes_its_credit_note_series() {
        let site = SiteId::parse("site", "PORTS").unwrap();
        assert_eq!(
            Series::of(Some(site)).credit_note_number(2026, 1),
            "PORTS-CN-2026-000001"
        );
        assert_eq!(
            Series::default().credit_note_number(2026, 7),
            "CN-2026-000007"
        );
    }
}
