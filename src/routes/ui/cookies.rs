//! The session cookie: `HttpOnly; SameSite=Strict`, `Secure` when the policy says so.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};

use crate::auth::session::SessionPolicy;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "edgebss_session";

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

    fn policy(secure_cookies: bool) -> SessionPolicy {
        SessionPolicy {
            idle_secs: 1800,
            absolute_secs: 43_200,
            max_failures: 5,
            lockout_secs: 900,
            secure_cookies,
        }
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let c = session_cookie("t", &policy(true)).to_string();
        assert!(c.contains("HttpOnly"), "{c}");
        assert!(c.contains("SameSite=Strict"), "{c}");
        assert!(c.contains("Secure"), "{c}");
        assert!(c.contains("Path=/"), "{c}");
        assert!(
            !session_cookie("t", &policy(false))
                .to_string()
                .contains("Secure")
        );
    }
}
