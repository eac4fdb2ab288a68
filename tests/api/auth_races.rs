//! Authentication under load and under concurrency: a client is usable the moment it exists, a
//! limit on failures holds however many guesses arrive at once, and secret checks are bounded.

use reqwest::StatusCode;

use crate::helpers::{Auth, spawn_app};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

#[tokio::test]
async fn a_client_created_by_another_process_is_usable_the_moment_it_has_a_token() {
    let app = spawn_app().await;
    for i in 0..3 {
        // As `edgebss client create` does it: stored, but this server is not told.
        let created = edgebss::service::clients::create(
            &app.state.db,
            &app.clock,
            &edgebss::domain::origin::Origin::cli(),
            None,
            &format!("set-up script {i}"),
            edgebss::domain::scope::ScopeSet::all(),
        )
        .await
        .unwrap();
        let token = app
            .token_with_secret(&created.client.client_id, &created.client_secret, None)
            .await;
        let res = app
            .request_as(reqwest::Method::GET, "/v1/customers", Auth::Bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "client {i}");
    }
}

#[tokio::test]
async fn a_client_revoked_by_another_process_gets_no_token() {
    let app = spawn_app().await;
    let (id, secret) = app.create_client("leaver", "read:customers").await;
    let cid = edgebss::domain::ids::ClientId::parse(&id).unwrap();
    edgebss::service::clients::revoke(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        None,
        &cid,
    )
    .await
    .unwrap();
    let res = app.token_request(&[GRANT], Some((&id, &secret))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client", "{body}");
}
