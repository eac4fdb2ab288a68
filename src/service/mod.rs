//! Use cases shared by the API, the admin UI, the CLI and the background jobs. They own their
//! transactions: a write runs as one job on the writer, so it is all-or-nothing.

pub mod audit;
pub mod bill_runs;
pub mod clients;
pub mod customers;
pub mod demo;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod invoices;
pub mod lifecycle;
pub mod payments;
pub mod products;
pub mod sessions;
pub mod subscriptions;
pub mod ui_reports;
pub mod users;
pub mod webhooks;
// Getting paid: settings, documents, e-mail, dunning, CSV.
pub mod collections;
pub mod documents;
pub mod dunning;
pub mod email;
pub mod export;
pub mod import;
pub mod settings;
