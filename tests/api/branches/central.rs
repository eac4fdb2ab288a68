//! `edgebss central` applies a branch's events to PostgreSQL: the books equal the branch's,
//! the reporting views add them up, and the branch learns head office's watermark.

use std::time::Duration;

use serde_json::{Value, json};

use super::edges::Edge;
use super::forwarder::stored_sequences;
use super::head_office::{
    Central, assert_books_equal, assert_every_event_once, assert_numbers_gapless, wait_applied,
};
use super::servers::{self, Hub, Postgres};

/// The current month, as the bill run takes it.
pub fn this_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

/// An amount as the API writes it, in minor units.
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 100.0).round() as i64
}

pub fn amount(cents: i64) -> Value {
    serde_json::from_str(&format!("{}.{:02}", cents / 100, cents % 100)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn head_office_holds_a_branchs_books_as_the_branch_does() {
    let (Some(nats), Some(pg_bin)) = (servers::nats_server(), servers::postgres_bin()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&nats, &dir.path().join("hub"));
    let pg = Postgres::start(&pg_bin);
    let db = pg.database("bss").await;
    let central = Central::start(
        &dir.path().join("central"),
        &hub,
        &pg.url("bss"),
        Duration::from_secs(120),
    );
    let edge = Edge::start("PORTS", &dir.path().join("ports"), &hub, &[]).await;
    let api = edge.api();

    let mut answers = Vec::new();
    let mut customers = Vec::new();
    for n in 0..6 {
        customers.push(api.new_customer(n, &mut answers).await.expect("created"));
    }
    let (status, _) = api
        .patch(
            &format!("/v1/customers/{}", customers[0]),
            &json!({"phone": "+44 23 9200 0000"}),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (status, run) = api
        .post("/v1/bill-runs", &json!({"period": this_month()}))
        .await
        .unwrap();
    assert_eq!(status, 201, "{run}");
    // A partial payment on one invoice, a full one on another.
    let mut invoices = Vec::new();
    for c in &customers[..2] {
        let list = api
            .get(&format!("/v1/customers/{c}/invoices"))
            .await
            .unwrap();
        invoices.push(list["data"][0].clone());
    }
    for (invoice, part) in invoices.iter().zip([2, 1]) {
        let due = cents(&invoice["amountDue"]);
        let (status, body) = api
            .post(
                &format!(
                    "/v1/invoices/{}/payments",
                    invoice["invoiceId"].as_str().unwrap()
                ),
                &json!({"amount": amount(due / part), "method": "Card"}),
            )
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
    }

    wait_applied(&db, &edge, Duration::from_secs(60), &central).await;
    let last = edge.last_sequence();
    assert_every_event_once(&db, "PORTS", last).await;
    assert_books_equal(&db, &edge).await;
    assert_eq!(assert_numbers_gapless(&db, "PORTS").await, 6);

    // The reports add up what was invoiced and paid.
    let row = db
        .query_one(
            "SELECT sum(invoices)::bigint, sum(total_amount)::text FROM bss.revenue_by_site_month \
             WHERE site_id = 'PORTS'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 6);
    let row = db
        .query_one(
            "SELECT count(*) FROM bss.payments_by_day_method WHERE site_id = 'PORTS' \
             AND method = 'Card'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    let row = db
        .query_one(
            "SELECT customers FROM bss.customers_by_site_status WHERE site_id = 'PORTS'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 6);
    let row = db
        .query_one(
            "SELECT last_applied_sequence FROM bss.site_lag WHERE site_id = 'PORTS'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), last);
    let aging = db
        .query_one(
            "SELECT sum(invoices)::bigint FROM bss.receivables_aging WHERE site_id = 'PORTS'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(aging.get::<_, i64>(0), 5, "one invoice was paid in full");

    // The branch learns the watermark, so it may prune what head office holds.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while edge.sync_state().1 < last {
        assert!(std::time::Instant::now() < deadline, "{}", edge.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let metrics = central.metrics().await;
    assert!(
        metrics.contains(&format!(
            "edgebss_central_applied_sequence{{site=\"PORTS\"}} {last}"
        )),
        "{metrics}"
    );
    assert_eq!(stored_sequences(&hub, "PORTS").await.len() as i64, last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_may_publish_on_its_own_subject_only() {
    let Some(nats) = servers::nats_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&nats, &dir.path().join("hub"));
    super::forwarder::set_up_broker(&hub, Duration::from_secs(120)).await;
    let js = servers::connect(&hub, "PORTS").await;

    let own = js.publish("bss.PORTS.ev", "{}".into()).await.unwrap().await;
    let other = js.publish("bss.DOCKS.ev", "{}".into()).await.unwrap();

    assert!(own.is_ok(), "PORTS may publish on bss.PORTS.ev: {own:?}");
    // The server drops a publish it does not permit: no acknowledgement comes.
    let other = tokio::time::timeout(Duration::from_secs(6), other).await;
    assert!(
        !matches!(other, Ok(Ok(_))),
        "PORTS must not publish on bss.DOCKS.ev: {other:?}"
    );
    assert_eq!(super::forwarder::stored_count(&hub, "PORTS").await, 1);
    assert_eq!(
        super::forwarder::stored_count(&hub, "DOCKS").await,
        0,
        "nothing reached DOCKS's subject"
    );
}

/// A restarted `edgebss central` finds the schema it made, even when its PostgreSQL user has the
/// schema's name (`bss`), which puts that schema first on the search path.
#[tokio::test]
async fn central_started_again_goes_on_with_the_schema_it_made() {
    let Some(pg_bin) = servers::postgres_bin() else {
        return;
    };
    let pg = Postgres::start(&pg_bin);
    let db = pg.database("bss").await;
    for start in 1..=3 {
        let mut client = edgebss::central::postgres::connect(&pg.url("bss"))
            .await
            .unwrap();
        edgebss::central::postgres::migrate(&mut client)
            .await
            .unwrap_or_else(|e| panic!("start {start}: {e:#}"));
    }
    let sites: i64 = db
        .query_one("SELECT count(*) FROM bss.sites", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sites, 0);
}

/// A report user made a member of `bss_reader` reads the books and the views, and can change
/// nothing.
#[tokio::test]
async fn a_report_user_reads_the_books_and_changes_nothing() {
    let Some(pg_bin) = servers::postgres_bin() else {
        return;
    };
    let pg = Postgres::start(&pg_bin);
    let db = pg.database("bss").await;
    let mut client = edgebss::central::postgres::connect(&pg.url("bss"))
        .await
        .unwrap();
    edgebss::central::postgres::migrate(&mut client)
        .await
        .unwrap();
    db.batch_execute("CREATE ROLE alice LOGIN IN ROLE bss_reader")
        .await
        .unwrap();
    let url = pg.url("bss").replace("//bss@", "//alice@");
    let (alice, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);

    for view in [
        "revenue_by_site_month",
        "receivables_aging",
        "payments_by_day_method",
        "customers_by_site_status",
        "site_lag",
        "invoices",
    ] {
        alice
            .query(&format!("SELECT * FROM bss.{view}"), &[])
            .await
            .unwrap_or_else(|e| panic!("alice reads bss.{view}: {e}"));
    }
    let write = alice
        .execute(
            "INSERT INTO bss.sites (site_id, first_sequence, applied_sequence) VALUES ('PORTS', 1, 0)",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        write.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{write}"
    );
    let delete = alice.execute("DELETE FROM bss.customers", &[]).await;
    assert!(delete.is_err(), "alice may not delete: {delete:?}");
}
