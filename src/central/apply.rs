//! Applying a batch of events in one PostgreSQL transaction: the events themselves (keyed by
//! site and sequence, so none is applied twice), then the resources they carry, upserted
//! set-wise (each resource at its latest version in the batch), then each site's watermark.
//!
//! The batch goes to PostgreSQL as one JSON document and each statement reads what it needs
//! from it, so a batch of a thousand events costs a dozen statements, not thousands. Amounts go
//! from the branch's JSON text to `numeric` without passing through a float.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio_postgres::{Client, Statement, Transaction};

use crate::broker::protocol::WireEvent;
use crate::domain::site::SiteId;

/// An event as the statements read it.
#[derive(Serialize)]
struct Row<'a> {
    site: &'a str,
    seq: i64,
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    at: &'a str,
    ak: &'a str,
    ai: &'a str,
    data: &'a RawValue,
}

/// What a committed batch did to one site.
#[derive(Debug, Clone)]
pub struct SiteProgress {
    pub site: SiteId,
    pub applied_sequence: i64,
    pub last_event_at: String,
    pub events: u64,
}

const EVENTS: &str = "\
INSERT INTO bss.applied_events (site_id, sequence, event_id, event_type, occurred_at, actor_kind, actor_id, data)
SELECT e->>'site', (e->>'seq')::bigint, e->>'id', e->>'type', (e->>'at')::timestamptz, e->>'ak', e->>'ai', e->'data'
FROM jsonb_array_elements($1::text::jsonb) AS e";

/// The latest version in the batch of each resource of a kind: `FROM latest` in the upserts.
fn latest(prefix: &str, id: &str) -> String {
    format!(
        "WITH latest AS (
            SELECT DISTINCT ON (e->>'site', e->'data'->>'{id}')
                   e->>'site' AS site, (e->>'seq')::bigint AS seq, e->'data' AS d
            FROM jsonb_array_elements($1::text::jsonb) AS e
            WHERE e->>'type' LIKE '{prefix}.%'
            ORDER BY e->>'site', e->'data'->>'{id}', (e->>'seq')::bigint DESC)"
    )
}

fn customers() -> String {
    format!(
        "{} INSERT INTO bss.customers AS t (site_id, customer_id, account_number, customer_type,
            status, first_name, last_name, company_name, email, phone, tax_exempt, created_at,
            updated_at, source_sequence, data)
        SELECT site, d->>'customerId', d->>'accountNumber', d->>'customerType', d->>'status',
            d->>'firstName', d->>'lastName', d->>'companyName', d->>'email', d->>'phone',
            COALESCE((d->>'taxExempt')::boolean, false), (d->>'createdAt')::timestamptz,
            (d->>'updatedAt')::timestamptz, seq, d
        FROM latest
        ON CONFLICT (site_id, customer_id) DO UPDATE SET
            account_number = excluded.account_number, customer_type = excluded.customer_type,
            status = excluded.status, first_name = excluded.first_name,
            last_name = excluded.last_name, company_name = excluded.company_name,
            email = excluded.email, phone = excluded.phone, tax_exempt = excluded.tax_exempt,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            source_sequence = excluded.source_sequence, data = excluded.data
        WHERE t.source_sequence < excluded.source_sequence",
        latest("customer", "customerId")
    )
}

fn subscriptions() -> String {
    format!(
        "{} INSERT INTO bss.subscriptions AS t (site_id, subscription_id, customer_id, product_id,
            product_name, status, start_date, end_date, monthly_charge, currency,
            source_sequence, data)
        SELECT site, d->>'subscriptionId', d->>'customerId', d->>'productId', d->>'productName',
            d->>'status', (d->>'startDate')::date, (d->>'endDate')::date,
            (d->>'monthlyCharge')::numeric, d->>'currency', seq, d
        FROM latest
        ON CONFLICT (site_id, subscription_id) DO UPDATE SET
            customer_id = excluded.customer_id, product_id = excluded.product_id,
            product_name = excluded.product_name, status = excluded.status,
            start_date = excluded.start_date, end_date = excluded.end_date,
            monthly_charge = excluded.monthly_charge, currency = excluded.currency,
            source_sequence = excluded.source_sequence, data = excluded.data
        WHERE t.source_sequence < excluded.source_sequence",
        latest("subscription", "subscriptionId")
    )
}

fn invoices() -> String {
    format!(
        "{} INSERT INTO bss.invoices AS t (site_id, invoice_id, invoice_number, customer_id,
            status, invoice_date, due_date, period, currency, net_amount, tax_amount,
            total_amount, tax_rate_percent, amount_paid, amount_due, cancel_reason,
            source_sequence, data)
        SELECT site, d->>'invoiceId', d->>'invoiceNumber', d->>'customerId', d->>'status',
            (d->>'invoiceDate')::date, (d->>'dueDate')::date, d->>'period', d->>'currency',
            (d->>'netAmount')::numeric, (d->>'taxAmount')::numeric,
            (d->>'totalAmount')::numeric, (d->>'taxRatePercent')::numeric,
            (d->>'amountPaid')::numeric, (d->>'amountDue')::numeric, d->>'cancelReason', seq, d
        FROM latest
        ON CONFLICT (site_id, invoice_id) DO UPDATE SET
            invoice_number = excluded.invoice_number, customer_id = excluded.customer_id,
            status = excluded.status, invoice_date = excluded.invoice_date,
            due_date = excluded.due_date, period = excluded.period, currency = excluded.currency,
            net_amount = excluded.net_amount, tax_amount = excluded.tax_amount,
            total_amount = excluded.total_amount, tax_rate_percent = excluded.tax_rate_percent,
            amount_paid = excluded.amount_paid, amount_due = excluded.amount_due,
            cancel_reason = excluded.cancel_reason, source_sequence = excluded.source_sequence,
            data = excluded.data
        WHERE t.source_sequence < excluded.source_sequence",
        latest("invoice", "invoiceId")
    )
}

/// An invoice's lines never change after it is issued: the first event carrying them stores them.
const LINES: &str = "\
INSERT INTO bss.invoice_lines (site_id, invoice_id, position, description, quantity, unit_price,
    amount, kind, subscription_id, addon_id, period_start, period_end)
SELECT e->>'site', e->'data'->>'invoiceId', (l.n - 1)::integer, l.v->>'description',
    (l.v->>'quantity')::numeric, (l.v->>'unitPrice')::numeric, (l.v->>'amount')::numeric,
    l.v->>'kind', l.v->>'subscriptionId', l.v->>'addonId', (l.v->>'periodStart')::date,
    (l.v->>'periodEnd')::date
FROM jsonb_array_elements($1::text::jsonb) AS e
CROSS JOIN LATERAL jsonb_array_elements(e->'data'->'lineItems') WITH ORDINALITY AS l(v, n)
WHERE e->>'type' LIKE 'invoice.%'
ON CONFLICT DO NOTHING";

const PAYMENTS: &str = "\
INSERT INTO bss.payments (site_id, payment_id, invoice_id, amount, currency, paid_at, method,
    reference, created_at, data)
SELECT e->>'site', d->>'paymentId', d->>'invoiceId', (d->>'amount')::numeric, d->>'currency',
    (d->>'paidAt')::timestamptz, d->>'method', d->>'reference', (d->>'createdAt')::timestamptz, d
FROM jsonb_array_elements($1::text::jsonb) AS e CROSS JOIN LATERAL (SELECT e->'data' AS d) AS x
WHERE e->>'type' = 'payment.recorded'
ON CONFLICT DO NOTHING";

/// At the branch a partial payment changes its invoice without an invoice event: what was paid
/// is the sum of the invoice's payments, and what is due follows from it while the invoice is
/// open (as `domain::invoice::amount_due_minor` computes it there).
const PAID: &str = "\
UPDATE bss.invoices AS i SET amount_paid = p.paid,
    amount_due = CASE WHEN i.status IN ('Open', 'Overdue')
                      THEN GREATEST(i.total_amount - p.paid, 0) ELSE 0 END
FROM (SELECT site_id, invoice_id, sum(amount) AS paid FROM bss.payments
      WHERE (site_id, invoice_id) IN (
          SELECT e->>'site', e->'data'->>'invoiceId'
          FROM jsonb_array_elements($1::text::jsonb) AS e
          WHERE e->>'type' = 'payment.recorded')
      GROUP BY site_id, invoice_id) AS p
WHERE i.site_id = p.site_id AND i.invoice_id = p.invoice_id";

const NEW_SITES: &str = "\
INSERT INTO bss.sites (site_id, first_sequence, applied_sequence)
SELECT s, f, f - 1 FROM unnest($1::text[], $2::bigint[]) AS u(s, f)
ON CONFLICT (site_id) DO NOTHING";

const LOCK_SITES: &str = "\
SELECT site_id, applied_sequence FROM bss.sites WHERE site_id = ANY($1::text[])
ORDER BY site_id FOR UPDATE";

const WATERMARKS: &str = "\
UPDATE bss.sites AS s SET applied_sequence = u.seq, last_event_at = u.at::timestamptz,
    applied_at = now(), events_applied = s.events_applied + u.n
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS u(site, seq, at, n)
WHERE s.site_id = u.site";

/// The statements, prepared once per connection.
pub struct Statements {
    events: Statement,
    customers: Statement,
    subscriptions: Statement,
    invoices: Statement,
    lines: Statement,
    payments: Statement,
    paid: Statement,
    new_sites: Statement,
    lock_sites: Statement,
    watermarks: Statement,
}

impl Statements {
    pub async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            events: client.prepare(EVENTS).await?,
            customers: client.prepare(&customers()).await?,
            subscriptions: client.prepare(&subscriptions()).await?,
            invoices: client.prepare(&invoices()).await?,
            lines: client.prepare(LINES).await?,
            payments: client.prepare(PAYMENTS).await?,
            paid: client.prepare(PAID).await?,
            new_sites: client.prepare(NEW_SITES).await?,
            lock_sites: client.prepare(LOCK_SITES).await?,
            watermarks: client.prepare(WATERMARKS).await?,
        })
    }

    /// Registers the sites not seen before (their watermark just before their first event) and
    /// locks every site's row for this transaction; returns their watermarks. Sites are locked
    /// in name order, so two instances never deadlock.
    pub async fn lock_sites(
        &self,
        tx: &Transaction<'_>,
        sites: &[(SiteId, i64)],
    ) -> Result<HashMap<SiteId, i64>, tokio_postgres::Error> {
        let names: Vec<&str> = sites.iter().map(|(s, _)| s.as_str()).collect();
        let firsts: Vec<i64> = sites.iter().map(|(_, f)| *f).collect();
        tx.execute(&self.new_sites, &[&names, &firsts]).await?;
        let rows = tx.query(&self.lock_sites, &[&names]).await?;
        let mut marks = HashMap::new();
        for row in rows {
            let name: String = row.get(0);
            if let Ok(site) = SiteId::parse("site_id", &name) {
                marks.insert(site, row.get::<_, i64>(1));
            }
        }
        Ok(marks)
    }

    /// Applies `runs` (per site, events continuing its watermark, in order) and moves the
    /// watermarks.
    pub async fn apply(
        &self,
        tx: &Transaction<'_>,
        runs: &[(SiteId, Vec<(i64, WireEvent)>)],
    ) -> Result<Vec<SiteProgress>, ApplyError> {
        let mut rows = Vec::new();
        let mut progress = Vec::new();
        for (site, run) in runs {
            for (sequence, e) in run {
                rows.push(Row {
                    site: site.as_str(),
                    seq: *sequence,
                    id: &e.event_id,
                    event_type: &e.event_type,
                    at: &e.occurred_at,
                    ak: &e.actor.kind,
                    ai: &e.actor.id,
                    data: &e.data,
                });
            }
            if let Some((last, e)) = run.last() {
                progress.push(SiteProgress {
                    site: site.clone(),
                    applied_sequence: *last,
                    last_event_at: e.occurred_at.clone(),
                    events: run.len() as u64,
                });
            }
        }
        if rows.is_empty() {
            return Ok(progress);
        }
        let has = |prefix: &str| rows.iter().any(|r| r.event_type.starts_with(prefix));
        let (customers, subscriptions, invoices, payments) = (
            has("customer."),
            has("subscription."),
            has("invoice."),
            rows.iter().any(|r| r.event_type == "payment.recorded"),
        );
        let batch = serde_json::to_string(&rows).map_err(ApplyError::Encode)?;
        tx.execute(&self.events, &[&batch]).await?;
        if customers {
            tx.execute(&self.customers, &[&batch]).await?;
        }
        if subscriptions {
            tx.execute(&self.subscriptions, &[&batch]).await?;
        }
        if invoices {
            tx.execute(&self.invoices, &[&batch]).await?;
            tx.execute(&self.lines, &[&batch]).await?;
        }
        if payments {
            tx.execute(&self.payments, &[&batch]).await?;
            tx.execute(&self.paid, &[&batch]).await?;
        }
        let sites: Vec<&str> = progress.iter().map(|p| p.site.as_str()).collect();
        let marks: Vec<i64> = progress.iter().map(|p| p.applied_sequence).collect();
        let times: Vec<&str> = progress.iter().map(|p| p.last_event_at.as_str()).collect();
        let counts: Vec<i64> = progress
            .iter()
            .map(|p| i64::try_from(p.events).unwrap_or(i64::MAX))
            .collect();
        tx.execute(&self.watermarks, &[&sites, &marks, &times, &counts])
            .await?;
        Ok(progress)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("the batch could not be encoded: {0}")]
    Encode(serde_json::Error),
}
