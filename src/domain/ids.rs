//! Opaque identifiers: a type prefix and a ULID, so they sort by creation time and cannot be
//! guessed (80 random bits).

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
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

id_type!(CustomerId, "cus_");
id_type!(ProductId, "prd_");
id_type!(SubscriptionId, "sub_");
id_type!(InvoiceId, "inv_");
id_type!(PaymentId, "pay_");
id_type!(BillRunId, "brn_");
id_type!(ClientId, "cli_");

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
    fn later_ids_sort_after_earlier_ones() {
        let a = InvoiceId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = InvoiceId::generate();
        assert!(a < b);
    }
}
