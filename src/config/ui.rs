//! Settings of the admin UI: sign-in rules, and who issues the invoices it prints.

use serde::{Deserialize, Serialize};

/// The admin UI's sign-in rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiSettings {
    /// A session unused for this long ends.
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute_hours: u32,
    /// Failed sign-ins (per user name, and per address) before sign-in is refused for a while.
    pub max_failed_sign_ins: u32,
    /// How long sign-in stays refused after too many failures.
    pub lockout_minutes: u32,
    /// Mark cookies `Secure` (sent over HTTPS only). Unset: on when TLS is configured.
    pub secure_cookies: Option<bool>,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            max_failed_sign_ins: 5,
            lockout_minutes: 15,
            secure_cookies: None,
        }
    }
}

/// Who issues the invoices: printed at the head of every invoice.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorSettings {
    pub name: String,
    /// Postal address, one entry per printed line.
    pub address: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// VAT / tax registration number.
    pub tax_id: Option<String>,
}
