//! The integration tests: one binary, each module a surface or a concern. Every test starts its
//! own server on port 0 with a temporary data folder.

mod billing;
mod billing_crash;
mod billing_lifecycle;
mod billing_payments;
mod billing_year;
mod customers;
mod durability;
mod errors;
mod helpers;
mod invoices;
mod products;
mod storage;
mod subscriptions;
