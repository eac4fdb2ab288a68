//! CSRF protection for the admin UI's forms: every form carries a token that a page on another
//! site cannot know (it is tied to the session, or before sign-in to a cookie), and every POST is
//! refused unless the token it sends matches. `SameSite=Strict` cookies are a second layer.

use actix_web::cookie::{Cookie, SameSite};

/// The form field every form carries.
pub const FIELD: &str = "_csrf";

/// The cookie holding the sign-in form's token (there is no session yet to tie it to).
pub const PRE_SESSION_COOKIE: &str = "edgebss_signin";

/// Compares in time independent of where the strings differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

pub fn pre_session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(PRE_SESSION_COOKIE, token.to_owned())
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_identical_token_matches() {
        assert!(tokens_match("abc123", "abc123"));
        assert!(!tokens_match("abc123", "abc124"));
        assert!(!tokens_match("abc123", "abc12"));
        assert!(!tokens_match("", ""));
    }
}
