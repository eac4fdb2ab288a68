//! Tokens that must not open the API: expired, signed by another key, `alg: none`, HS256 with the
//! public key as secret, tampered, for another audience; a revoked client's; and a rotated key's
//! old token, which must keep working.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Auth, TestApp, spawn_app};

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode_part(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// The header and claims of a token.
fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    (
        decode_part(it.next().unwrap()),
        decode_part(it.next().unwrap()),
    )
}

fn sign(header: &Header, claims: &Value, key: &SigningKey) -> String {
    let der = key.to_pkcs8_der().unwrap();
    jsonwebtoken::encode(header, claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
}

fn eddsa_header(kid: &str) -> Header {
    let mut h = Header::new(Algorithm::EdDSA);
    h.typ = Some("at+jwt".into());
    h.kid = Some(kid.into());
    h
}

/// The server's own (only) signing key, read from its data folder.
fn server_key(app: &TestApp) -> SigningKey {
    let dir = app.data_dir.path().join("keys");
    let file = std::fs::read_dir(dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(file).unwrap()).unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.request_as(Method::GET, "/v1/customers", Auth::Bearer(token))
        .send()
        .await
        .unwrap()
}

/// A 401 with `error="invalid_token"` in the challenge and the contract body; returns the message.
async fn assert_invalid_token(app: &TestApp, token: &str) -> String {
    let res = status_with(app, token).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer realm=\"edgebss\", error=\"invalid_token\""),
        "{challenge}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_token", "{body}");
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_expired_token_is_invalid_token() {
    let app = spawn_app().await;
    assert_eq!(status_with(&app, &app.token).await.status(), StatusCode::OK);
    // 15 minutes of life and 30 s of leeway.
    app.clock
        .set(app.clock.now() + chrono::Duration::seconds(900 + 31));
    let why = assert_invalid_token(&app, &app.token).await;
    assert!(why.contains("expired"), "{why}");
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_invalid_token() {
    let app = spawn_app().await;
    let (header, claims) = parts(&app.token);
    let kid = header["kid"].as_str().unwrap();
    let stranger = SigningKey::from_bytes(&[7u8; 32]);
    let why = assert_invalid_token(&app, &sign(&eddsa_header(kid), &claims, &stranger)).await;
    assert!(why.contains("signature"), "{why}");
    // The same under a key id we never made.
    let forged = sign(
        &eddsa_header("01JUNKNOWNKEY00000000000000"),
        &claims,
        &stranger,
    );
    let why = assert_invalid_token(&app, &forged).await;
    assert!(why.contains("unknown"), "{why}");
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_invalid_token() {
    let app = spawn_app().await;
    let (mut header, claims) = parts(&app.token);
    header["alg"] = json!("none");
    for token in [
        format!("{}.{}.", encode_part(&header), encode_part(&claims)),
        format!("{}.{}", encode_part(&header), encode_part(&claims)),
    ] {
        assert_invalid_token(&app, &token).await;
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_our_public_key_is_invalid_token() {
    let app = spawn_app().await;
    let (header, claims) = parts(&app.token);
    let kid = header["kid"].as_str().unwrap();
    let public = server_key(&app).verifying_key().to_bytes();
    let mut hs = Header::new(Algorithm::HS256);
    hs.typ = Some("at+jwt".into());
    hs.kid = Some(kid.into());
    let x = URL_SAFE_NO_PAD.encode(public);
    for secret in [public.as_slice(), x.as_bytes()] {
        let token = jsonwebtoken::encode(&hs, &claims, &EncodingKey::from_secret(secret)).unwrap();
        let why = assert_invalid_token(&app, &token).await;
        assert!(why.contains("EdDSA"), "{why}");
    }
}

#[tokio::test]
async fn a_tampered_payload_is_invalid_token() {
    let app = spawn_app().await;
    let read_only = app.token_for("read:billing").await;
    let (_, mut claims) = parts(&read_only);
    claims["scope"] = json!("read:customers write:customers");
    let pieces: Vec<&str> = read_only.split('.').collect();
    let tampered = format!("{}.{}.{}", pieces[0], encode_part(&claims), pieces[2]);
    let why = assert_invalid_token(&app, &tampered).await;
    assert!(why.contains("signature"), "{why}");
    assert_invalid_token(&app, "not.a.token").await;
    assert_invalid_token(&app, "garbage").await;
}

#[tokio::test]
async fn a_validly_signed_token_for_another_audience_or_issuer_or_type_is_invalid_token() {
    let app = spawn_app().await;
    let key = server_key(&app);
    let (header, claims) = parts(&app.token);
    let kid = header["kid"].as_str().unwrap();
    assert_eq!(
        status_with(&app, &sign(&eddsa_header(kid), &claims, &key))
            .await
            .status(),
        StatusCode::OK,
        "re-signing the same claims with the real key is a valid token"
    );
    for (field, value) in [("aud", "another-api"), ("iss", "https://elsewhere.example")] {
        let mut c = claims.clone();
        c[field] = json!(value);
        assert_invalid_token(&app, &sign(&eddsa_header(kid), &c, &key)).await;
    }
    let mut id_token_header = eddsa_header(kid);
    id_token_header.typ = Some("JWT".into());
    assert_invalid_token(&app, &sign(&id_token_header, &claims, &key)).await;
}

#[tokio::test]
async fn revoking_a_client_in_process_ends_its_live_tokens_at_once() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("crm", "read:customers").await;
    let token = app.token_with_secret(&id, &secret, None).await;
    assert_eq!(status_with(&app, &token).await.status(), StatusCode::OK);
    edgebss::service::clients::revoke(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        Some(&app.state.auth),
        &edgebss::domain::ids::ClientId::parse(&id).unwrap(),
    )
    .await
    .unwrap();
    let why = assert_invalid_token(&app, &token).await;
    assert!(why.contains("revoked"), "{why}");
    assert_eq!(
        status_with(&app, &app.token).await.status(),
        StatusCode::OK,
        "others unaffected"
    );
}

fn edgebss_cli(app: &TestApp, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_edgebss"))
        .args(args)
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .env("EDGEBSS_LOG__LEVEL", "warn")
        .output()
        .expect("edgebss runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Polls until `check` holds, for at most `limit`; returns how long it took.
async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn revoking_a_client_from_the_cli_ends_its_live_tokens_within_about_a_second() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("crm", "read:customers").await;
    let token = app.token_with_secret(&id, &secret, None).await;
    assert_eq!(status_with(&app, &token).await.status(), StatusCode::OK);

    let out = edgebss_cli(&app, &["client", "revoke", &id]);
    assert!(out.contains("revoked"), "{out}");
    let took = within(Duration::from_secs(5), async || {
        status_with(&app, &token).await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
    let took = took.expect("the revoked client's token stopped working");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(status_with(&app, &app.token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn after_a_key_rotation_new_tokens_use_the_new_key_and_old_tokens_stay_valid() {
    let app = spawn_app().await;
    let old_token = app.token.clone();
    let old_kid = parts(&old_token).0["kid"].as_str().unwrap().to_owned();

    let out = edgebss_cli(&app, &["keys", "rotate"]);
    assert!(out.contains("new signing key"), "{out}");
    let published = within(Duration::from_secs(5), async || {
        let jwks: Value = app
            .request_as(Method::GET, "/.well-known/jwks.json", Auth::None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks["keys"].as_array().unwrap().len() == 2
    })
    .await;
    assert!(
        published.is_some(),
        "the running server picked up the new key"
    );

    let new_token = app
        .token_with_secret(&app.client_id, &app.client_secret, None)
        .await;
    let new_kid = parts(&new_token).0["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid, "new tokens are signed by the new key");
    assert_eq!(status_with(&app, &new_token).await.status(), StatusCode::OK);
    assert_eq!(
        status_with(&app, &old_token).await.status(),
        StatusCode::OK,
        "a token signed before the rotation stays valid until it expires"
    );
}

#[tokio::test]
async fn deleting_a_compromised_keys_file_ends_the_tokens_it_signed_within_about_a_second() {
    let app = spawn_app().await;
    let old_token = app.token.clone();
    let old_kid = parts(&old_token).0["kid"].as_str().unwrap().to_owned();
    assert_eq!(status_with(&app, &old_token).await.status(), StatusCode::OK);
    edgebss_cli(&app, &["keys", "rotate"]);
    let old_file = app
        .data_dir
        .path()
        .join("keys")
        .join(format!("{old_kid}.pem"));
    std::fs::remove_file(old_file).unwrap();

    let took = within(Duration::from_secs(5), async || {
        status_with(&app, &old_token).await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
    assert!(
        took.is_some(),
        "a token seen before is refused once its key is gone"
    );
    let why = assert_invalid_token(&app, &old_token).await;
    assert!(why.contains("unknown"), "{why}");
    let new_token = app
        .token_with_secret(&app.client_id, &app.client_secret, None)
        .await;
    assert_eq!(status_with(&app, &new_token).await.status(), StatusCode::OK);
}
