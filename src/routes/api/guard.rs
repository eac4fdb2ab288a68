//! The bearer-token check in front of every `/v1` operation, attached per route in the route
//! table so the table itself shows which scope each operation needs:
//!
//! ```ignore
//! web::get().to(list_customers).wrap(require(Scope::ReadCustomers))
//! ```
//!
//! Answers follow RFC 6750 §3: no token is a 401 with a bare `WWW-Authenticate: Bearer`; a bad or
//! expired one a 401 with `error="invalid_token"`; a valid token without the scope a 403 with
//! `error="insufficient_scope"` naming the scope. The check runs before the request body or query
//! is looked at, and reads no database.

use std::future::{Ready, ready};
use std::pin::Pin;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{Error, HttpMessage, ResponseError, web};

use super::error::ApiError;
use crate::auth::tokens::VerifiedToken;
use crate::domain::scope::Scope;
use crate::routes::state::AppState;

/// The realm named in every `WWW-Authenticate` challenge.
pub const REALM: &str = "edgebss";

/// Who is calling, for handlers that want to know (put in the request extensions).
#[derive(Debug, Clone)]
pub struct Principal(pub Arc<VerifiedToken>);

/// Requires a valid token carrying `scope`.
pub fn require(scope: Scope) -> Require {
    Require { scope: Some(scope) }
}

/// Requires a valid token, whatever its scopes.
pub fn any_token() -> Require {
    Require { scope: None }
}

#[derive(Debug, Clone, Copy)]
pub struct Require {
    scope: Option<Scope>,
}

impl<S, B> Transform<S, ServiceRequest> for Require
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireService {
            service,
            scope: self.scope,
        }))
    }
}

pub struct RequireService<S> {
    service: S,
    scope: Option<Scope>,
}

type BoxedResponse<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, Error>>>>;

impl<S, B> Service<ServiceRequest> for RequireService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = BoxedResponse<B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match authorize(&req, self.scope) {
            Ok(principal) => {
                req.extensions_mut().insert(principal);
                let fut = self.service.call(req);
                Box::pin(async move { fut.await.map(ServiceResponse::map_into_left_body) })
            }
            Err(e) => {
                let res = req.into_response(e.error_response()).map_into_right_body();
                Box::pin(ready(Ok(res)))
            }
        }
    }
}

fn authorize(req: &ServiceRequest, needed: Option<Scope>) -> Result<Principal, ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        tracing::error!("the token check has no application state");
        return Err(ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR));
    };
    let Some(token) = bearer_token(req) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "an access token is required: send `Authorization: Bearer <token>` with a token from \
             POST /oauth/token",
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!("Bearer realm=\"{REALM}\""),
        ));
    };
    let verified = state.auth.verify(token).map_err(|e| {
        tracing::debug!(reason = %e, "refused an access token");
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", e.to_string()).with_header(
            header::WWW_AUTHENTICATE,
            format!("Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{e}\""),
        )
    })?;
    if let Some(scope) = needed
        && !verified.scopes.contains(scope)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("this operation needs the scope `{scope}`, which the access token lacks"),
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!("Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{scope}\""),
        ));
    }
    Ok(Principal(verified))
}

/// The token of an `Authorization: Bearer ...` header (scheme name in any case, RFC 7235).
/// Another scheme, or none, counts as no token.
fn bearer_token(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}
