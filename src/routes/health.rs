use actix_web::{HttpResponse, web};

use super::state::AppState;
use crate::service::health;

/// Liveness: the process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: a read connection answers a query and the writer commits a (no-op) job.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let readiness = health::check(&state.db).await;
    if readiness.ready() {
        return HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }));
    }
    tracing::error!(
        read_ok = readiness.read_ok,
        write_ok = readiness.write_ok,
        "readiness check failed"
    );
    HttpResponse::ServiceUnavailable().json(serde_json::json!({
        "code": "not_ready",
        "message": "the database is not answering"
    }))
}
