//! Admin UI sessions: a random token in an `HttpOnly; SameSite=Strict` cookie; the server keeps
//! only its SHA-256, with idle and absolute expiry. A new token is issued at every sign-in.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use sha2::{Digest, Sha256};

use crate::config::UiSettings;
use crate::db::users::User;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "edgebss_session";

/// The session lifetimes and sign-in limits, in seconds, from the `ui` settings.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
    pub max_failures: i64,
    pub lockout_secs: i64,
    pub secure_cookies: bool,
}

impl SessionPolicy {
    pub fn from_settings(ui: &UiSettings, tls_configured: bool) -> Self {
        Self {
            idle_secs: i64::from(ui.session_idle_minutes) * 60,
            absolute_secs: i64::from(ui.session_absolute_hours) * 3600,
            max_failures: i64::from(ui.max_failed_sign_ins),
            lockout_secs: i64::from(ui.lockout_minutes) * 60,
            secure_cookies: ui.secure_cookies.unwrap_or(tls_configured),
        }
    }
}

/// A signed-in user's session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

/// A fresh random token: 32 bytes from the OS-seeded generator, hex encoded.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// What is stored for a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The cookie carrying `token`; it lives no longer than the session's absolute limit.
pub fn session_cookie(token: &str, policy: &SessionPolicy) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(policy.secure_cookies)
        .max_age(CookieDuration::seconds(policy.absolute_secs))
        .finish()
}

/// A cookie that makes the browser forget the session.
pub fn removal_cookie(policy: &SessionPolicy) -> Cookie<'static> {
    let mut c = session_cookie("", policy);
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let policy = SessionPolicy::from_settings(&UiSettings::default(), true);
        let c = session_cookie("t", &policy).to_string();
        assert!(c.contains("HttpOnly"), "{c}");
        assert!(c.contains("SameSite=Strict"), "{c}");
        assert!(c.contains("Secure"), "{c}");
        assert!(c.contains("Path=/"), "{c}");
        // Behind TLS cookies are Secure unless the setting says otherwise, and vice versa.
        let plain = SessionPolicy::from_settings(&UiSettings::default(), false);
        assert!(!session_cookie("t", &plain).to_string().contains("Secure"));
        let forced = UiSettings {
            secure_cookies: Some(false),
            ..UiSettings::default()
        };
        let off = SessionPolicy::from_settings(&forced, true);
        assert!(!session_cookie("t", &off).to_string().contains("Secure"));
    }
}
