//! Signing in and out, and changing one's own password.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::cookies::{SESSION_COOKIE, removal_cookie, session_cookie};
use super::error::UiError;
use super::extract::{Authed, PostForm, SignInForm, policy};
use super::layout::{FormState, LayoutCtx, redirect, render_status};
use crate::auth::csrf;
use crate::auth::session::new_token;
use crate::domain::user::MIN_PASSWORD_LEN;
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::sessions::{self, SignInError};
use crate::service::users as service;

#[derive(Template)]
#[template(path = "pages/auth/login.html")]
pub struct LoginPage {
    layout: LayoutCtx,
    form: FormState,
    csrf: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only paths inside the admin UI are followed after sign-in (no open redirect). A control
/// character (a line break decoded from `%0d%0a`) cannot go into the `Location` header, so a
/// target holding one is no target.
fn safe_next(next: &str) -> String {
    if next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next.to_owned()
    } else {
        "/admin/".to_owned()
    }
}

fn login_page(
    state: &AppState,
    form: FormState,
    next: &str,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let token = new_token();
    let page = LoginPage {
        layout: LayoutCtx {
            title: "Sign in".to_owned(),
            ..Default::default()
        },
        form,
        csrf: token.clone(),
        next: safe_next(next),
    };
    let mut res = render_status(&page, &page.layout, status)?;
    res.add_cookie(&csrf::pre_session_cookie(
        &token,
        policy(state).secure_cookies,
    ))
    .map_err(|e| UiError::Unexpected(anyhow::anyhow!("bad cookie: {e}")))?;
    Ok(res)
}

pub async fn login_form(
    state: web::Data<AppState>,
    q: web::Query<LoginQuery>,
) -> Result<HttpResponse, UiError> {
    login_page(
        &state,
        FormState::default(),
        q.next.as_deref().unwrap_or("/admin/"),
        StatusCode::OK,
    )
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignInForm { form }: SignInForm,
) -> Result<HttpResponse, UiError> {
    let policy = policy(&state);
    let address = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let guard = sessions::Guard {
        verifier: state.auth.verifier(),
        policy: &policy,
    };
    let request = sessions::SignIn {
        username: form.get("username"),
        password: form.get("password"),
        address: &address,
        old_token: old.as_deref(),
    };
    let result = sessions::sign_in(&state.db, &state.clock, guard, request).await;
    let refuse = |message: String, status| {
        let state_form =
            FormState::from_values([("username".to_owned(), form.get("username").to_owned())])
                .with_message(message);
        login_page(&state, state_form, form.get("next"), status)
    };
    match result {
        Ok((token, user)) => {
            let next = if user.must_change_password {
                "/admin/password".to_owned()
            } else {
                safe_next(form.get("next"))
            };
            let mut res = redirect(&next, None);
            res.add_cookie(&session_cookie(&token, &policy))
                .map_err(|e| UiError::Unexpected(anyhow::anyhow!("bad cookie: {e}")))?;
            let mut gone = csrf::pre_session_cookie("", policy.secure_cookies);
            gone.make_removal();
            res.add_cookie(&gone)
                .map_err(|e| UiError::Unexpected(anyhow::anyhow!("bad cookie: {e}")))?;
            Ok(res)
        }
        Err(SignInError::BadCredentials) => refuse(
            "Wrong user name or password.".to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(SignInError::Throttled { minutes }) => refuse(
            format!(
                "Too many failed sign-ins. Sign-in is locked for this user name and address; \
                 try again in {minutes} minute(s)."
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(SignInError::Busy(busy)) => {
            let mut res = refuse(
                format!(
                    "The server is busy checking other sign-ins. Try again in {} seconds.",
                    busy.retry_after.as_secs()
                ),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            res.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(busy.retry_after.as_secs()),
            );
            Ok(res)
        }
        Err(SignInError::Service(e)) => Err(e.into()),
    }
}

pub async fn logout(
    state: web::Data<AppState>,
    PostForm { auth, .. }: PostForm,
) -> Result<HttpResponse, UiError> {
    sessions::sign_out(&state.db, auth.session.token_hash.clone()).await?;
    let mut res = redirect("/admin/login", None);
    res.add_cookie(&removal_cookie(&policy(&state)))
        .map_err(|e| UiError::Unexpected(anyhow::anyhow!("bad cookie: {e}")))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "pages/auth/password.html")]
pub struct PasswordPage {
    layout: LayoutCtx,
    form: FormState,
    forced: bool,
    min_len: usize,
    username: String,
}

fn password_page(
    auth: &Authed,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, UiError> {
    let page = PasswordPage {
        layout: auth.layout("account", "Change password"),
        form,
        forced: auth.session.user.must_change_password,
        min_len: MIN_PASSWORD_LEN,
        username: auth.session.user.username.clone(),
    };
    render_status(&page, &page.layout, status)
}

pub async fn password_form(auth: Authed) -> Result<HttpResponse, UiError> {
    password_page(&auth, FormState::default(), StatusCode::OK)
}

pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    PostForm { auth, form }: PostForm,
) -> Result<HttpResponse, UiError> {
    let policy = policy(&state);
    let address = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let guard = sessions::Guard {
        verifier: state.auth.verifier(),
        policy: &policy,
    };
    let change = service::PasswordChange {
        current: form.get("current"),
        new: form.get("new"),
        confirm: form.get("confirm"),
        keep_session: &auth.session.token_hash,
        address: &address,
    };
    let result =
        service::change_password(&state.db, &state.clock, guard, &auth.session.user, change).await;
    match result {
        Ok(()) => Ok(redirect("/admin/", Some("Your password has been changed."))),
        Err(ServiceError::Invalid(e) | ServiceError::Unprocessable(e)) => password_page(
            &auth,
            FormState::default().refuse(e),
            StatusCode::BAD_REQUEST,
        ),
        Err(ServiceError::TooManyRequests {
            message,
            retry_after_secs,
        }) => {
            let mut res = password_page(
                &auth,
                FormState::default().with_message(message),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            res.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs.max(1)),
            );
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_admin_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next("/admin/customers?q=ada"),
            "/admin/customers?q=ada"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/admin",
            "/v1/customers",
            "/admin\\@evil",
            "/admin/\r\nSet-Cookie: x=1",
            "/admin/\u{0}",
        ] {
            assert_eq!(safe_next(bad), "/admin/", "{bad}");
        }
    }
}
