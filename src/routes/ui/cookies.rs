//! The session cookie: `HttpOnly; SameSite=Strict`, `Secure` when the policy says so; and the
//! rule that every cookie the admin UI sets is `Secure` when the policy says so.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::middleware::Next;
use actix_web::web;

use crate::auth::session::SessionPolicy;
use crate::routes::state::AppState;

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

/// Marks every cookie an admin UI response sets `Secure` when the policy asks for it
/// (`ui.secure_cookies`, or TLS). The decision is made here, once, rather than by each place that
/// sets a cookie: the flash message is set by `redirect`, which knows no settings, and a cookie
/// added later cannot forget it.
pub async fn secure_cookies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.session_policy().secure_cookies);
    let mut res = next.call(req).await?;
    if secure && res.headers().contains_key(SET_COOKIE) {
        let headers = res.headers_mut();
        let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
        headers.remove(SET_COOKIE);
        for value in cookies {
            headers.append(SET_COOKIE, mark_secure(&value).unwrap_or(value));
        }
    }
    Ok(res)
}

fn mark_secure(value: &HeaderValue) -> Option<HeaderValue> {
    let mut cookie = Cookie::parse(value.to_str().ok()?).ok()?;
    cookie.set_secure(true);
    HeaderValue::from_str(&cookie.to_string()).ok()
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

    #[test]
    fn marking_keeps_every_other_attribute() {
        let value = HeaderValue::from_static(
            "edgebss_flash=Saved; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0",
        );
        let marked = mark_secure(&value).unwrap();
        let text = marked.to_str().unwrap();
        for part in [
            "edgebss_flash=Saved",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/admin",
            "Max-Age=0",
            "Secure",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
