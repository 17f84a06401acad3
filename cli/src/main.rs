//! `relais`: the Linux shell of the Relais core. It drives the same core as the phone apps, so
//! tests, demos and load simulations act exactly as a phone would.
//!
//! Exit codes (see `docs/cli.md`): 0 success, 1 error, 2 usage error, 3 server unreachable
//! (for `init`: not registered, nothing saved), 4 `init` only: registered, but the first sync
//! did not complete (run `relais sync`), 5 this device is not registered (run `relais init`).
//! Writing to a closed pipe (`relais reports | head`) ends quietly with 0.

mod command;
mod device;
mod output;

use std::process::ExitCode;

use clap::Parser;

use output::err;

fn main() -> ExitCode {
    let cli = command::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            err!("relais: {e:#}");
            ExitCode::FAILURE
        }
    }
}
