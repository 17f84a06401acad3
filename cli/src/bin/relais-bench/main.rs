//! `relais-bench`: the sync benchmarks of `BENCHMARKS.md`, each against a baseline measured in
//! the same run (the machines are shared and their speed drifts; ratios are what to compare).
//! Every mode starts its own `relais-server --demo` on 127.0.0.1 with fresh data.
//!
//! - `--reports N [--photos] [--pouchdb]` (default): one phone queues N reports, then syncs
//!   ([`sync`]); raw rusqlite baselines ([`baseline`]); PouchDB → pouchdb-server ([`pouchdb`]).
//! - `--devices N [--seconds S] [--seed K] [--roaming]`: N phones pushing and pulling at once, against
//!   `/healthz` under the same load ([`load`]).
//! - `--stored 0,10000,... [--hot-spot]`: push cost as the server's history grows ([`curve`]).
//! - `--database postgres://...` with any mode: the server stores in a fresh PostgreSQL
//!   database on that server (`--reports` adds a raw PostgreSQL baseline, [`postgres`]);
//!   `--devices N --servers K` starts K servers on that one database.
//!
//! Build in release mode: `cargo build --release -p relais-cli -p relais-server --bins`.

mod api;
mod baseline;
mod curve;
mod load;
mod postgres;
mod pouchdb;
mod server;
mod stats;
mod sync;
mod usage;
mod workload;

use std::path::PathBuf;

use clap::Parser;

/// Benchmark Relais sync against baselines measured in the same run.
#[derive(Parser)]
struct Args {
    /// Reports one phone queues then syncs (the default mode).
    #[arg(long, default_value_t = 10_000)]
    reports: u32,
    /// With --reports: attach one small unique JPEG to every report (and PouchDB document).
    #[arg(long, conflicts_with_all = ["devices", "stored"])]
    photos: bool,
    /// With --reports: also run PouchDB -> pouchdb-server on the same documents (needs Node.js
    /// and npm; installs the pinned packages into target/bench-pouchdb the first time).
    #[arg(long, conflicts_with_all = ["devices", "stored"])]
    pouchdb: bool,
    /// Load mode: this many simulated phones push one report and pull one page in a loop, all
    /// at once, after the same number of loops on /healthz.
    #[arg(long, conflicts_with_all = ["reports", "stored"])]
    devices: Option<usize>,
    /// With --devices: each phone files anywhere in central Paris instead of around its home,
    /// and so follows more and more of its quartiers (the widest scopes).
    #[arg(long, requires = "devices")]
    roaming: bool,
    /// With --devices: how long each phase starts new requests, in seconds.
    #[arg(long, default_value_t = 20, requires = "devices")]
    seconds: u64,
    /// With --devices or --stored: the seed of the reports' categories, places and ids.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Curve mode: the stored-report counts at which to measure the push rate, increasing and
    /// comma-separated (e.g. 0,10000,100000).
    #[arg(long, value_delimiter = ',', conflicts_with = "reports")]
    stored: Option<Vec<u64>>,
    /// With --stored: the probe and half of the fill report one category at one spot.
    #[arg(long, requires = "stored")]
    hot_spot: bool,
    /// With --stored: how many batches of 500 reports the probe pushes at each level.
    #[arg(long, default_value_t = 20, requires = "stored")]
    probe_batches: u64,
    /// A PostgreSQL server (`postgres://user@host:port/database`) on which every run creates
    /// a fresh database for the server under test, instead of its SQLite file.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// With --devices and --database: this many servers share the one database, phone `i`
    /// talking to server `i mod K`.
    #[arg(long, default_value_t = 1, requires = "devices")]
    servers: usize,
    /// The server binary (default: `relais-server` next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server_bin = server::binary(args.server_bin)?;
    if let Some(devices) = args.devices {
        load::run(
            &server_bin,
            &load::LoadArgs {
                devices,
                servers: args.servers,
                database: args.database,
                seconds: args.seconds,
                seed: args.seed,
                roaming: args.roaming,
            },
        )
    } else if let Some(levels) = args.stored {
        curve::run(
            &server_bin,
            &curve::CurveArgs {
                levels,
                database: args.database,
                hot_spot: args.hot_spot,
                seed: args.seed,
                probe_batches: args.probe_batches,
            },
        )
    } else {
        sync::run(
            &server_bin,
            &sync::ReportsArgs {
                reports: args.reports,
                database: args.database,
                photos: args.photos,
                pouchdb: args.pouchdb,
            },
        )
    }
}
