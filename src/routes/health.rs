use actix_web::{HttpResponse, web};

use crate::startup::AppState;

/// Liveness: the process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: a read connection answers a query and the writer commits a (no-op) job.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let read = state
        .db
        .read(|conn| {
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map_err(crate::db::DbError::from)
        })
        .await;
    let write = state
        .db
        .write(|conn| {
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map_err(crate::db::DbError::from)
        })
        .await;
    match (read, write) {
        (Ok(_), Ok(_)) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        (read, write) => {
            tracing::error!(
                read_ok = read.is_ok(),
                write_ok = write.is_ok(),
                "readiness check failed"
            );
            HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "code": "not_ready",
                "message": "the database is not answering"
            }))
        }
    }
}
