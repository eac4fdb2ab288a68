//! What the bill run reads besides subscriptions: per chunk of customers (or for one customer),
//! the replaced plans still to settle, usage not yet billed, pending one-off charges, active
//! discounts and credit balances. Each is one range scan over a partial index that holds only
//! rows with something to bill, so a run over customers without any reads next to nothing.

use std::collections::HashMap;

use rusqlite::Connection;

use super::{charges, credit_notes, plans, usage};
use crate::domain::billing_rows::{CustomerRows, Extras};
use crate::domain::period::Period;

/// The extras of the customers with ids in `(after, upto]`, by customer; usage of months up to
/// `usage_through`.
pub fn chunk_extras(
    conn: &Connection,
    after: &str,
    upto: &str,
    usage_through: Period,
) -> rusqlite::Result<HashMap<String, Extras>> {
    let mut out: HashMap<String, Extras> = HashMap::new();
    for (customer, row) in plans::unsettled_in(conn, after, upto)? {
        out.entry(customer).or_default().past_plans.push(row);
    }
    for (customer, row) in usage::unbilled_in(conn, after, upto, usage_through)? {
        out.entry(customer).or_default().usage.push(row);
    }
    for (customer, row) in charges::pending_in(conn, after, upto)? {
        out.entry(customer).or_default().charges.push(row);
    }
    for (customer, row) in charges::active_in(conn, after, upto)? {
        out.entry(customer).or_default().discounts.push(row);
    }
    for (customer, row) in credit_notes::balances_in(conn, after, upto)? {
        out.entry(customer).or_default().credit = Some(row);
    }
    Ok(out)
}

/// One customer's extras; usage of months up to `usage_through`.
pub fn customer_extras(
    conn: &Connection,
    customer: &str,
    usage_through: Period,
) -> rusqlite::Result<Extras> {
    Ok(Extras {
        past_plans: plans::unsettled_of(conn, customer)?,
        usage: usage::unbilled_of(conn, customer, usage_through)?,
        charges: charges::pending_of(conn, customer)?,
        discounts: charges::active_of(conn, customer)?,
        credit: credit_notes::balance(conn, customer)?.filter(|c| c.balance > 0),
    })
}

/// Gives each customer its extras.
pub fn attach(customers: &mut [CustomerRows], mut extras: HashMap<String, Extras>) {
    if extras.is_empty() {
        return;
    }
    for c in customers {
        if let Some(x) = extras.remove(&c.customer_id) {
            c.extras = x;
        }
    }
}
