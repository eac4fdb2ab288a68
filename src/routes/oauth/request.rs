//! Reading a token request: a form body (RFC 6749 §3.2) and the client's credentials, by HTTP
//! Basic (`client_secret_basic`, §2.3.1) or by form fields (`client_secret_post`), never both.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use super::OAuthError;

/// Largest token request body read; a real one is well under 1 KiB.
const BODY_LIMIT: usize = 8 * 1024;

/// The parameters this endpoint knows; others are ignored, as §3.2 asks.
const KNOWN: [&str; 4] = ["grant_type", "scope", "client_id", "client_secret"];

#[derive(Debug)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub scope: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

/// Base64 as clients write it, with or without padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl TokenRequest {
    pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<Self, OAuthError> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| m.essence_str() == "application/x-www-form-urlencoded");
        if !is_form {
            return Err(OAuthError::invalid_request(
                "the body must be sent as application/x-www-form-urlencoded",
            ));
        }
        let body = payload.to_bytes_limited(BODY_LIMIT).await.map_err(|_| {
            OAuthError::invalid_request(format!("the body is larger than {BODY_LIMIT} bytes"))
        })?;
        let body = body
            .map_err(|e| OAuthError::invalid_request(format!("the body could not be read: {e}")))?;
        let mut form = Form::parse(&body)?;
        let basic = basic_credentials(req)?;
        let body_secret = form.take("client_secret");
        let body_id = form.take("client_id");
        let (client_id, client_secret) = match (basic, body_id, body_secret) {
            (Some(_), _, Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "use one client authentication method: HTTP Basic or client_id and \
                     client_secret in the body, not both",
                ));
            }
            (Some((id, _)), Some(body_id), None) if body_id != id => {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the one in the Authorization header",
                ));
            }
            (Some(credentials), _, None) => credentials,
            (None, Some(id), Some(secret)) => (id, secret),
            (None, _, _) => {
                return Err(OAuthError::invalid_client(
                    "client authentication is required: HTTP Basic with the client id and \
                     secret, or client_id and client_secret in the body",
                ));
            }
        };
        Ok(Self {
            grant_type: form.take("grant_type"),
            scope: form.take("scope"),
            client_id,
            client_secret,
        })
    }
}

/// The known parameters of a form body, each at most once.
struct Form(Vec<(&'static str, String)>);

impl Form {
    fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut found: Vec<(&'static str, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(body) {
            let Some(known) = KNOWN.iter().find(|k| **k == name) else {
                continue;
            };
            if found.iter().any(|(n, _)| n == known) {
                return Err(OAuthError::invalid_request(format!(
                    "the parameter {known} is given more than once"
                )));
            }
            // §3.1: a parameter sent without a value is treated as omitted.
            if !value.is_empty() {
                found.push((known, value.into_owned()));
            }
        }
        Ok(Self(found))
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`. Another scheme is an
/// authentication method we do not support; a malformed Basic value is a malformed request.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed =
        || OAuthError::invalid_request("the Authorization header is not valid HTTP Basic");
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "only HTTP Basic or client_secret_post client authentication is supported",
        ));
    }
    let decoded = LENIENT_BASE64
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let text = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
    let (id, secret) = (form_decode(id), form_decode(secret));
    if id.is_empty() || secret.is_empty() {
        return Err(OAuthError::invalid_client(
            "the client id and secret must not be empty",
        ));
    }
    Ok(Some((id.into_owned(), secret.into_owned())))
}

/// Undoes application/x-www-form-urlencoded, which §2.3.1 applies to Basic credentials.
fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}
