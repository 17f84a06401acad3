//! `relais-bench`: queues N reports on one simulated phone, syncs them to a local
//! `relais-server`, and prints reports/s next to raw rusqlite inserts of the same rows measured
//! in the same run (the machine's speed drifts; ratios are what to compare).
//!
//! Build in release mode and run: `cargo build --release --bins && target/release/relais-bench`.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;
use shared::{Intent, Runtime, effects::Notification, runtime::Shell, view::SyncView};

/// Time the device-to-server path against raw SQLite inserts.
#[derive(Parser)]
struct Args {
    /// How many reports to queue and sync.
    #[arg(long, default_value_t = 10_000)]
    reports: u32,
    /// The server binary (default: `relais-server` next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
}

struct Headless;

impl Shell for Headless {
    fn render(&self) {}
    fn notify(&self, _: Notification) {}
}

/// A category of the demo town.
const CATEGORY: &str = "autres_encombrants_abandonnes";

/// Points spread over central Paris.
fn point(i: u32) -> (f64, f64) {
    let step = f64::from(i % 1000) / 1000.0;
    (
        48.845 + 0.02 * step,
        2.33 + 0.03 * f64::from((i / 1000) % 10) / 10.0,
    )
}

fn text(i: u32) -> String {
    format!("Benchmark report {i}: a mattress left on the pavement")
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let n = args.reports;
    let work = tempfile::tempdir()?;
    let server_bin = match args.server_bin {
        Some(bin) => bin,
        None => std::env::current_exe()?.with_file_name("relais-server"),
    };
    let (mut server, url) = start_server(&server_bin, &work.path().join("server"))?;

    let device = Runtime::new(&work.path().join("device"), Arc::new(Headless))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let send = |intent: Intent| -> anyhow::Result<()> {
        device.send(intent);
        if device.wait_idle(Duration::from_secs(600)) {
            Ok(())
        } else {
            bail!("the core did not finish in time")
        }
    };
    send(Intent::Start {
        language: "en".into(),
    })?;
    send(Intent::Register {
        server_url: url,
        tenant: "demo".into(),
        platform: "bench".into(),
        enrolment_code: None,
    })?;

    let started = Instant::now();
    for i in 0..n {
        let (lat, lon) = point(i);
        send(Intent::FileReport {
            category: CATEGORY.into(),
            lat,
            lon,
            accuracy_m: Some(10.0),
            text: text(i),
            answers: Vec::new(),
            photos: Vec::new(),
        })?;
    }
    let queued = started.elapsed();

    let started = Instant::now();
    send(Intent::Sync)?;
    let synced = started.elapsed();
    let view = device.view();
    let SyncView::Finished { sent, received, .. } = view.sync else {
        bail!("the sync did not finish: {:?}", view.sync);
    };
    if sent != n || !view.outbox.is_empty() {
        bail!(
            "expected {n} reports sent and an empty outbox, got {sent} sent, {} left",
            view.outbox.len()
        );
    }
    let _ = server.kill();
    let _ = server.wait();

    let per_row = raw_insert(&work.path().join("raw-per-row.db"), n, false)?;
    let batched = raw_insert(&work.path().join("raw-batched.db"), n, true)?;

    let rate = |d: Duration| f64::from(n) / d.as_secs_f64();
    println!("reports: {n} (changes pulled back by the same device: {received})");
    println!("{:<58} {:>10} {:>12}", "phase", "seconds", "reports/s");
    for (name, d) in [
        ("device: queue (one durable transaction per report)", queued),
        ("device -> server: sync (push, then pull back)", synced),
        ("baseline: raw rusqlite insert, one commit per row", per_row),
        (
            "baseline: raw rusqlite insert, one batched transaction",
            batched,
        ),
    ] {
        println!("{name:<58} {:>10.3} {:>12.0}", d.as_secs_f64(), rate(d));
    }
    println!(
        "ratio queue / per-row insert:  {:.2}",
        rate(queued) / rate(per_row)
    );
    println!(
        "ratio sync / batched insert:   {:.2}",
        rate(synced) / rate(batched)
    );
    Ok(())
}

fn start_server(bin: &Path, data: &Path) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(bin)
        .args(["--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("relais-server listening on ")
        .with_context(|| format!("unexpected server output: {line:?}"))?
        .to_owned();
    Ok((child, url))
}

/// Inserts the same rows as the benchmark's reports straight into SQLite (WAL,
/// `synchronous=FULL`, prepared statement, time-ordered ids), in one transaction or one per row.
fn raw_insert(path: &Path, n: u32, batched: bool) -> anyhow::Result<Duration> {
    let mut db = rusqlite::Connection::open(path)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.execute_batch(
        "CREATE TABLE reports (id TEXT PRIMARY KEY, category TEXT, lat REAL, lon REAL,
                               accuracy REAL, text TEXT, created_at INTEGER)",
    )?;
    let started = Instant::now();
    let mut tx = db.transaction()?;
    for i in 0..n {
        let (lat, lon) = point(i);
        tx.prepare_cached("INSERT INTO reports VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(rusqlite::params![
                uuid::Uuid::now_v7().to_string(),
                CATEGORY,
                lat,
                lon,
                10.0,
                text(i),
                i64::from(i),
            ])?;
        if !batched {
            tx.commit()?;
            tx = db.transaction()?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}
