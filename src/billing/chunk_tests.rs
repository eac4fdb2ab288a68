//! A chunk read and rated ahead is used only while nothing it read can have changed.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::chunk::{self, Ahead, ChunkContext, ChunkResult, JobPlace};
use super::proptests::{day, seeded};
use super::read_ahead::{ReadAhead, Snapshot};
use crate::db::{Db, bill_runs};
use crate::domain::billing_rows::{CustomerRows, SubRow};
use crate::domain::enums::{BillRunTrigger, SubscriptionStatus};
use crate::domain::ids::BillRunId;
use crate::domain::money::Currency;
use crate::domain::period::Period;
use crate::error::ServiceError;

/// Four customers (`cus_0000` … `cus_0003`), one subscription each, started 2026-09-01.
fn customers() -> Vec<CustomerRows> {
    (0..4)
        .map(|n| CustomerRows {
            customer_id: format!("cus_{n:04}"),
            tax_exempt: false,
            subs: vec![SubRow {
                seq: 0,
                id: "sub_0".into(),
                product_name: "Fiber".into(),
                status: SubscriptionStatus::Active,
                start: day(0),
                end: None,
                monthly: 3_000,
                currency: Currency::USD,
                billed_through: None,
                charged_through: None,
                plan_start: None,
                next_charge: None,
                addons: Vec::new(),
            }],
            extras: Default::default(),
        })
        .collect()
}

fn context() -> ChunkContext {
    let period = Period::parse("period", "2026-10").unwrap();
    ChunkContext {
        period,
        tax_rate: Decimal::ZERO,
        invoice_date: period.first_day(),
        due_date: NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(),
        now: "2026-10-01T00:00:00.000Z".into(),
        chunk_customers: 2,
        origin: crate::domain::origin::Origin::cli(),
    }
}

struct Run {
    db: Db,
    id: BillRunId,
    ctx: ChunkContext,
    marks: std::sync::Arc<ReadAhead>,
    _dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = seeded(dir.path(), &customers());
        let (id, ctx) = (BillRunId::generate(), context());
        let (i, c) = (id.clone(), ctx.clone());
        db.write_blocking(move |conn| -> Result<(), ServiceError> {
            Ok(bill_runs::start(
                conn,
                &i,
                c.period,
                BillRunTrigger::Cli,
                c.invoice_date,
                &c.now,
            )?)
        })
        .unwrap();
        Self {
            db,
            id,
            ctx,
            marks: Default::default(),
            _dir: dir,
        }
    }

    fn chunk(&self, after: &str, ahead: Option<Ahead>) -> ChunkResult {
        let (db, id, ctx, marks) = (
            self.db.clone(),
            self.id.clone(),
            self.ctx.clone(),
            self.marks.clone(),
        );
        let after = after.to_owned();
        self.db
            .write_blocking(move |conn| {
                let place = JobPlace {
                    job: db.jobs_started(),
                    marks: &marks,
                    ahead,
                };
                chunk::bill(conn, &ctx, &id, &after, place)
            })
            .unwrap()
    }

    fn read_ahead(&self, after: &str, reference_job: u64) -> Ahead {
        let snapshot = Snapshot::before_reading(&self.db, reference_job);
        self.db
            .read_blocking(|conn| chunk::plan_ahead(conn, &self.ctx, after, snapshot))
            .unwrap()
    }

    /// (customer, net amount) of every invoice, by customer.
    fn nets(&self) -> Vec<(String, i64)> {
        self.db
            .read_blocking(|conn| -> Result<_, ServiceError> {
                let mut stmt = conn
                    .prepare("SELECT customer_id, net_amount FROM invoices ORDER BY customer_id")?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .unwrap()
    }

    fn invoiced(&self) -> Vec<String> {
        self.nets()
            .into_iter()
            .map(|(customer, _)| customer)
            .collect()
    }
}

#[test]
fn a_chunk_read_ahead_is_used_when_nothing_else_was_written() {
    let run = Run::new();
    let first = run.chunk("", None);
    assert!(
        first.planned_in_writer,
        "nothing was read ahead for the first chunk"
    );
    let after = first.last_customer.unwrap();
    assert_eq!(after, "cus_0001");
    let ahead = run.read_ahead(&after, first.job);
    let second = run.chunk(&after, Some(ahead));
    assert!(!second.planned_in_writer, "the plan read ahead was fresh");
    assert_eq!(second.invoices, 2);
    assert_eq!(
        run.invoiced(),
        ["cus_0000", "cus_0001", "cus_0002", "cus_0003"]
    );
    run.db.close();
}

#[test]
fn a_chunk_read_ahead_is_read_again_after_another_write() {
    let run = Run::new();
    let first = run.chunk("", None);
    let after = first.last_customer.unwrap();
    let ahead = run.read_ahead(&after, first.job);
    // The price of cus_0003's subscription is corrected after the plan was read; the stale
    // plan would bill the old price.
    run.db
        .write_blocking(|conn| -> Result<_, ServiceError> {
            Ok(conn.execute(
                "UPDATE subscriptions SET monthly_charge = 6000 WHERE customer_id = 'cus_0003'",
                [],
            )?)
        })
        .unwrap();
    let second = run.chunk(&after, Some(ahead));
    assert!(second.planned_in_writer, "the plan read ahead was stale");
    let nets = run.nets();
    assert_eq!(nets.len(), 4);
    assert_eq!(nets[3].1, 2 * nets[2].1, "{nets:?}");
    run.db.close();
}

#[test]
fn a_chunk_read_ahead_for_another_place_is_not_used() {
    let run = Run::new();
    let first = run.chunk("", None);
    // Read ahead from the start again, as if the first chunk had ended elsewhere.
    let ahead = run.read_ahead("", first.job);
    let second = run.chunk(first.last_customer.as_deref().unwrap(), Some(ahead));
    assert!(second.planned_in_writer);
    assert_eq!(second.invoices, 2);
    assert_eq!(
        run.invoiced(),
        ["cus_0000", "cus_0001", "cus_0002", "cus_0003"]
    );
    run.db.close();
}
