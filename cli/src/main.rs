//! `relais`: the Linux shell of the Relais core. It drives the same core as the phone apps, so
//! tests, demos and load simulations act exactly as a phone would.
//!
//! Exit codes: 0 success, 1 error, 2 usage error, 3 server unreachable.

mod command;
mod device;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = command::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("relais: {e:#}");
            ExitCode::FAILURE
        }
    }
}
