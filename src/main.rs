#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use edgebss::cli::Cli;

/// mimalloc rather than the system allocator: it hands freed memory back to the system (glibc
/// keeps the 19 MiB of every password check after the first, and grows an arena per thread
/// that touched the heap), so an idle server stays small after a burst of sign-ins or load.
/// See bench/README.md, "Footprint".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match edgebss::cli::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgebss: {e:#}");
            ExitCode::FAILURE
        }
    }
}
