//! Use cases shared by the API, the admin UI, the CLI and the background jobs. They own their
//! transactions: a write runs as one job on the writer, so it is all-or-nothing.

pub mod attention;
pub mod audit;
pub mod bill_runs;
pub mod clients;
pub mod customers;
pub mod dashboard_cache;
pub mod demo;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod invoices;
pub mod kept;
pub mod lifecycle;
pub mod payments;
pub mod products;
pub mod sessions;
pub mod subscriptions;
pub mod ui_lists;
pub mod ui_reports;
pub mod users;
pub mod webhooks;
// Charging: usage, one-off charges and discounts, plan changes, credit notes and refunds.
pub mod charges;
pub mod credit_notes;
pub mod plan_changes;
pub mod previews;
pub mod refunds;
pub mod termination;
pub mod usage;
pub mod usage_import;
pub mod usage_report;
// Getting paid: settings, documents, e-mail, dunning, CSV.
pub mod collections;
pub mod collections_overview;
pub mod documents;
pub mod dunning;
pub mod email;
pub mod export;
pub mod import;
pub mod import_check;
pub mod import_csv;
pub mod import_subscriptions;
pub mod settings;
// The Subscriptions and Payments lists of the admin UI.
pub mod record_lists;
