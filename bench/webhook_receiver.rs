//! A webhook receiver for the benchmarks: answers every POST with 204 as fast as it can and
//! counts them; `GET /count` says how many it has had.
//!
//!   cargo run --release --example webhook_receiver -- 18998

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(18998);
    let count = Arc::new(AtomicU64::new(0));
    HttpServer::new(move || {
        let c = Arc::clone(&count);
        let d = Arc::clone(&count);
        App::new()
            .route(
                "/count",
                web::get().to(move || {
                    let d = Arc::clone(&d);
                    async move { HttpResponse::Ok().body(d.load(Ordering::Relaxed).to_string()) }
                }),
            )
            .default_service(web::to(move |_body: web::Bytes| {
                let c = Arc::clone(&c);
                async move {
                    c.fetch_add(1, Ordering::Relaxed);
                    HttpResponse::NoContent().finish()
                }
            }))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
