//! Embedded assets: versioned URLs cached for good, strong ETags, 304 on If-None-Match.

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::UiClient;

/// The versioned URL of the stylesheet as the sign-in page links it.
async fn stylesheet_url(ui: &UiClient<'_>) -> String {
    let html = ui.get_html("/admin/login").await;
    let end = html.find("app.css\"").expect("app.css linked") + "app.css".len();
    let start = html[..end].rfind('"').expect("attribute start") + 1;
    html[start..end].to_owned()
}

#[tokio::test]
async fn a_versioned_asset_is_cached_for_a_year_with_a_strong_etag() {
    let app = spawn_app().await;
    let ui = UiClient::new(&app);
    let url = stylesheet_url(&ui).await;
    let res = ui.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    assert_eq!(etag.len(), 64 + 2, "a SHA-256: {etag}");
    assert!(
        url.contains(&etag[1..17]),
        "the URL carries the content hash"
    );
    assert!(res.text().await.unwrap().contains(".stats"));

    let again = ui
        .http
        .get(app.url(&url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    let other = ui
        .http
        .get(app.url(&url))
        .header("If-None-Match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_outdated_or_unversioned_asset_url_must_be_revalidated() {
    let app = spawn_app().await;
    let ui = UiClient::new(&app);
    for url in ["/assets/app.css", "/assets/0000000000000000/app.css"] {
        let res = ui.get(url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{url}");
        assert!(res.headers().get("etag").is_some());
    }
    assert_eq!(
        ui.get("/assets/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_vendored_libraries_are_served_with_their_types() {
    let app = spawn_app().await;
    let ui = UiClient::new(&app);
    let html = ui.get_html("/admin/login").await;
    for (name, mime) in [("pico.min.css", "text/css"), ("htmx.min.js", "javascript")] {
        let pos = html.find(name).expect(name);
        let begin = html[..pos].rfind('"').unwrap() + 1;
        let url = &html[begin..pos + name.len()];
        let res = ui.get(url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains(mime),
            "{url}"
        );
    }
}
