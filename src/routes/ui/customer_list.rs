//! What the customer list needs besides the handler: its query, read into the listing the
//! service takes, and the note that says why a search result matched when the match is not in
//! the name the row shows.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::FieldError;
use crate::domain::customer::{Customer, CustomerFilter};
use crate::domain::date::parse_date;
use crate::domain::list_order::{CustomerListing, Order};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, rename = "type")]
    pub customer_type: String,
    /// "Customer since" from and to (inclusive days).
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub sort: String,
    pub page: Option<String>,
}

fn parse_opt<T: std::str::FromStr<Err = String>>(
    field: &str,
    v: &str,
) -> Result<Option<T>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|e| FieldError::new(field, e))
}

fn opt_date(field: &str, v: &str) -> Result<Option<NaiveDate>, FieldError> {
    let v = v.trim();
    (!v.is_empty()).then(|| parse_date(field, v)).transpose()
}

impl ListQuery {
    /// The listing asked for; a bad filter is filed under its field.
    pub fn listing(&self) -> Result<CustomerListing, FieldError> {
        Ok(CustomerListing {
            filter: CustomerFilter {
                status: parse_opt("status", &self.status)?,
                customer_type: parse_opt("type", &self.customer_type)?,
            },
            since_from: opt_date("from", &self.from)?,
            since_to: opt_date("to", &self.to)?,
            order: Order::parse(&self.sort, CustomerListing::DEFAULT_ORDER)?,
        })
    }

    /// The filters a link to another page or order keeps (without `sort` and `page`).
    pub fn params(&self) -> [(&'static str, &str); 5] {
        [
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("type", self.customer_type.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
    }
}

/// Why a search result matched, when not by the name the row shows: the field, and its text cut
/// around the matching part (`hit`, shown marked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchNote {
    pub field: &'static str,
    pub before: String,
    pub hit: String,
    pub after: String,
}

/// Where `needle` first occurs in `hay`, ignoring case (byte range of `hay`).
fn find_ignoring_case(hay: &str, needle: &str) -> Option<(usize, usize)> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return None;
    }
    for (start, _) in hay.char_indices() {
        let mut it = hay[start..].char_indices();
        let mut matched = 0;
        let mut end = start;
        while matched < needle.len() {
            let Some((i, c)) = it.next() else { break };
            let lower: Vec<char> = c.to_lowercase().collect();
            if needle.get(matched..matched + lower.len()) != Some(lower.as_slice()) {
                break;
            }
            matched += lower.len();
            end = start + i + c.len_utf8();
        }
        if matched == needle.len() {
            return Some((start, end));
        }
    }
    None
}

/// The note for `c` found by `query`, or `None` when a word of the query is in its name (the row
/// shows that) or nothing can be pointed at.
pub fn match_note(c: &Customer, query: &str) -> Option<MatchNote> {
    // The whole query first, so "555 0134" marks both words where they stand together.
    let whole = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = std::iter::once(whole.as_str())
        .chain(query.split_whitespace())
        .filter(|w| w.chars().count() >= 3)
        .collect();
    let name = c.display_name();
    if words.iter().any(|w| find_ignoring_case(&name, w).is_some()) {
        return None;
    }
    let phone = c.phone.clone().unwrap_or_default();
    let fields: [(&'static str, &str); 3] = [
        ("e-mail", c.email.as_str()),
        ("phone", phone.as_str()),
        ("account", c.account_number.as_str()),
    ];
    for w in &words {
        for (field, text) in fields {
            if let Some((a, b)) = find_ignoring_case(text, w) {
                return Some(MatchNote {
                    field,
                    before: text[..a].to_owned(),
                    hit: text[a..b].to_owned(),
                    after: text[b..].to_owned(),
                });
            }
        }
        // A phone number typed another way: its digits are in the phone's digits.
        let digits: String = w.chars().filter(char::is_ascii_digit).collect();
        let phone_digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 && phone_digits.contains(&digits) {
            return Some(MatchNote {
                field: "phone",
                before: String::new(),
                hit: phone.clone(),
                after: String::new(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::{CustomerStatus, CustomerType};

    fn ada() -> Customer {
        Customer {
            customer_id: crate::domain::ids::CustomerId::generate(),
            customer_type: CustomerType::Individual,
            status: CustomerStatus::Active,
            account_number: "10000017".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            company_name: None,
            email: "countess@Analytical.example".into(),
            phone: Some("+1 (555) 010-2030".into()),
            address: None,
            billing_address: None,
            tax_exempt: false,
            created_at: String::new(),
            updated_at: String::new(),
            contact_person: None,
            tax_id: None,
            notes: None,
        }
    }

    #[test]
    fn a_match_outside_the_name_is_pointed_at() {
        let c = ada();
        let n = match_note(&c, "analytical").unwrap();
        assert_eq!(
            (n.field, n.before.as_str(), n.hit.as_str(), n.after.as_str()),
            ("e-mail", "countess@", "Analytical", ".example")
        );
        assert_eq!(match_note(&c, "love").map(|n| n.field), None);
        assert_eq!(match_note(&c, "555-0102").unwrap().field, "phone");
        assert_eq!(match_note(&c, "0000017").unwrap().hit, "0000017");
    }

    #[test]
    fn case_is_ignored_beyond_ascii() {
        assert_eq!(find_ignoring_case("ÅSA Öberg", "åsa"), Some((0, 4)));
        assert_eq!(find_ignoring_case("abc", "x"), None);
    }
}
