//! The forwarder against a real `nats-server`: a broker that lost messages it had acknowledged
//! gets them again, and nothing is appended twice.

use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{AckPolicy, pull};
use futures_util::StreamExt;

use super::edges::Edge;
use super::servers::{self, Hub};

/// The stream, bucket and consumer as `edgebss central` sets them up.
pub async fn set_up_broker(hub: &Hub, duplicate_window: Duration) {
    let js = servers::connect(hub, "central").await;
    let opts = edgebss::central::CentralOptions {
        link: edgebss::config::Settings::default().central.link(),
        postgres_url: edgebss::domain::secret::Secret::new("unused"),
        stream: "BSS".into(),
        applied_bucket: "BSS_APPLIED".into(),
        consumer: "central".into(),
        duplicate_window,
        max_age: Duration::ZERO,
        batch: 100,
        ack_wait: Duration::from_secs(10),
        metrics_bind: None,
    };
    edgebss::central::setup::ensure(&js, &opts)
        .await
        .expect("the broker is set up");
}

/// The messages on `site`'s subject.
pub async fn stored_count(hub: &Hub, site: &str) -> usize {
    stored(hub, site).await.len()
}

/// The event sequences on `site`'s subject, in the stream's order.
pub async fn stored_sequences(hub: &Hub, site: &str) -> Vec<i64> {
    stored(hub, site)
        .await
        .into_iter()
        .map(|m| {
            let id = m.headers.as_ref().unwrap().get("Nats-Msg-Id").unwrap();
            let (s, n) = id.as_str().split_once(':').unwrap();
            assert_eq!(s, site);
            n.parse().unwrap()
        })
        .collect()
}

async fn stored(hub: &Hub, site: &str) -> Vec<async_nats::jetstream::Message> {
    let js = servers::connect(hub, "central").await;
    let stream = js.get_stream("BSS").await.unwrap();
    let consumer = stream
        .create_consumer(pull::Config {
            filter_subject: format!("bss.{site}.ev"),
            ack_policy: AckPolicy::None,
            inactive_threshold: Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    loop {
        let mut batch = consumer
            .fetch()
            .max_messages(1000)
            .messages()
            .await
            .unwrap();
        let before = out.len();
        while let Some(m) = batch.next().await {
            out.push(m.unwrap());
        }
        if out.len() == before {
            return out;
        }
    }
}

/// Waits until the broker holds every event of `edge` up to its newest.
pub async fn wait_forwarded(hub: &Hub, edge: &Edge, within: Duration) -> Vec<i64> {
    let deadline = Instant::now() + within;
    loop {
        let stored = stored_sequences(hub, &edge.site).await;
        let last = edge.last_sequence();
        if stored.last() == Some(&last) || Instant::now() > deadline {
            return stored;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_that_lost_acknowledged_messages_gets_them_again_each_once() {
    let Some(nats) = servers::nats_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(&nats, &dir.path().join("hub"));
    set_up_broker(&hub, Duration::from_secs(2)).await;
    let edge = Edge::start("PORTS", &dir.path().join("ports"), &hub, &[]).await;
    for n in 0..20 {
        edge.create_customer(n).await.expect("created");
    }
    let stored = wait_forwarded(&hub, &edge, Duration::from_secs(30)).await;
    assert_eq!(stored, (1..=edge.last_sequence()).collect::<Vec<_>>());
    let early = stored.len() as i64;

    // A copy of the broker's store as it is now...
    hub.stop();
    let snapshot = dir.path().join("snapshot");
    copy_dir(&hub.store, &snapshot);
    hub.restart();
    for n in 20..50 {
        edge.create_customer(n).await.expect("created");
    }
    let stored = wait_forwarded(&hub, &edge, Duration::from_secs(30)).await;
    assert_eq!(stored.len() as i64, edge.last_sequence());
    let (sent, _, resyncs_before) = edge.sync_state();
    assert_eq!(sent, edge.last_sequence(), "all acknowledged and marked");

    // ...put back: the broker has forgotten 30 messages it had acknowledged. The branch is
    // frozen meanwhile, so that the rollback is seen before the forwarder repairs it.
    edge.signal("-STOP");
    hub.stop();
    std::fs::remove_dir_all(&hub.store).unwrap();
    copy_dir(&snapshot, &hub.store);
    hub.restart();
    assert_eq!(
        stored_sequences(&hub, "PORTS").await.len() as i64,
        early,
        "the store was rolled back"
    );
    edge.signal("-CONT");
    for n in 50..55 {
        edge.create_customer(n).await.expect("created");
    }

    let stored = wait_forwarded(&hub, &edge, Duration::from_secs(60)).await;
    assert_eq!(
        stored,
        (1..=edge.last_sequence()).collect::<Vec<_>>(),
        "every event is on the subject once, in order"
    );
    let (sent, _, resyncs) = edge.sync_state();
    assert_eq!(sent, edge.last_sequence());
    assert!(
        resyncs > resyncs_before,
        "the forwarder re-synchronised ({resyncs_before} -> {resyncs})"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
