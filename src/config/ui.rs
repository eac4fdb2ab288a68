//! Settings of the admin UI: sign-in rules, and who issues the invoices it prints.

use serde::{Deserialize, Serialize};

use crate::auth::session::SessionPolicy;

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

impl UiSettings {
    /// The session lifetimes and sign-in limits, in seconds. When the server speaks HTTPS itself
    /// (`tls.cert`/`tls.key`), cookies are `Secure` by default; `ui.secure_cookies` decides
    /// explicitly (e.g. behind a TLS proxy).
    pub fn session_policy(&self, tls_configured: bool) -> SessionPolicy {
        SessionPolicy {
            idle_secs: i64::from(self.session_idle_minutes) * 60,
            absolute_secs: i64::from(self.session_absolute_hours) * 3600,
            max_failures: i64::from(self.max_failed_sign_ins),
            lockout_secs: i64::from(self.lockout_minutes) * 60,
            secure_cookies: self.secure_cookies.unwrap_or(tls_configured),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_behind_tls_unless_the_setting_says_otherwise() {
        assert!(UiSettings::default().session_policy(true).secure_cookies);
        // Behind TLS cookies are Secure unless the setting says otherwise, and vice versa.
        assert!(!UiSettings::default().session_policy(false).secure_cookies);
        let forced = UiSettings {
            secure_cookies: Some(false),
            ..UiSettings::default()
        };
        assert!(!forced.session_policy(true).secure_cookies);
    }
}
