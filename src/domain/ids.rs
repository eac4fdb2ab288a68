//! Opaque identifiers: a type prefix and a ULID, so they sort by creation time and cannot be
//! guessed (80 random bits).

/// What every id type offers: the name of what it identifies (for "customer `x` was not found")
/// and its one parser. The HTTP layer's path extractors parse with it, so a malformed id in a
/// URL is answered like an unknown one and the services only ever see well-formed ids.
pub trait Id: Sized {
    /// What the id identifies, in the words of an error message.
    const WHAT: &'static str;
    /// `None` for anything that cannot be one of our ids.
    fn parse_id(s: &str) -> Option<Self>;
}

/// An id in a URL that cannot be one of ours: answered like an unknown one (404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedId {
    pub what: &'static str,
    pub id: String,
}

/// The ids a route's path carries, in order: one id, or a pair such as an invoice and one of
/// its payments.
pub trait PathIds: Sized {
    fn from_path(values: &[&str]) -> Result<Self, MalformedId>;
}

fn path_id<T: Id>(values: &[&str], at: usize) -> Result<T, MalformedId> {
    let value = values.get(at).copied().unwrap_or_default();
    T::parse_id(value).ok_or_else(|| MalformedId {
        what: T::WHAT,
        id: value.to_owned(),
    })
}

impl<A: Id, B: Id> PathIds for (A, B) {
    fn from_path(values: &[&str]) -> Result<Self, MalformedId> {
        Ok((path_id(values, 0)?, path_id(values, 1)?))
    }
}

/// An id and a word after it, such as `/api-clients/{id}/{action}`.
impl<A: Id> PathIds for (A, String) {
    fn from_path(values: &[&str]) -> Result<Self, MalformedId> {
        let word = values.get(1).copied().unwrap_or_default().to_owned();
        Ok((path_id(values, 0)?, word))
    }
}

macro_rules! id_type {
    ($name:ident, $prefix:literal, $what:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, ulid::Ulid::new()))
            }

            /// `None` for anything that cannot be one of our ids; callers answer 404 for it.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?;
                ulid::Ulid::from_string(rest).ok()?;
                Some(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An id as our own storage holds it (as reading a row does: not checked again).
            pub fn from_stored(s: impl Into<String>) -> Self {
                Self(s.into())
            }
        }

        impl Id for $name {
            const WHAT: &'static str = $what;

            fn parse_id(s: &str) -> Option<Self> {
                Self::parse(s)
            }
        }

        impl PathIds for $name {
            fn from_path(values: &[&str]) -> Result<Self, MalformedId> {
                path_id(values, 0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.0.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                Ok(Self(value.as_str()?.to_owned()))
            }
        }
    };
}

id_type!(CustomerId, "cus_", "customer");
id_type!(ProductId, "prd_", "product");
id_type!(SubscriptionId, "sub_", "subscription");
id_type!(InvoiceId, "inv_", "invoice");
id_type!(PaymentId, "pay_", "payment");
id_type!(BillRunId, "brn_", "bill run");
id_type!(ClientId, "cli_", "API client");
id_type!(EventId, "evt_", "event");
id_type!(WebhookEndpointId, "whe_", "webhook endpoint");
id_type!(EmailId, "eml_", "e-mail message");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_foreign_ones_do_not() {
        let id = CustomerId::generate();
        assert_eq!(CustomerId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(ProductId::parse(id.as_str()), None);
        assert_eq!(CustomerId::parse("cus_123"), None);
    }

    #[test]
    fn path_ids_parse_in_order_and_name_what_is_malformed() {
        let (inv, pay) = (InvoiceId::generate(), PaymentId::generate());
        let pair = <(InvoiceId, PaymentId)>::from_path(&[inv.as_str(), pay.as_str()]).unwrap();
        assert_eq!(pair, (inv.clone(), pay));
        let bad = <(InvoiceId, PaymentId)>::from_path(&[inv.as_str(), "pay_x"]).unwrap_err();
        assert_eq!((bad.what, bad.id.as_str()), ("payment", "pay_x"));
        assert_eq!(
            CustomerId::from_path(&[inv.as_str()]).unwrap_err().what,
            "customer"
        );
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = InvoiceId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = InvoiceId::generate();
        assert!(a < b);
    }
}
