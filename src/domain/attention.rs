//! What the dashboard reports besides its figures: who owes overdue money, and how far a new
//! installation has been set up.

use super::ids::CustomerId;
use super::money::Currency;

/// A customer with overdue invoices: what is overdue in one currency (minor units), and on how
/// many invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub amount: i64,
    pub invoices: u64,
}

/// What a new installation has done so far, for the dashboard's first-run checklist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetUp {
    pub has_product: bool,
    pub has_customer: bool,
    pub has_subscription: bool,
    pub has_bill_run: bool,
    pub has_payment: bool,
    pub has_second_user: bool,
}
