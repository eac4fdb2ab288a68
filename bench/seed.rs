//! Seeds a data folder with N customers for the benchmarks, through the same storage code the
//! server uses (so list counts and indexes are exactly as in production).
//!
//! `cargo run --release --example seed -- DATA_DIR COUNT [START_DATE]` prints the ids file it
//! wrote. With START_DATE (YYYY-MM-DD) every active customer also gets a subscription (fiber or
//! mobile, one in ten with an add-on) starting that day, for the bill runs of the admin UI
//! benchmark.

// A benchmark stops at the first surprise: `unwrap`/`expect` say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use edgebss::db::{Db, DbError, DbOptions, Synchronous, customers};
use edgebss::domain::customer::{CustomerInput, NewCustomer};
use edgebss::domain::enums::{CustomerStatus, CustomerType};

const CHUNK: usize = 5_000;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or_else(|| anyhow::anyhow!("usage: seed DATA_DIR COUNT"))?,
    );
    let count: usize = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: seed DATA_DIR COUNT"))?
        .parse()?;
    edgebss::ops::fs::create_data_dir(&dir)?;
    let db = Db::open(&DbOptions {
        path: dir.join("edgebss.db"),
        synchronous: Synchronous::Normal,
        max_batch: 1,
        read_connections: 1,
    })?;
    let started = std::time::Instant::now();
    let mut ids = Vec::with_capacity(count);
    let mut done = 0;
    while done < count {
        let n = CHUNK.min(count - done);
        let from = done;
        let chunk: Vec<String> =
            db.write_blocking(move |conn| -> Result<Vec<String>, DbError> {
                let mut out = Vec::with_capacity(n);
                for i in from..from + n {
                    let (t, company) = match i % 10 {
                        0..=6 => (CustomerType::Individual, None),
                        7 | 8 => (CustomerType::Business, Some("Acme Trading")),
                        _ => (CustomerType::Government, Some("City Council")),
                    };
                    let email = format!("customer{i}@example.com");
                    let new = NewCustomer::parse(
                        t,
                        CustomerInput {
                            first_name: Some("Sam"),
                            last_name: Some("Example"),
                            company_name: company,
                            email: &email,
                            phone: Some("+1 555 0100"),
                            ..Default::default()
                        },
                    )
                    .map_err(|e| DbError::Commit(e.to_string()))?;
                    let c = customers::insert(conn, new, "2026-11-26T00:00:00.000Z")?;
                    // 80 % Active; the rest spread over the other statuses.
                    let status = match i % 20 {
                        0 | 5 => CustomerStatus::Inactive,
                        10 => CustomerStatus::Suspended,
                        15 => CustomerStatus::Terminated,
                        _ => CustomerStatus::Active,
                    };
                    if status != CustomerStatus::Active {
                        customers::set_status(
                            conn,
                            &c.customer_id,
                            status,
                            "2026-11-26T00:00:00.000Z",
                        )?;
                    }
                    out.push(c.customer_id.to_string());
                }
                Ok(out)
            })?;
        ids.extend(chunk);
        done += n;
    }
    if let Some(start) = args.next() {
        subscribe_all(&db, &start)?;
    }
    db.close();
    let ids_path = dir.join("customer-ids.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&ids_path)?);
    for id in &ids {
        writeln!(f, "{id}")?;
    }
    eprintln!(
        "seeded {count} customers in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    println!("{}", ids_path.display());
    Ok(())
}

/// A product and a subscription for every active customer, written with plain SQL (the bill
/// runs that follow go through the real engine).
fn subscribe_all(db: &Db, start: &str) -> anyhow::Result<()> {
    let start = start.to_owned();
    db.write_blocking(move |conn| -> Result<(), DbError> {
        let ts = "2026-01-01T00:00:00.000Z";
        conn.execute_batch(&format!(
            "INSERT INTO products (id, name, product_type, monthly_price, currency, status, \
             created_at, updated_at) VALUES \
             ('prd_{:026}', 'Fiber 500', 'Broadband', 4999, 'USD', 'Active', '{ts}', '{ts}'), \
             ('prd_{:026}', 'Mobile Unlimited', 'Mobile', 3500, 'USD', 'Active', '{ts}', '{ts}'), \
             ('prd_{:026}', 'Static IP', 'Addon', 500, 'USD', 'Active', '{ts}', '{ts}');",
            1, 2, 3
        ))?;
        conn.execute_batch(&format!(
            "INSERT INTO subscriptions (id, customer_id, product_id, product_name, status, \
             start_date, monthly_charge, currency, created_at, updated_at) \
             SELECT printf('sub_%026d', seq), id, \
                    printf('prd_%026d', 1 + seq % 2), \
                    CASE seq % 2 WHEN 0 THEN 'Fiber 500' ELSE 'Mobile Unlimited' END, \
                    'Active', '{start}', CASE seq % 2 WHEN 0 THEN 4999 ELSE 3500 END, 'USD', \
                    '{ts}', '{ts}' \
               FROM customers WHERE status = 'Active'; \
             INSERT INTO subscription_addons (subscription_id, position, addon_id, addon_name, \
                    charge) \
             SELECT id, 0, printf('prd_%026d', 3), 'Static IP', 500 FROM subscriptions \
              WHERE seq % 10 = 3;"
        ))?;
        Ok(())
    })?;
    Ok(())
}
