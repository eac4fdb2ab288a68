//! `/metrics`: the request figures counted by [`super::requests`] and the business figures read
//! at scrape time.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::state::AppState;
use crate::metrics::{MetricsAccess, MetricsSettings, Sources};

/// `GET /metrics`
pub async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(denied) = refuse(&req, &state.settings.metrics) {
        return denied;
    }
    let sources = Sources {
        db: &state.db,
        backups: &state.backups,
        data_dir: &state.settings.data_dir,
    };
    match state.metrics.render(&sources).await {
        Ok(body) => HttpResponse::Ok()
            .content_type(prometheus_client::encoding::prometheus_text::CONTENT_TYPE)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "metrics could not be read");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "code": "internal",
                "message": "the metrics could not be read from the database"
            }))
        }
    }
}

/// The answer for a client `metrics.access` does not let in, if this is one.
fn refuse(req: &HttpRequest, settings: &MetricsSettings) -> Option<HttpResponse> {
    let body = |code: &str, message: &str| serde_json::json!({ "code": code, "message": message });
    match settings.access {
        MetricsAccess::Open => None,
        MetricsAccess::Off => Some(HttpResponse::NotFound().json(body(
            "not_found",
            "/metrics is turned off (metrics.access = \"off\")",
        ))),
        MetricsAccess::Loopback => {
            let local = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
            (!local).then(|| {
                HttpResponse::Forbidden().json(body(
                    "forbidden",
                    "/metrics is served to this machine only (metrics.access = \"loopback\")",
                ))
            })
        }
        MetricsAccess::Token => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            let ok = match (given, &settings.token) {
                (Some(given), Some(token)) => token.matches(given.trim()),
                _ => false,
            };
            (!ok).then(|| {
                HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                    .json(body(
                        "unauthorized",
                        "/metrics needs `Authorization: Bearer <metrics.token>`",
                    ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(addr: &str) -> HttpRequest {
        TestRequest::default()
            .peer_addr(addr.parse().unwrap())
            .to_http_request()
    }

    #[test]
    fn loopback_access_lets_only_this_machine_in() {
        let s = MetricsSettings::default();
        assert!(refuse(&from("127.0.0.1:5000"), &s).is_none());
        assert!(refuse(&from("[::1]:5000"), &s).is_none());
        let denied = refuse(&from("192.0.2.7:5000"), &s).expect("refused");
        assert_eq!(denied.status(), 403);
        let open = MetricsSettings {
            access: MetricsAccess::Open,
            token: None,
        };
        assert!(refuse(&from("192.0.2.7:5000"), &open).is_none());
    }
}
