//! HTTP surfaces: the REST API under `/v1`, health probes, and the fallbacks.

pub mod api;
pub mod assets;
pub mod health;
pub mod metrics;
pub mod oauth;
pub mod state;
pub mod ui;

use crate::domain::ids::{MalformedId, PathIds};

/// The ids of `req`'s path, in the order its route names them; each surface's path extractor
/// answers a malformed one as it answers an unknown one.
pub fn path_ids<T: PathIds>(req: &actix_web::HttpRequest) -> Result<T, MalformedId> {
    let values: Vec<&str> = req.match_info().iter().map(|(_, v)| v).collect();
    T::from_path(&values)
}
