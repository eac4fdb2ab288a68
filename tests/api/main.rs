//! The integration tests: one binary, each module a surface or a concern. Every test starts its
//! own server on port 0 with a temporary data folder.

// A test stops at the first surprise, with the value it did not expect: `unwrap`/`expect` are
// how it says so (the crate's lints refuse them everywhere else).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth_cli;
mod auth_scopes;
mod auth_throttle;
mod auth_token_endpoint;
mod auth_tokens;
mod backup;
mod billing;
mod billing_crash;
mod billing_lifecycle;
mod billing_payments;
mod billing_scopes;
mod billing_year;
mod branches;
mod browser;
mod cli;
mod csv_io;
mod csv_subscriptions;
mod customers;
mod documents;
mod dunning;
mod durability;
mod email;
mod email_crash;
mod errors;
mod events;
mod events_feed;
mod helpers;
mod idempotency;
mod invoice_lines;
mod invoices;
mod layers;
mod lifecycle;
mod lifecycle_config;
mod logging;
mod metrics;
mod products;
mod receiver;
mod settings;
mod smtp;
mod statements;
mod storage;
mod subscriptions;
mod sync_numbering;
mod sync_status;
mod ui_admin;
mod ui_api_clients;
mod ui_assets;
mod ui_auth;
mod ui_billing;
mod ui_charging;
mod ui_cli;
mod ui_collections;
mod ui_day_one;
mod ui_helpers;
mod ui_pages;
mod ui_payment_list;
mod ui_roles;
mod ui_subscription_list;
mod ui_tables;
mod upgrade;
mod webhooks;
mod webhooks_crash;
// Charging: usage, plan changes, one-off charges, discounts, credit notes.
mod charging_catalog;
mod charging_credit;
mod charging_documents;
mod charging_month;
mod charging_plans;
mod charging_usage;
// Faults found by attacking the server from outside.
mod auth_races;
mod crafted_input;
mod file_modes;
mod slow_clients;
