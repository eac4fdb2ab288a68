//! The PDF documents a customer receives: an invoice, a statement. Read in one snapshot, made
//! on the blocking pool with the operator's details in force at that moment.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::db::{Db, customers, invoices, statements};
use crate::documents::{Issuer, statement_pdf};
use crate::domain::FieldError;
use crate::domain::customer::Customer;
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::invoice::Invoice;
use crate::domain::settings::LiveSettings;
use crate::domain::statement::{Statement, StatementEntry, StatementSection};
use crate::error::ServiceError;

fn failed(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("the document could not be made: {e}"))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(failed)?
}

/// The invoice and its PDF.
pub async fn invoice(
    db: &Db,
    live: &LiveSettings,
    id: &InvoiceId,
) -> Result<(Invoice, Vec<u8>), ServiceError> {
    let (iid, missing) = (id.clone(), id.to_string());
    let (invoice, customer) = db
        .read(move |conn| -> Result<_, ServiceError> {
            let tx = conn.unchecked_transaction()?;
            let invoice = invoices::get(&tx, &iid)?
                .ok_or_else(|| ServiceError::not_found("invoice", &missing))?;
            let customer = customers::get(&tx, &invoice.customer_id)?
                .ok_or_else(|| ServiceError::not_found("customer", invoice.customer_id.as_str()))?;
            Ok((invoice, customer))
        })
        .await?;
    let settings = live.get();
    blocking(move || {
        let pdf = crate::documents::invoice_with(&settings, &invoice, &customer).map_err(failed)?;
        Ok((invoice, pdf))
    })
    .await
}

/// A customer's statement for `from` to `to` (inclusive) as PDF.
pub async fn statement(
    db: &Db,
    live: &LiveSettings,
    customer: &CustomerId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Customer, Vec<u8>), ServiceError> {
    if from > to {
        return Err(FieldError::new("from", format!("{from} is after to {to}")).into());
    }
    let (cid, missing) = (customer.clone(), customer.to_string());
    let (customer, rows) = db
        .read(move |conn| -> Result<_, ServiceError> {
            let tx = conn.unchecked_transaction()?;
            let customer = customers::get(&tx, &cid)?
                .ok_or_else(|| ServiceError::not_found("customer", &missing))?;
            let rows = statements::ledger(&tx, &cid, to)?;
            Ok((customer, rows))
        })
        .await?;
    let settings = live.get();
    blocking(move || {
        let statement = build_statement(customer, from, to, &rows);
        let logo = settings.logo_bytes();
        let issuer = Issuer {
            operator: &settings.operator,
            logo: logo.as_deref(),
        };
        let pdf = statement_pdf(&statement, &issuer).map_err(failed)?;
        Ok((statement.customer, pdf))
    })
    .await
}

/// Balances per currency: what came before `from` is the opening balance.
fn build_statement(
    customer: Customer,
    from: NaiveDate,
    to: NaiveDate,
    rows: &[statements::LedgerRow],
) -> Statement {
    let mut sections: Vec<StatementSection> = Vec::new();
    for r in rows {
        let idx = match sections.iter().position(|s| s.currency == r.currency) {
            Some(i) => i,
            None => {
                sections.push(StatementSection {
                    currency: r.currency,
                    opening: Decimal::ZERO,
                    entries: Vec::new(),
                    closing: Decimal::ZERO,
                });
                sections.len() - 1
            }
        };
        let s = &mut sections[idx];
        let (debit, credit) = (
            r.currency.from_minor(r.debit),
            r.currency.from_minor(r.credit),
        );
        s.closing += debit - credit;
        if r.date < from {
            s.opening = s.closing;
        } else {
            s.entries.push(StatementEntry {
                date: r.date,
                description: r.description.clone(),
                debit,
                credit,
                balance: s.closing,
            });
        }
    }
    Statement {
        customer,
        from,
        to,
        sections,
    }
}
