//! API scopes: what a token lets its holder do. The contract names the first four; `write:billing`
//! and `read:billing` also cover the bill-run operations edgebss adds; the event feed, webhook
//! endpoints and the audit trail have scopes of their own, and so have changing the catalog and
//! sending usage records.

use std::collections::BTreeSet;
use std::fmt;

use crate::domain::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    ReadCustomers,
    WriteCustomers,
    WriteSubscriptions,
    ReadBilling,
    WriteBilling,
    ReadEvents,
    WriteWebhooks,
    ReadAudit,
    WriteCatalog,
    WriteUsage,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::ReadCustomers,
        Scope::WriteCustomers,
        Scope::WriteSubscriptions,
        Scope::ReadBilling,
        Scope::WriteBilling,
        Scope::ReadEvents,
        Scope::WriteWebhooks,
        Scope::ReadAudit,
        Scope::WriteCatalog,
        Scope::WriteUsage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReadCustomers => "read:customers",
            Scope::WriteCustomers => "write:customers",
            Scope::WriteSubscriptions => "write:subscriptions",
            Scope::ReadBilling => "read:billing",
            Scope::WriteBilling => "write:billing",
            Scope::ReadEvents => "read:events",
            Scope::WriteWebhooks => "write:webhooks",
            Scope::ReadAudit => "read:audit",
            Scope::WriteCatalog => "write:catalog",
            Scope::WriteUsage => "write:usage",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// The accepted spellings, for error messages.
    pub fn expected() -> String {
        Scope::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, always written space-separated in one canonical order (the OAuth2 `scope`
/// spelling), so equal sets print equally.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    pub fn all() -> Self {
        Self(Scope::ALL.iter().copied().collect())
    }

    /// Parses scopes separated by spaces and/or commas; `field` names the input in errors. An
    /// unknown scope is an error naming it; repeats are harmless.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let mut set = BTreeSet::new();
        for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
            let scope = Scope::parse(word).ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{word}` is not a scope; known scopes: {}",
                        Scope::expected()
                    ),
                )
            })?;
            set.insert(scope);
        }
        Ok(Self(set))
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes in this set that `other` lacks.
    pub fn missing_from(&self, other: &ScopeSet) -> ScopeSet {
        Self(self.0.difference(&other.0).copied().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl rusqlite::types::ToSql for ScopeSet {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
    }
}

impl rusqlite::types::FromSql for ScopeSet {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        ScopeSet::parse("scopes", value.as_str()?)
            .map_err(|e| rusqlite::types::FromSqlError::Other(e.to_string().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_spaces_or_commas_and_print_canonically() {
        let set = ScopeSet::parse("scope", "write:billing,read:customers  read:customers").unwrap();
        assert_eq!(set.to_string(), "read:customers write:billing");
        assert_eq!(ScopeSet::parse("scope", "").unwrap(), ScopeSet::default());
        assert_eq!(
            ScopeSet::parse("s", &ScopeSet::all().to_string()).unwrap(),
            ScopeSet::all()
        );
    }

    #[test]
    fn an_unknown_scope_is_named() {
        let err = ScopeSet::parse("scope", "read:customers admin").unwrap_err();
        assert_eq!(err.field, "scope");
        assert!(err.message.contains("`admin`"), "{err}");
    }

    #[test]
    fn subset_and_missing() {
        let all = ScopeSet::all();
        let some = ScopeSet::parse("s", "read:billing").unwrap();
        assert!(some.is_subset(&all));
        assert!(!all.is_subset(&some));
        assert_eq!(
            all.missing_from(&some).to_string(),
            "read:customers write:customers write:subscriptions write:billing read:events \
             write:webhooks read:audit write:catalog write:usage"
        );
    }
}
