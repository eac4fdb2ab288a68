//! The floor for the API benchmarks: a bare actix-web server answering
//! `GET /v1/customers/{id}` with the same customer JSON edgebss serves, held in memory. No
//! database, no token check, no logging, no metrics: what the framework alone costs on this
//! machine, so `bench/run-api.sh` can print every edgebss figure as a ratio to it.
//!
//!     cargo run --release --example floor -- PORT customer.json
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).expect("a port");
    let body = web::Bytes::from(std::fs::read(args.next().expect("a JSON file"))?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().route(
            "/v1/customers/{id}",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
