//! Admin UI users: roles, user names and the password rule.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::FieldError;

/// What a user may do. Ordered: each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Read only.
    Viewer,
    /// Customers, subscriptions, invoices, payments, bill runs.
    Operator,
    /// Everything, including users, the catalog and API clients.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "operator" => Ok(Role::Operator),
            "viewer" => Ok(Role::Viewer),
            other => Err(FieldError::new(
                field,
                format!("`{other}` is not a role; choose admin, operator or viewer"),
            )),
        }
    }

    /// Whether this role includes `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToSql for Role {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Role {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Role::parse("role", value.as_str()?).map_err(|e| FromSqlError::Other(e.message.into()))
    }
}

/// An admin UI user as stored (the password only as its argon2id hash).
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: String,
}

/// A user name: 3 to 32 letters, digits, dots, dashes or underscores; compared without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !(3..=32).contains(&s.len()) || !ok_chars {
            return Err(FieldError::new(
                field,
                "must be 3 to 32 letters, digits, dots, dashes or underscores",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shortest password accepted. Length is what makes a password hard to guess; no other
/// composition rule is imposed (NIST SP 800-63B).
pub const MIN_PASSWORD_LEN: usize = 12;

/// Checks a new password; `username` may not be part of it.
pub fn check_new_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if n > 200 {
        return Err(FieldError::new(field, "must be at most 200 characters"));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(field, "must not contain the user name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Admin.allows(Role::Operator));
        assert!(Role::Operator.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Operator));
        assert!(!Role::Operator.allows(Role::Admin));
        assert_eq!(Role::parse("role", "root").unwrap_err().field, "role");
    }

    #[test]
    fn user_names_and_passwords_follow_the_rules() {
        assert!(Username::parse("username", "ada.l").is_ok());
        assert!(Username::parse("username", "a b").is_err());
        assert!(Username::parse("username", "ab").is_err());
        assert!(check_new_password("p", "short", "ada").is_err());
        assert!(check_new_password("p", "my-ada-password-x", "ada").is_err());
        assert!(check_new_password("p", "correct horse battery", "ada").is_ok());
    }
}
