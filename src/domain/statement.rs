//! A customer statement: what was invoiced, paid and credited in a date range, with the
//! balance before, after, and after each entry.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::customer::Customer;
use super::money::Currency;

#[derive(Debug, Clone)]
pub struct StatementEntry {
    pub date: NaiveDate,
    pub description: String,
    /// What the customer owes more (an invoice).
    pub debit: Decimal,
    /// What the customer owes less (a payment, a credit).
    pub credit: Decimal,
    /// The balance after this entry.
    pub balance: Decimal,
}

/// One currency's part of a statement.
#[derive(Debug, Clone)]
pub struct StatementSection {
    pub currency: Currency,
    pub opening: Decimal,
    pub entries: Vec<StatementEntry>,
    pub closing: Decimal,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub customer: Customer,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sections: Vec<StatementSection>,
}
