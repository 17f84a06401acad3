//! `--reports N` (the default mode): one simulated phone (the real core and runtime, in process)
//! registers with a local `relais-server --demo`, files N reports one by one (`queue`: each a
//! durable transaction on the device), then runs one sync (push in batches, photo uploads if
//! any, pull back). Printed next to the raw-SQLite baselines of [`crate::baseline`] and, with
//! `--pouchdb`, PouchDB → pouchdb-server on the same documents ([`crate::pouchdb`]), all in the
//! same run. With `--photos`, every report carries one small unique JPEG.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail};
use shared::{
    Intent, Runtime,
    effects::Notification,
    runtime::{STORE_THREAD, Shell},
    view::SyncView,
};

use crate::{
    baseline, postgres,
    pouchdb::{self, PouchRun},
    server::Server,
    usage,
    workload::{self, ACCURACY_M, CATEGORY},
};

/// What `--reports` runs.
pub struct ReportsArgs {
    pub reports: u32,
    /// The PostgreSQL server (`--database`): the server under test stores there, and the raw
    /// baseline includes a batched PostgreSQL insert.
    pub database: Option<String>,
    pub photos: bool,
    pub pouchdb: bool,
}

/// The longest the core may take over one intent (the sync of every report included).
const INTENT_TIMEOUT: Duration = Duration::from_secs(3600);

pub fn run(server_bin: &Path, args: &ReportsArgs) -> anyhow::Result<()> {
    let n = args.reports;
    let work = tempfile::tempdir()?;
    let photos = if args.photos {
        Some(write_photos(&work.path().join("photos"), n)?)
    } else {
        None
    };
    let database = args
        .database
        .as_deref()
        .map(postgres::fresh_database)
        .transpose()?;
    let phone = phone(
        server_bin,
        work.path(),
        n,
        photos.as_ref(),
        database.as_deref(),
    )?;
    let per_row = baseline::raw_insert(&work.path().join("raw-per-row.db"), n, false)?;
    let batched = baseline::raw_insert(&work.path().join("raw-batched.db"), n, true)?;
    let postgres = args
        .database
        .as_deref()
        .map(|url| postgres::raw_insert(url, n))
        .transpose()?;
    let pouch = if args.pouchdb {
        Some(pouchdb::run(
            work.path(),
            n,
            photos.as_ref().map(|p| p.dir.as_path()),
        )?)
    } else {
        None
    };
    print(
        n,
        photos.as_ref(),
        &phone,
        Baselines {
            per_row,
            batched,
            postgres,
        },
        pouch.as_ref(),
    );
    Ok(())
}

/// The `--photos` files: `DIR/i.jpg` for report `i`.
struct Photos {
    dir: PathBuf,
    bytes: u64,
}

impl Photos {
    fn path(&self, i: u32) -> PathBuf {
        self.dir.join(format!("{i}.jpg"))
    }
}

fn write_photos(dir: &Path, n: u32) -> anyhow::Result<Photos> {
    fs::create_dir_all(dir)?;
    let mut bytes = 0;
    for i in 0..n {
        let jpeg = workload::photo(i)?;
        bytes += jpeg.len() as u64;
        fs::write(dir.join(format!("{i}.jpg")), jpeg)?;
    }
    Ok(Photos {
        dir: dir.to_owned(),
        bytes,
    })
}

/// The raw inserts of the same rows, measured in the same run.
struct Baselines {
    per_row: Duration,
    batched: Duration,
    /// With `--database`.
    postgres: Option<Duration>,
}

/// What the phone measured.
struct PhoneRun {
    queued: Duration,
    synced: Duration,
    /// CPU time used during the sync.
    sync_cpu: SyncCpu,
    /// Changes the sync pulled back.
    received: u32,
}

/// CPU time used during the sync, by each process and by the thread of each that works alone:
/// the phone's store thread and the server's writer thread. The sync cannot take less time than
/// either of them (neither spreads over the cores), nor than both processes' CPU shared out over
/// the machine's cores.
struct SyncCpu {
    phone: Duration,
    store: Duration,
    server: Duration,
    /// `None` if the server has no writer thread.
    writer: Option<Duration>,
}

impl SyncCpu {
    /// Each counter now, to subtract from the same counters after the sync.
    fn read(server: &Server) -> anyhow::Result<Self> {
        let store = usage::thread_time(std::process::id(), STORE_THREAD)?
            .context("the phone has no store thread")?;
        Ok(Self {
            phone: usage::own_time()?,
            store,
            server: server.cpu_time()?,
            writer: server.writer_time()?,
        })
    }

    fn since(self, before: &Self) -> Self {
        Self {
            phone: self.phone.saturating_sub(before.phone),
            store: self.store.saturating_sub(before.store),
            server: self.server.saturating_sub(before.server),
            writer: self
                .writer
                .zip(before.writer)
                .map(|(a, b)| a.saturating_sub(b)),
        }
    }

    /// The least time the sync could take doing the work it did: the busier of the two threads
    /// that work alone, or both processes' CPU over the cores if that is longer.
    fn floor(&self) -> Duration {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        let shared = (self.phone + self.server) / cores;
        self.writer
            .into_iter()
            .fold(self.store.max(shared), Duration::max)
    }
}

struct Headless;

impl Shell for Headless {
    fn render(&self) {}
    fn notify(&self, _: Notification) {}
}

fn phone(
    server_bin: &Path,
    work: &Path,
    n: u32,
    photos: Option<&Photos>,
    database: Option<&str>,
) -> anyhow::Result<PhoneRun> {
    let server = Server::start(server_bin, &work.join("server"), database)?;
    let device = Runtime::new(&work.join("device"), Arc::new(Headless))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let send = |intent: Intent| -> anyhow::Result<()> {
        device.send(intent);
        if device.wait_idle(INTENT_TIMEOUT) {
            Ok(())
        } else {
            bail!("the core did not finish in time")
        }
    };
    send(Intent::Start {
        language: "en".into(),
        auto_sync: None,
    })?;
    send(Intent::Register {
        server_url: server.url.clone(),
        tenant: "demo".into(),
        platform: "bench".into(),
        enrolment_code: None,
    })?;

    let started = std::time::Instant::now();
    for i in 0..n {
        let (lat, lon) = workload::point(i);
        send(Intent::FileReport {
            category: CATEGORY.into(),
            lat,
            lon,
            accuracy_m: Some(ACCURACY_M),
            text: workload::text(i),
            answers: Vec::new(),
            photos: photos
                .map(|p| vec![p.path(i).to_string_lossy().into_owned()])
                .unwrap_or_default(),
        })?;
    }
    let queued = started.elapsed();

    let started = std::time::Instant::now();
    let cpu_before = SyncCpu::read(&server)?;
    send(Intent::Sync)?;
    let synced = started.elapsed();
    let sync_cpu = SyncCpu::read(&server)?.since(&cpu_before);
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
    if photos.is_some() {
        let held = stored_photos(&server.data)?;
        if held != n as usize {
            bail!("the server holds {held} photos, not {n}");
        }
    }
    Ok(PhoneRun {
        queued,
        synced,
        sync_cpu,
        received,
    })
}

/// How many photos the server has stored (its `photos/` folder of `SHA256.jpg` files).
fn stored_photos(data: &Path) -> anyhow::Result<usize> {
    let dir = data.join("photos");
    let mut count = 0;
    for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        if entry?.path().extension().is_some_and(|e| e == "jpg") {
            count += 1;
        }
    }
    Ok(count)
}

fn print(
    n: u32,
    photos: Option<&Photos>,
    phone: &PhoneRun,
    baselines: Baselines,
    pouch: Option<&PouchRun>,
) {
    let Baselines {
        per_row,
        batched,
        postgres,
    } = baselines;
    let rate = |d: Duration| f64::from(n) / d.as_secs_f64();
    match photos {
        Some(p) => println!(
            "reports: {n}, each with one JPEG (160x120, {} bytes on average)",
            p.bytes / u64::from(n.max(1))
        ),
        None => println!("reports: {n}, no photos"),
    }
    println!("changes pulled back by the phone: {}", phone.received);
    let mut rows = vec![
        (
            "relais phone: queue (one durable transaction per report)",
            phone.queued,
        ),
        (
            "relais phone -> server: sync (push, photos, pull back)",
            phone.synced,
        ),
        ("baseline: raw rusqlite insert, one commit per row", per_row),
        (
            "baseline: raw rusqlite insert, one batched transaction",
            batched,
        ),
    ];
    if let Some(postgres) = postgres {
        rows.push((
            "baseline: raw PostgreSQL insert, one batched transaction",
            postgres,
        ));
    }
    if let Some(pouch) = pouch {
        rows.extend([
            ("pouchdb: local put one by one (leveldb)", pouch.queue()),
            ("pouchdb -> pouchdb-server: replicate (push)", pouch.push()),
            (
                "pouchdb <- pouchdb-server: replicate back (pull)",
                pouch.pull(),
            ),
        ]);
    }
    println!("{:<58} {:>10} {:>12}", "phase", "seconds", "reports/s");
    for (name, d) in rows {
        println!("{name:<58} {:>10.3} {:>12.0}", d.as_secs_f64(), rate(d));
    }
    let cpu = &phone.sync_cpu;
    let floor = cpu.floor();
    let writer = cpu.writer.map_or(String::new(), |writer| {
        format!(" (its writer thread {:.3} s)", writer.as_secs_f64())
    });
    println!(
        "CPU during the sync: phone {:.3} s (its store thread {:.3} s), server {:.3} s{writer}",
        cpu.phone.as_secs_f64(),
        cpu.store.as_secs_f64(),
        cpu.server.as_secs_f64(),
    );
    println!(
        "the sync's floor (the busier of those threads, or both processes' CPU over the cores): \
         {:.3} s",
        floor.as_secs_f64()
    );
    let ratio = |name: &str, a: Duration, b: Duration| {
        println!("{name:<44} {}", significant(rate(a) / rate(b)));
    };
    ratio("ratio queue / per-row insert:", phone.queued, per_row);
    ratio("ratio sync / batched insert:", phone.synced, batched);
    ratio("  at most, the sync taking its floor:", floor, batched);
    if let Some(postgres) = postgres {
        ratio(
            "ratio sync / batched PostgreSQL insert:",
            phone.synced,
            postgres,
        );
    }
    if let Some(pouch) = pouch {
        ratio(
            "ratio relais / pouchdb, queue:",
            phone.queued,
            pouch.queue(),
        );
        ratio(
            "ratio relais sync / pouchdb push:",
            phone.synced,
            pouch.push(),
        );
        ratio("  at most, the sync taking its floor:", floor, pouch.push());
        ratio(
            "ratio relais sync / pouchdb push + pull:",
            phone.synced,
            pouch.push() + pouch.pull(),
        );
        println!(
            "pouchdb {} -> pouchdb-server {} (node {}), local adapter {}, {:.0} bytes of JSON \
             per document, {} bytes of attachments, {} documents on the server",
            pouch.pouchdb,
            pouch.pouchdb_server,
            pouch.node,
            pouch.adapter,
            pouch.doc_bytes,
            pouch.photo_bytes,
            pouch.remote_docs
        );
    }
}

/// A ratio with at least two decimals and two significant digits: 0.37, 0.031, 0.00031.
fn significant(ratio: f64) -> String {
    let decimals = if ratio > 0.0 && ratio < 0.1 {
        (1.0 - ratio.log10().floor()) as usize
    } else {
        2
    };
    format!("{ratio:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn ratios_keep_two_significant_digits() {
        assert_eq!(significant(0.374), "0.37");
        assert_eq!(significant(2.5), "2.50");
        assert_eq!(significant(0.0314), "0.031");
        assert_eq!(significant(0.000306), "0.00031");
    }
}
