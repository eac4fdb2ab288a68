//! Branches and head office, end to end: edges run as the real binary forward to a real
//! `nats-server`, and `edgebss central` applies to a real PostgreSQL (Debian's packages, found
//! and started by the tests on loopback ports).

mod central;
mod edges;
mod forwarder;
mod head_office;
mod outage;
mod servers;
