//! CSS, JavaScript and images embedded in the binary (the appliance may have no internet).
//!
//! Pages link to `/assets/<hash>/<file>`, where `<hash>` is the start of the file's SHA-256: the
//! URL changes whenever the file does, so browsers may keep it for a year (`immutable`). Every
//! answer carries a strong `ETag` (the full SHA-256, computed at build time by rust-embed), and a
//! matching `If-None-Match` gets `304 Not Modified`.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "assets/"]
// The PDF fonts are compiled in by `documents` and not served.
#[exclude = "fonts/*"]
struct Assets;

/// Characters of the hash put in versioned URLs.
const VERSION_LEN: usize = 16;

/// File name -> full hex SHA-256.
static HASHES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            Some((name.to_string(), hex::encode(file.metadata.sha256_hash())))
        })
        .collect()
});

/// The versioned URL of an asset, for templates.
pub fn url(name: &str) -> String {
    match HASHES.get(name) {
        Some(hash) => format!("/assets/{}/{name}", &hash[..VERSION_LEN]),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{version}/{path}`: cached for a year when `version` is the file's current one.
pub async fn versioned(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    let current = HASHES
        .get(&name)
        .is_some_and(|h| h.starts_with(&version) && version.len() == VERSION_LEN);
    serve(&req, &name, current)
}

/// `GET /assets/{path}`: unversioned, so the browser must check back (cheap, thanks to the ETag).
pub async fn unversioned(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    serve(&req, &path, false)
}

fn serve(req: &HttpRequest, name: &str, immutable: bool) -> HttpResponse {
    let Some(file) = Assets::get(name) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such asset");
    };
    let etag = EntityTag::new_strong(hex::encode(file.metadata.sha256_hash()));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let not_modified = match req.headers().get(header::IF_NONE_MATCH) {
        Some(_) => match header::Header::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&etag)),
            Err(_) => false,
        },
        None => false,
    };
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(header::ETag(etag))
        .insert_header((header::CACHE_CONTROL, cache));
    if not_modified {
        return res.finish();
    }
    res.content_type(file.metadata.mimetype())
        .body(file.data.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_urls_carry_the_content_hash() {
        let u = url("app.css");
        assert!(u.starts_with("/assets/"), "{u}");
        assert!(u.ends_with("/app.css"), "{u}");
        assert_eq!(u.len(), "/assets/".len() + VERSION_LEN + "/app.css".len());
    }
}
