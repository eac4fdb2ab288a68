//! Request extractors for the admin UI: the signed-in user ([`Authed`]) and a submitted form
//! whose CSRF token has been checked ([`PostForm`]). A POST handler takes a `PostForm`, so no
//! state-changing request can skip the check.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::cookies::SESSION_COOKIE;
use super::error::UiError;
use super::layout::{FormState, LayoutCtx, read_flash};
use crate::auth::csrf;
use crate::auth::session::{Session, SessionPolicy};
use crate::domain::origin::{Actor, Origin};
use crate::domain::user::Role;
use crate::routes::state::AppState;
use crate::service::sessions as service;

/// Largest form accepted.
const FORM_LIMIT: usize = 64 * 1024;

/// The session policy for this server.
pub fn policy(state: &AppState) -> SessionPolicy {
    state.session_policy()
}

/// A signed-in user whose session is live.
pub struct Authed {
    pub session: Session,
    pub flash: Option<String>,
    /// The flash message is a refusal.
    pub flash_refused: bool,
    /// The operator's time zone, for the times the pages show.
    pub tz: chrono_tz::Tz,
    /// Who this request is, for the changes it makes (events and the audit trail).
    origin: Origin,
}

impl Authed {
    /// The layout context for a page in navigation section `nav`.
    pub fn layout(&self, nav: &'static str, title: impl Into<String>) -> LayoutCtx {
        LayoutCtx {
            user: Some((self.session.user.username.clone(), self.session.user.role)),
            csrf: self.session.csrf_token.clone(),
            flash: self.flash.clone(),
            flash_refused: self.flash_refused,
            nav,
            title: title.into(),
            tz: self.tz,
        }
    }

    /// Refuses the request unless the user's role includes `role`.
    pub fn require(&self, role: Role) -> Result<(), UiError> {
        if self.session.user.role.allows(role) {
            Ok(())
        } else {
            Err(UiError::Forbidden(format!(
                "Your role ({}) cannot do this; it needs the {role} role. Ask an administrator.",
                self.session.user.role
            )))
        }
    }

    pub fn user_id(&self) -> i64 {
        self.session.user.id
    }

    /// The signed-in user as the origin of a change.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

async fn authenticate(req: HttpRequest) -> Result<Authed, UiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| UiError::Unexpected(anyhow::anyhow!("application state missing")))?;
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map_or("/admin/", |p| p.as_str())
            .to_owned()
    } else {
        "/admin/".to_owned()
    };
    let Some(token) = req.cookie(SESSION_COOKIE) else {
        return Err(UiError::SignIn { next });
    };
    let session = service::session(&state.db, &state.clock, &policy(state), token.value())
        .await?
        .ok_or(UiError::SignIn { next })?;
    let path = req.path();
    if session.user.must_change_password && path != "/admin/password" && path != "/admin/logout" {
        return Err(UiError::MustChangePassword);
    }
    let origin = crate::routes::origin_of(&req, Actor::user(&session.user.username));
    let (flash, flash_refused) = match read_flash(&req) {
        Some((text, refused)) => (Some(text), refused),
        None => (None, false),
    };
    Ok(Authed {
        session,
        flash,
        flash_refused,
        tz: state.clock.timezone(),
        origin,
    })
}

impl FromRequest for Authed {
    type Error = UiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, UiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}

/// Name/value pairs of a submitted form, in order (a field may repeat, like check boxes).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of `name` unless blank (optional fields).
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The values to show again in a refused form (the CSRF token is not among them).
    pub fn to_state(&self) -> FormState {
        FormState::from_values(self.0.iter().filter(|(k, _)| k != csrf::FIELD).cloned())
    }
}

async fn read_body(req: &HttpRequest, payload: &mut Payload) -> Result<FormData, UiError> {
    let is_form = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(UiError::BadRequest(
            "Forms must be sent as application/x-www-form-urlencoded.".to_owned(),
        ));
    }
    let body = web::Bytes::from_request(req, payload)
        .await
        .map_err(|e| UiError::BadRequest(format!("The form could not be read: {e}")))?;
    if body.len() > FORM_LIMIT {
        return Err(UiError::BadRequest("The form is too large.".to_owned()));
    }
    Ok(FormData::parse(&body))
}

/// A form posted by a signed-in user, its CSRF token checked against their session.
pub struct PostForm {
    pub auth: Authed,
    pub form: FormData,
}

impl FromRequest for PostForm {
    type Error = UiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, UiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let auth = authenticate(req.clone()).await?;
            let form = read_body(&req, &mut payload).await?;
            if !csrf::tokens_match(&auth.session.csrf_token, form.get(csrf::FIELD)) {
                tracing::warn!(
                    path = req.path(),
                    "refused a form without a valid CSRF token"
                );
                return Err(UiError::Csrf);
            }
            Ok(PostForm { auth, form })
        })
    }
}

/// A form posted before sign-in: checked against the sign-in cookie's token.
pub struct SignInForm {
    pub form: FormData,
}

impl FromRequest for SignInForm {
    type Error = UiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, UiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let form = read_body(&req, &mut payload).await?;
            let expected = req
                .cookie(csrf::PRE_SESSION_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_default();
            if !csrf::tokens_match(&expected, form.get(csrf::FIELD)) {
                return Err(UiError::Csrf);
            }
            Ok(SignInForm { form })
        })
    }
}

/// The ids in the request's path, parsed: a malformed one gets the not-found page, like an
/// unknown one.
#[derive(Debug)]
pub struct UiPath<T>(pub T);

impl<T: crate::domain::ids::PathIds> FromRequest for UiPath<T> {
    type Error = UiError;
    type Future = std::future::Ready<Result<Self, UiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ids = crate::routes::path_ids(req)
            .map_err(|e| UiError::from(crate::error::ServiceError::from(e)));
        std::future::ready(ids.map(UiPath))
    }
}
