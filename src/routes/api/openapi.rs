use actix_web::HttpResponse;

/// Our OpenAPI description: the connectX contract plus what edgebss adds.
pub const SPEC: &str = include_str!("../../../docs/openapi.yaml");

pub async fn spec() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml; charset=utf-8")
        .body(SPEC)
}
