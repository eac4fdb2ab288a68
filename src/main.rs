#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use edgebss::cli::Cli;

fn main() -> ExitCode {
    match edgebss::cli::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgebss: {e:#}");
            ExitCode::FAILURE
        }
    }
}
