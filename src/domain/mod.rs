//! Value types: every one has a single fallible constructor, so code past the handlers only ever
//! holds valid values.

pub mod account_number;
pub mod address;
pub mod attention;
pub mod audit;
pub mod bill_run;
pub mod billing_rows;
pub mod clock;
pub mod country;
pub mod currency_codes;
pub mod customer;
pub mod date;
pub mod email;
pub mod enums;
pub mod error;
pub mod event;
pub mod ids;
pub mod invoice;
pub mod list_order;
pub mod money;
pub mod operator;
pub mod origin;
pub mod page;
pub mod payment;
pub mod period;
pub mod product;
pub mod scope;
pub mod secret;
pub mod site;
pub mod subscription;
pub mod text;
pub mod user;
pub mod webhook;
// Charging: usage, one-off charges and discounts, credit notes, plan changes.
pub mod charge;
pub mod credit_note;
pub mod plan;
pub mod usage;
pub mod usage_price;
// Getting paid: settings, e-mail, dunning.
pub mod dunning;
pub mod email_message;
pub mod email_settings;
pub mod settings;
pub mod statement;
pub mod templates;
// The Subscriptions and Payments lists of the admin UI.
pub mod record_lists;

pub use error::FieldError;
