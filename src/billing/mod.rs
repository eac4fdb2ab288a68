//! Billing: rating, proration and tax as pure functions (`rating`, `tax`, `draft`), and the bill
//! run that stores their results (`run`, `chunk`). The rules are written out, with a worked
//! example, in the README's "Billing" section.

pub mod chunk;
pub mod draft;
pub mod draft_extras;
pub mod invoice_event;
pub mod plan_change;
pub mod rating;
pub mod read_ahead;
pub mod run;
pub mod settle;
pub mod store;
pub mod tax;
pub mod usage;

#[cfg(test)]
mod chunk_tests;
#[cfg(test)]
mod proptests;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// Shared by everything in one process that starts bill runs: one real run at a time, and a
/// flag that asks a running one to stop after its current chunk (at shutdown).
#[derive(Debug, Clone, Default)]
pub struct BillingControl {
    pub run_lock: Arc<Mutex<()>>,
    pub stop: Arc<AtomicBool>,
}
