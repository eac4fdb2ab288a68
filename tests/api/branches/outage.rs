//! Three branches under a write load; the hub is killed (`kill -9`) for 60 s and restarted,
//! `edgebss central` is killed once during the catch-up, and one branch is killed right after
//! the broker acknowledged one of its events and restarted after the duplicate window. In the
//! end head office holds every event of every site once, its books equal each branch's, invoice
//! numbers are gapless per site and year, and the branches answered writes all through the
//! outage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

use super::central::{amount, cents, this_month};
use super::edges::{Api, Edge};
use super::forwarder::stored_sequences;
use super::head_office::{
    Central, assert_books_equal, assert_every_event_once, assert_numbers_gapless, wait_applied,
    watermark,
};
use super::servers::{self, Hub, Postgres};

const SITES: [&str; 3] = ["PORTS", "DOCKS", "HILLS"];
/// Short, so that a branch restarted after it stays within the test's minutes.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(3);
const OUTAGE: Duration = Duration::from_secs(60);

/// One answer of a branch to a write: its status, or `None` when it did not answer.
#[derive(Debug, Clone, Copy)]
struct Answer {
    site: usize,
    at: Instant,
    status: Option<u16>,
}

type Answers = Arc<Mutex<Vec<Answer>>>;

fn note(answers: &Answers, site: usize, statuses: &[u16]) {
    let at = Instant::now();
    let mut a = answers.lock().unwrap();
    if statuses.is_empty() {
        a.push(Answer {
            site,
            at,
            status: None,
        });
    }
    for s in statuses {
        a.push(Answer {
            site,
            at,
            status: Some(*s),
        });
    }
}

/// New customers with subscriptions, updates of some, a bill run of this month now and then,
/// and payments (partial and full) on the invoices it makes: until `stop`.
fn load(
    api: Api,
    site: usize,
    stop: Arc<AtomicBool>,
    answers: Answers,
) -> Vec<tokio::task::JoinHandle<()>> {
    let customers = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for worker in 0..2 {
        let (api, stop, answers, customers) = (
            api.clone(),
            stop.clone(),
            answers.clone(),
            customers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = worker * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let mut statuses = Vec::new();
                match api.new_customer(n, &mut statuses).await {
                    Some(id) => {
                        if n.is_multiple_of(5)
                            && let Some((s, _)) = api
                                .patch(
                                    &format!("/v1/customers/{id}"),
                                    &json!({"phone": "+44 23 9200 0000"}),
                                )
                                .await
                        {
                            statuses.push(s);
                        }
                        customers.lock().unwrap().push(id);
                        note(&answers, site, &statuses);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    None => {
                        note(&answers, site, &statuses);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }));
    }
    tasks.push(tokio::spawn(async move {
        let mut round = 0_usize;
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_secs(2)).await;
            round += 1;
            let Some((status, _)) = api
                .post("/v1/bill-runs", &json!({"period": this_month()}))
                .await
            else {
                note(&answers, site, &[]);
                continue;
            };
            note(&answers, site, &[status]);
            let recent: Vec<String> = {
                let c = customers.lock().unwrap();
                c.iter().rev().take(8).cloned().collect()
            };
            for (k, customer) in recent.iter().enumerate() {
                let Some(list) = api.get(&format!("/v1/customers/{customer}/invoices")).await
                else {
                    continue;
                };
                for inv in list["data"].as_array().cloned().unwrap_or_default() {
                    let due = cents(&inv["amountDue"]);
                    if due == 0 {
                        continue;
                    }
                    // Half of some, the rest (or all) of others.
                    let pay = if (round + k).is_multiple_of(3) && cents(&inv["amountPaid"]) == 0 {
                        (due / 2).max(1)
                    } else {
                        due
                    };
                    let id = inv["invoiceId"].as_str().unwrap_or_default();
                    let method = ["Cash", "Card", "BankTransfer"][k % 3];
                    if let Some((s, _)) = api
                        .post(
                            &format!("/v1/invoices/{id}/payments"),
                            &json!({"amount": amount(pay), "method": method}),
                        )
                        .await
                    {
                        note(&answers, site, &[s]);
                    }
                }
            }
        }
    }));
    tasks
}

/// The highest event sequence of `site` the hub holds.
async fn broker_last(hub: &Hub, site: &str) -> i64 {
    stored_sequences(hub, site)
        .await
        .last()
        .copied()
        .unwrap_or(0)
}

/// Kills `edge` as soon as the hub has stored one of its messages, until the kill caught an
/// event the broker acknowledged and the edge had not yet marked sent.
async fn kill_right_after_an_ack(hub: &Hub, edge: &mut Edge) {
    let js = servers::connect(hub, "central").await;
    for attempt in 1..=10 {
        let mut sub = js
            .client()
            .subscribe(format!("bss.{}.ev", edge.site))
            .await
            .unwrap();
        let first = tokio::time::timeout(Duration::from_secs(30), sub.next()).await;
        edge.kill();
        assert!(
            matches!(first, Ok(Some(_))),
            "{} kept forwarding",
            edge.site
        );
        drop(sub);
        let (sent, _, _) = edge.sync_state();
        let stored = broker_last(hub, &edge.site).await;
        if stored > sent {
            eprintln!(
                "{}: killed with event {stored} acknowledged and {sent} marked sent (attempt {attempt})",
                edge.site
            );
            return;
        }
        edge.restart().await;
    }
    panic!(
        "{}: no kill fell between an acknowledgement and its mark",
        edge.site
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_branches_survive_a_hub_outage_a_central_crash_and_a_branch_crash() {
    let (Some(nats), Some(pg_bin)) = (servers::nats_server(), servers::postgres_bin()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(&nats, &dir.path().join("hub"));
    let pg = Postgres::start(&pg_bin);
    let db = pg.database("bss").await;
    let mut central = Central::start(
        &dir.path().join("central"),
        &hub,
        &pg.url("bss"),
        DUPLICATE_WINDOW,
    );
    let mut edges = Vec::new();
    for site in SITES {
        edges.push(Edge::start(site, &dir.path().join(site.to_lowercase()), &hub, &[]).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let answers: Answers = Arc::default();
    let mut tasks = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        tasks.extend(load(e.api(), i, stop.clone(), answers.clone()));
    }
    tokio::time::sleep(Duration::from_secs(8)).await;

    // The hub goes away for a minute without writing anything out.
    hub.kill();
    let outage_began = Instant::now();
    tokio::time::sleep(OUTAGE).await;
    let marks_before: i64 = {
        let mut sum = 0;
        for s in SITES {
            sum += watermark(&db, s).await;
        }
        sum
    };
    hub.restart();
    let outage_ended = Instant::now();

    // Head office is killed once while it catches up.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let mut applied = 0;
        let mut behind = 0;
        for e in &edges {
            let mark = watermark(&db, &e.site).await;
            applied += mark;
            behind = behind.max(e.last_sequence() - mark);
        }
        if applied >= marks_before + 50 && behind > 0 {
            eprintln!(
                "central killed {} events into the catch-up, {behind} behind",
                applied - marks_before
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no catch-up began\n{}",
            central.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    central.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    central.restart();

    // A branch dies right after an acknowledgement and comes back after the duplicate window.
    let docks = 1;
    let (_, _, resyncs_before) = edges[docks].sync_state();
    kill_right_after_an_ack(&hub, &mut edges[docks]).await;
    tokio::time::sleep(DUPLICATE_WINDOW + Duration::from_secs(2)).await;
    edges[docks].restart().await;
    tokio::time::sleep(Duration::from_secs(10)).await;

    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    for e in &edges {
        wait_applied(&db, e, Duration::from_secs(240), &central).await;
    }

    // Every event once, the same books, gapless numbers.
    for e in &edges {
        let last = e.last_sequence();
        assert_every_event_once(&db, &e.site, last).await;
        let stored = stored_sequences(&hub, &e.site).await;
        assert!(
            stored.windows(2).all(|w| w[0] < w[1]),
            "{}: the hub holds no event twice",
            e.site
        );
        assert_books_equal(&db, e).await;
        let invoices = assert_numbers_gapless(&db, &e.site).await;
        assert!(invoices > 0, "{}: the load made invoices", e.site);
        eprintln!("{}: {last} events, {invoices} invoices", e.site);
    }
    let (_, _, resyncs) = edges[docks].sync_state();
    assert!(
        resyncs > resyncs_before,
        "DOCKS went on from the broker's last message after its restart"
    );

    // The branches kept answering writes while the hub was away.
    let answers = answers.lock().unwrap().clone();
    for (i, site) in SITES.iter().enumerate() {
        let during: Vec<&Answer> = answers
            .iter()
            .filter(|a| a.site == i && a.at > outage_began && a.at < outage_ended)
            .collect();
        let ok = during
            .iter()
            .filter(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
            .count();
        let failed = during
            .iter()
            .filter(|a| a.status.is_none_or(|s| s >= 500))
            .count();
        assert!(ok > 100, "{site} answered {ok} writes during the outage");
        assert_eq!(failed, 0, "{site}: writes during the outage failed");
        eprintln!("{site}: {ok} writes acknowledged during the outage");
    }
}
