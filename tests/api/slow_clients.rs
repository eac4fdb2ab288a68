//! Clients that send a request body very slowly cannot hold connections (and the files they
//! use) for ever: every body must arrive within `http.body_timeout_seconds`.
//!
//! Each test opens a bounded number of connections that send one byte of their body every
//! 100 ms and stop when the server closes the connection or the body is complete (8 s, well past
//! the 2 s limit the tests set), so the load ends by itself whatever the server does.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_app_with};

const BODY_BYTES: usize = 80;
const CONNECTIONS: usize = 20;

/// What happened to one slow connection.
#[derive(Debug)]
struct Outcome {
    /// The server's answer (head and body), as far as it came.
    answer: String,
    /// Whether the server closed the connection before the whole body had been sent.
    closed_early: bool,
}

/// Sends `head`, then the body a byte at a time (as chunks of one byte when `chunked`).
async fn trickle(app: &TestApp, head: String, chunked: bool) -> Outcome {
    let stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let read = tokio::spawn(async move {
        let mut answer = Vec::new();
        let _ = reader.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    });
    writer.write_all(head.as_bytes()).await.unwrap();
    let mut closed_early = false;
    for i in 0..BODY_BYTES {
        if read.is_finished() {
            closed_early = true;
            break;
        }
        let byte = if chunked { "1\r\na\r\n" } else { "a" };
        if writer.write_all(byte.as_bytes()).await.is_err() {
            closed_early = true;
            break;
        }
        if i + 1 < BODY_BYTES {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    if chunked && !closed_early {
        let _ = writer.write_all(b"0\r\n\r\n").await;
    }
    // Once the whole body is sent, a server that keeps the connection alive closes it after its
    // keep-alive time; that is not an early close.
    let answer = tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .expect("the server closes the connection in the end")
        .unwrap();
    Outcome {
        answer,
        closed_early,
    }
}

async fn slow_app() -> TestApp {
    spawn_app_with(|s| s.http.body_timeout_seconds = 2).await
}

#[tokio::test]
async fn a_sign_in_form_sent_a_byte_at_a_time_is_cut_off_with_408() {
    let app = slow_app().await;
    let head = format!(
        "POST /admin/login HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
    );
    let outcomes = futures_util::future::join_all(
        (0..CONNECTIONS).map(|_| trickle(&app, head.clone(), false)),
    )
    .await;
    for o in &outcomes {
        assert!(o.closed_early, "the connection was held to the end: {o:?}");
        assert!(o.answer.starts_with("HTTP/1.1 408"), "{o:?}");
    }
    // The server still answers, and a form sent at once is read as usual.
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_chunked_body_the_handler_never_reads_does_not_keep_its_connection() {
    let app = slow_app().await;
    // No token: the API answers 401 before looking at the body.
    let head = "POST /v1/customers HTTP/1.1\r\nHost: localhost\r\n\
                Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        .to_owned();
    let outcomes =
        futures_util::future::join_all((0..CONNECTIONS).map(|_| trickle(&app, head.clone(), true)))
            .await;
    for o in &outcomes {
        assert!(o.answer.starts_with("HTTP/1.1 401"), "{o:?}");
        assert!(o.closed_early, "the server read the body to its end: {o:?}");
    }
}

#[tokio::test]
async fn a_body_sent_in_time_is_read_as_usual() {
    let app = slow_app().await;
    let res = app
        .post_json(
            "/v1/customers",
            &serde_json::json!({
                "customerType": "Individual",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": "ada@example.com",
            }),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
}
