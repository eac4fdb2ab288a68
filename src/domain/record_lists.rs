//! The Subscriptions and Payments lists of the admin UI as they are asked for: filters, a search
//! and an order, read from a query string. The list page and its CSV export read the same
//! values the same way, so the export holds exactly the rows the list shows.

use chrono::NaiveDate;

use super::FieldError;
use super::date::parse_date;
use super::enums::{PaymentMethod, SubscriptionStatus};
use super::ids::ProductId;
use super::list_order::{Order, SortKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionSort {
    /// Start date (then creation order).
    Start,
    /// Monthly charge.
    Charge,
}

impl SortKey for SubscriptionSort {
    const KEYS: &'static [(Self, &'static str)] = &[
        (SubscriptionSort::Start, "start"),
        (SubscriptionSort::Charge, "charge"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentSort {
    /// When it was paid (then the order recorded).
    Paid,
    /// Amount.
    Amount,
}

impl SortKey for PaymentSort {
    const KEYS: &'static [(Self, &'static str)] =
        &[(PaymentSort::Paid, "paid"), (PaymentSort::Amount, "amount")];
}

/// The Subscriptions list's query string, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubscriptionFilters<'a> {
    /// A customer's name, account number or e-mail.
    pub q: &'a str,
    pub status: &'a str,
    pub product: &'a str,
    /// Start dates from and to (inclusive).
    pub from: &'a str,
    pub to: &'a str,
    pub sort: &'a str,
}

/// The Subscriptions list as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionListing {
    pub status: Option<SubscriptionStatus>,
    pub product: Option<ProductId>,
    pub start_from: Option<NaiveDate>,
    pub start_to: Option<NaiveDate>,
    /// What to look for in the customers' names, account numbers and e-mails.
    pub search: Option<String>,
    pub order: Order<SubscriptionSort>,
}

impl SubscriptionListing {
    /// Newest first.
    pub const DEFAULT_ORDER: Order<SubscriptionSort> = Order {
        by: SubscriptionSort::Start,
        desc: true,
    };

    /// Reads the filters; the first bad one is refused under its field's name.
    pub fn parse(f: SubscriptionFilters<'_>) -> Result<Self, FieldError> {
        let product = match f.product.trim() {
            "" => None,
            p => Some(ProductId::parse(p).ok_or_else(|| {
                FieldError::new("product", format!("`{p}` is not a product of the catalog"))
            })?),
        };
        let (start_from, start_to) = range(f.from, f.to)?;
        Ok(Self {
            status: choice("status", f.status)?,
            product,
            start_from,
            start_to,
            search: search(f.q)?,
            order: Order::parse(f.sort, Self::DEFAULT_ORDER)?,
        })
    }
}

/// The Payments list's query string, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentFilters<'a> {
    /// An invoice number, a customer's name or account number, or a payment's reference.
    pub q: &'a str,
    pub method: &'a str,
    /// Days paid from and to (inclusive), in the operator's time zone.
    pub from: &'a str,
    pub to: &'a str,
    pub sort: &'a str,
}

/// The Payments list as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentListing {
    pub method: Option<PaymentMethod>,
    pub paid_from: Option<NaiveDate>,
    pub paid_to: Option<NaiveDate>,
    pub search: Option<String>,
    pub order: Order<PaymentSort>,
}

impl PaymentListing {
    /// Newest first.
    pub const DEFAULT_ORDER: Order<PaymentSort> = Order {
        by: PaymentSort::Paid,
        desc: true,
    };

    /// Reads the filters; the first bad one is refused under its field's name.
    pub fn parse(f: PaymentFilters<'_>) -> Result<Self, FieldError> {
        let (paid_from, paid_to) = range(f.from, f.to)?;
        Ok(Self {
            method: choice("method", f.method)?,
            paid_from,
            paid_to,
            search: search(f.q)?,
            order: Order::parse(f.sort, Self::DEFAULT_ORDER)?,
        })
    }
}

/// One of an enum's values, or none when left empty.
fn choice<T: std::str::FromStr<Err = String>>(
    field: &str,
    value: &str,
) -> Result<Option<T>, FieldError> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|e| FieldError::new(field, e)),
    }
}

/// A range of days, either end open; `from` may not come after `to`.
fn range(from: &str, to: &str) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FieldError> {
    let day = |field: &str, v: &str| match v.trim() {
        "" => Ok(None),
        v => parse_date(field, v).map(Some),
    };
    let (from, to) = (day("from", from)?, day("to", to)?);
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(FieldError::new(
            "from",
            format!("{a} is after the end of the range, {b}"),
        ));
    }
    Ok((from, to))
}

fn search(q: &str) -> Result<Option<String>, FieldError> {
    let q = super::text::parse_search("q", q)?.trim();
    if q.chars().count() > 100 {
        return Err(FieldError::new("q", "must be at most 100 characters"));
    }
    Ok((!q.is_empty()).then(|| q.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_filters_are_read_and_a_bad_one_named() {
        let l = SubscriptionListing::parse(SubscriptionFilters {
            q: "  ada ",
            status: "Active",
            from: "2026-01-01",
            to: "2026-12-31",
            sort: "-charge",
            ..Default::default()
        })
        .unwrap();
        assert_eq!(l.status, Some(SubscriptionStatus::Active));
        assert_eq!(l.search.as_deref(), Some("ada"));
        assert_eq!(l.start_to, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!((l.order.by, l.order.desc), (SubscriptionSort::Charge, true));
        let defaults = SubscriptionListing::parse(SubscriptionFilters::default()).unwrap();
        assert_eq!(defaults.order, SubscriptionListing::DEFAULT_ORDER);
        assert_eq!(defaults.search, None);

        for (bad, field) in [
            (
                SubscriptionFilters {
                    status: "Sleeping",
                    ..Default::default()
                },
                "status",
            ),
            (
                SubscriptionFilters {
                    product: "nonsense",
                    ..Default::default()
                },
                "product",
            ),
            (
                SubscriptionFilters {
                    from: "2026-13-01",
                    ..Default::default()
                },
                "from",
            ),
            (
                SubscriptionFilters {
                    from: "2026-02-01",
                    to: "2026-01-01",
                    ..Default::default()
                },
                "from",
            ),
            (
                SubscriptionFilters {
                    sort: "name",
                    ..Default::default()
                },
                "sort",
            ),
        ] {
            let e = SubscriptionListing::parse(bad).unwrap_err();
            assert_eq!(e.field, field, "{e}");
        }
    }

    #[test]
    fn payment_filters_are_read_and_a_bad_one_named() {
        let l = PaymentListing::parse(PaymentFilters {
            method: "BankTransfer",
            to: "2026-11-30",
            sort: "amount",
            ..Default::default()
        })
        .unwrap();
        assert_eq!(l.method, Some(PaymentMethod::BankTransfer));
        assert_eq!(l.paid_from, None);
        assert_eq!((l.order.by, l.order.desc), (PaymentSort::Amount, false));
        let e = PaymentListing::parse(PaymentFilters {
            method: "Cheque",
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "method");
        assert!(e.message.contains("BankTransfer"), "{}", e.message);
        let e = PaymentListing::parse(PaymentFilters {
            to: "30/11/2026",
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "to");
    }
}
