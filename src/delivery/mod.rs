//! Deliveries that read the event outbox from their own tasks and keep their progress in the
//! database: a slow receiver never holds the writer or a request, and a crash only delays them.

pub mod email;
pub mod forwarder;
mod in_flight;
mod mail_content;
pub mod signature;
pub mod webhooks;
