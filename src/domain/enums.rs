//! The states and kinds the contract enumerates. Stored as their contract spelling, with a `CHECK`
//! constraint in the schema so the database refuses anything else too.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                #[serde(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("`{}` is not one of {}", other, Self::expected())),
                }
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    };
}

string_enum!(
    /// Kind of customer account; decides which name fields are required.
    CustomerType { Individual => "Individual", Business => "Business", Government => "Government" }
);
string_enum!(
    CustomerStatus {
        Active => "Active",
        Inactive => "Inactive",
        Suspended => "Suspended",
        Terminated => "Terminated",
    }
);
string_enum!(
    ProductType { Mobile => "Mobile", Broadband => "Broadband", Tv => "TV", Bundle => "Bundle", Addon => "Addon" }
);
string_enum!(ProductStatus { Active => "Active", Discontinued => "Discontinued" });
string_enum!(
    SubscriptionStatus {
        Active => "Active",
        Suspended => "Suspended",
        Cancelled => "Cancelled",
        Pending => "Pending",
    }
);
string_enum!(
    InvoiceStatus { Open => "Open", Paid => "Paid", Overdue => "Overdue", Cancelled => "Cancelled" }
);
string_enum!(
    /// Who suspended a subscription: the customer's own status (undone when the customer is
    /// Active again) or a suspend action on the subscription itself.
    SuspendedBy { Customer => "Customer", Operator => "Operator" }
);
string_enum!(
    PaymentMethod {
        Cash => "Cash",
        Card => "Card",
        BankTransfer => "BankTransfer",
        MobileMoney => "MobileMoney",
    }
);
string_enum!(
    BillRunStatus {
        Running => "Running",
        Completed => "Completed",
        Failed => "Failed",
        Interrupted => "Interrupted",
    }
);
string_enum!(
    /// What started a bill run: an API client, the command line, the bill-day job, or a person
    /// in the admin UI.
    BillRunTrigger { Api => "Api", Cli => "Cli", Schedule => "Schedule", Admin => "Admin" }
);
string_enum!(
    /// An invoice line either charges days or gives back days charged beyond an end date.
    LineKind { Charge => "Charge", Credit => "Credit" }
);

string_enum!(
    /// What an invoice line bills: a subscription's (or add-on's) monthly charge or credit, a
    /// month's usage of a metric, a one-off charge, or a discount on another line.
    LineType { Recurring => "Recurring", Usage => "Usage", OneOff => "OneOff", Discount => "Discount" }
);
string_enum!(
    /// A one-off charge waits for the customer's next invoice, is on it, or was cancelled first.
    ChargeStatus { Pending => "Pending", Billed => "Billed", Cancelled => "Cancelled" }
);
string_enum!(
    /// A discount applies to the next invoices until its months are used up (`Ended`) or it is
    /// removed.
    DiscountStatus { Active => "Active", Ended => "Ended", Removed => "Removed" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_contract_spelling() {
        for t in ProductType::ALL {
            assert_eq!(t.as_str().parse::<ProductType>(), Ok(*t));
        }
        assert_eq!(ProductType::Tv.as_str(), "TV");
    }

    #[test]
    fn an_unknown_spelling_names_the_accepted_ones() {
        let err = "active".parse::<CustomerStatus>().unwrap_err();
        assert!(
            err.contains("Active, Inactive, Suspended, Terminated"),
            "{err}"
        );
    }
}
