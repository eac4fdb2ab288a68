//! Reading an invoice line by line, for tests that check amounts worked out by hand.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::billing::{invoices_of, usd};
use crate::helpers::TestApp;

/// (description, amount) of each line, amounts as the API writes them.
pub fn lines(inv: &Value) -> Vec<(String, Value)> {
    inv["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["description"].as_str().unwrap().to_owned(),
                l["amount"].clone(),
            )
        })
        .collect()
}

/// The lines expected, from (description, minor units).
pub fn expect(rows: &[(&str, i64)]) -> Vec<(String, Value)> {
    rows.iter()
        .map(|(t, m)| ((*t).to_owned(), usd(*m)))
        .collect()
}

/// The invoice of `customer` for `period`.
pub async fn invoice_for(app: &TestApp, customer: &str, period: &str) -> Value {
    invoices_of(app, customer)
        .await
        .into_iter()
        .find(|i| i["period"] == period)
        .unwrap_or_else(|| panic!("no {period} invoice"))
}

/// The invoice's lines added up.
pub fn sum_of_lines(inv: &Value) -> Decimal {
    inv["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].to_string().parse::<Decimal>().unwrap())
        .sum()
}

/// An amount as the API writes it, exactly.
pub fn dec(v: &Value) -> Decimal {
    v.to_string().parse().unwrap()
}
