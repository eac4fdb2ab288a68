//! Pending deliveries live in the database: after `kill -9` every event still reaches the
//! receiver once the server runs again.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::durability::{create_client_with_cli, free_port, get_token, start, wait_ready};
use crate::receiver::{Answer, Receiver, signature_is_valid};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_pending_at_kill_9_are_all_made_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (client_id, secret) = create_client_with_cli(dir.path());
    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    let token = get_token(&client, &base, &client_id, &secret).await;

    // The receiver is down: every attempt is refused and the deliveries stay pending.
    let mut rx = Receiver::stopped(free_port(), Answer::Status(200));
    let res = client
        .post(format!("{base}/v1/webhook-endpoints"))
        .bearer_auth(&token)
        .json(&json!({"url": rx.url()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let endpoint: Value = res.json().await.unwrap();
    let signing = endpoint["secret"].as_str().unwrap().to_owned();
    let mut made = HashSet::new();
    for i in 0..20 {
        let res = client
            .post(format!("{base}/v1/customers"))
            .bearer_auth(&token)
            .json(&json!({"customerType": "Business", "companyName": format!("Crash {i}"), "email": format!("crash{i}@example.com")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        made.insert(
            res.json::<Value>().await.unwrap()["customerId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();

    rx.up().await;
    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    // The first retry is due 5 s after the first attempt (the default schedule).
    let got = rx
        .wait_for(60, |g| {
            g.iter()
                .map(|r| {
                    r.json()["data"]["customerId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect::<HashSet<_>>()
                .len()
                >= made.len()
        })
        .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let delivered: HashSet<String> = got
        .iter()
        .map(|r| r.json()["data"]["customerId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        delivered, made,
        "every customer.created was delivered after the restart"
    );
    assert!(got.iter().all(|r| signature_is_valid(&signing, r)));
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "each event delivered once");
}
