//! HTTP surfaces: the REST API under `/v1`, health probes, and the fallbacks.

pub mod api;
pub mod assets;
pub mod body_deadline;
pub mod health;
pub mod metrics;
pub mod oauth;
pub mod requests;
pub mod state;
pub mod ui;

use crate::domain::ids::{MalformedId, PathIds};
use crate::domain::origin::{Actor, Origin};

/// Where a change asked for by `req` comes from: `actor`, the request id (as on the log lines
/// and in `X-Request-Id`) and the client's address.
pub fn origin_of(req: &actix_web::HttpRequest, actor: Actor) -> Origin {
    use actix_web::HttpMessage;
    let request_id = req
        .extensions()
        .get::<requests::RequestId>()
        .map(|id| id.to_string());
    Origin {
        actor,
        request_id,
        source: req.peer_addr().map(|a| a.ip().to_string()),
        claim: None,
    }
}

/// The ids of `req`'s path, in the order its route names them; each surface's path extractor
/// answers a malformed one as it answers an unknown one.
pub fn path_ids<T: PathIds>(req: &actix_web::HttpRequest) -> Result<T, MalformedId> {
    let values: Vec<&str> = req.match_info().iter().map(|(_, v)| v).collect();
    T::from_path(&values)
}
