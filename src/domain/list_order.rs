//! How the admin UI's lists may be sorted and narrowed beyond the API's filters. Each order has
//! an index (migration V12), so a sorted page costs about what the default one does.

use chrono::NaiveDate;

use super::FieldError;
use super::customer::CustomerFilter;
use super::enums::BillRunStatus;
use super::ids::BillRunId;
use super::invoice::InvoiceFilter;
use super::period::Period;

/// A sort key and its direction, written in a URL as `key` (ascending) or `-key` (descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order<K> {
    pub by: K,
    pub desc: bool,
}

/// The keys a list sorts by.
pub trait SortKey: Copy + Eq + Sized + 'static {
    /// Every key with its URL spelling.
    const KEYS: &'static [(Self, &'static str)];

    fn name(self) -> &'static str {
        Self::KEYS
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("", |(_, n)| n)
    }
}

impl<K: SortKey> Order<K> {
    /// Reads `sort` (`name` or `-name`); empty means `default`.
    pub fn parse(text: &str, default: Order<K>) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(default);
        }
        let (desc, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        K::KEYS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(by, _)| Order { by: *by, desc })
            .ok_or_else(|| {
                let known: Vec<&str> = K::KEYS.iter().map(|(_, n)| *n).collect();
                FieldError::new(
                    "sort",
                    format!("`{text}` is not a sort order; use {}", known.join(", ")),
                )
            })
    }

    /// The URL spelling.
    pub fn to_param(&self) -> String {
        if self.desc {
            format!("-{}", self.by.name())
        } else {
            self.by.name().to_owned()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSort {
    /// Account number, which is creation order.
    Account,
    /// The name shown (company for organisations).
    Name,
}

impl SortKey for CustomerSort {
    const KEYS: &'static [(Self, &'static str)] = &[
        (CustomerSort::Account, "account"),
        (CustomerSort::Name, "name"),
    ];
}

/// The customer list as the admin UI asks for it: the API's filters, the days customers were
/// created on (inclusive), and an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerListing {
    pub filter: CustomerFilter,
    pub since_from: Option<NaiveDate>,
    pub since_to: Option<NaiveDate>,
    pub order: Order<CustomerSort>,
}

impl CustomerListing {
    pub const DEFAULT_ORDER: Order<CustomerSort> = Order {
        by: CustomerSort::Account,
        desc: false,
    };

    /// Whether a date range narrows the list.
    pub fn has_dates(&self) -> bool {
        self.since_from.is_some() || self.since_to.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceSort {
    /// Invoice date (then creation order).
    Date,
    /// Invoice number.
    Number,
    /// Due date.
    Due,
}

impl SortKey for InvoiceSort {
    const KEYS: &'static [(Self, &'static str)] = &[
        (InvoiceSort::Date, "date"),
        (InvoiceSort::Number, "number"),
        (InvoiceSort::Due, "due"),
    ];
}

/// What an invoice search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceSearch {
    /// Invoice numbers starting with this text (upper case), or ending in these digits.
    Number(String),
    /// Invoices of the customers found by this customer-search query (FTS5 syntax).
    Customer(String),
}

impl InvoiceSearch {
    /// What a person typed: something shaped like an invoice number (digits, perhaps with
    /// letters and dashes, no spaces) is looked up as a number; anything else as a customer.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let number_like = !text.contains(char::is_whitespace)
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && (digits >= 3 || text.to_ascii_uppercase().starts_with("INV"));
        if number_like {
            Some(Self::Number(text.to_ascii_uppercase()))
        } else {
            Some(Self::Customer(text.to_owned()))
        }
    }
}

/// The invoice list as the admin UI asks for it.
#[derive(Debug, Clone)]
pub struct InvoiceListing {
    pub filter: InvoiceFilter,
    pub search: Option<InvoiceSearch>,
    /// Only the invoices one bill run created.
    pub bill_run: Option<BillRunId>,
    pub order: Order<InvoiceSort>,
}

impl InvoiceListing {
    pub const DEFAULT_ORDER: Order<InvoiceSort> = Order {
        by: InvoiceSort::Date,
        desc: true,
    };
}

/// Which bill runs to list, and in which order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunFilter {
    pub status: Option<BillRunStatus>,
    pub from: Option<Period>,
    pub to: Option<Period>,
    /// By period instead of by start (newest first either way unless `ascending`).
    pub by_period: bool,
    pub ascending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_read_their_url_spelling() {
        let d = CustomerListing::DEFAULT_ORDER;
        assert_eq!(Order::parse("", d).unwrap(), d);
        let o = Order::<CustomerSort>::parse("-name", d).unwrap();
        assert_eq!((o.by, o.desc), (CustomerSort::Name, true));
        assert_eq!(o.to_param(), "-name");
        let err = Order::<CustomerSort>::parse("email", d).unwrap_err();
        assert_eq!(err.field, "sort");
        assert!(err.message.contains("account, name"), "{}", err.message);
    }

    #[test]
    fn a_search_for_a_number_is_told_from_one_for_a_customer() {
        assert_eq!(
            InvoiceSearch::parse(" inv-2026-000123 "),
            Some(InvoiceSearch::Number("INV-2026-000123".into()))
        );
        assert_eq!(
            InvoiceSearch::parse("123"),
            Some(InvoiceSearch::Number("123".into()))
        );
        assert_eq!(
            InvoiceSearch::parse("ada lovelace"),
            Some(InvoiceSearch::Customer("ada lovelace".into()))
        );
        assert_eq!(
            InvoiceSearch::parse("acme"),
            Some(InvoiceSearch::Customer("acme".into()))
        );
        assert_eq!(InvoiceSearch::parse("  "), None);
    }
}
