//! `--stored 0,10000,...`: the cost of a push as the server's history grows. It starts its own
//! `relais-server --demo`, then for each level in turn fills the server up to that many stored
//! reports through the protocol (a few devices pushing batches of 500 in parallel, so that the
//! server's one writer never waits for the network) and measures a probe alone: a fresh device
//! pushing `--probe-batches` batches (20) of 500 reports one after the other. It prints stored →
//! probe reports/s → ratio to the first level, and what each probed report cost the server: CPU
//! time and bytes written (its SQLite database's WAL frames, mostly), to tell where a slower push
//! goes. On PostgreSQL both are the `relais-server` process's alone, and the bytes are not shown
//! (the database server writes them).
//!
//! With `--hot-spot`, the probe's reports and [`HOT_SHARE`] of the fill are of one category
//! within a few metres of one spot, so that each new report meets thousands of open reports of
//! its category nearby (the worst case of the probable-duplicate check). Without it, reports are
//! spread over central Paris and the town's categories.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use relais_protocol::{Outcome, PushResponse, mutation::MAX_BATCH_MUTATIONS};

use crate::{
    api::Api,
    server::Server,
    workload::{self, CATEGORY, Filings, HOT_SPOT_JITTER_M},
};

/// What `--stored` runs.
pub struct CurveArgs {
    /// The server's PostgreSQL database, if not SQLite.
    pub database: Option<String>,
    /// Stored-report counts at which to probe, ascending.
    pub levels: Vec<u64>,
    pub hot_spot: bool,
    pub seed: u64,
    /// Batches of [`MAX_BATCH_MUTATIONS`] reports the probe pushes, one after the other.
    pub probe_batches: u64,
}

/// Devices filling the server in parallel: enough to keep a batch always waiting for the
/// writer while another is parsed and answered; more would only queue behind its one writer.
const FILLERS: u64 = 3;

/// A push may wait for the batches of the other fillers: only a server that stopped answering
/// should fail the run.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3600);

/// With `--hot-spot`, the share of the fill filed at the hot spot.
const HOT_SHARE: f64 = 0.5;

/// How often the fill reports its progress on stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Device numbers of the probes start here, apart from the fillers' (for their seeds).
const PROBE_DEVICES: u64 = 1_000_000;

const BATCH: u64 = MAX_BATCH_MUTATIONS as u64;

pub fn run(server_bin: &Path, args: &CurveArgs) -> anyhow::Result<()> {
    if args.levels.is_empty() || args.levels.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--stored needs increasing levels, e.g. 0,10000,100000");
    }
    if args.probe_batches == 0 {
        bail!("--probe-batches must be at least 1");
    }
    let work = tempfile::tempdir()?;
    let server = Server::start(
        server_bin,
        &work.path().join("server"),
        args.database.as_deref(),
    )?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_levels(&server, args))
}

/// One device pushing reports: its token, content and next sequence number.
struct Pusher {
    token: String,
    filings: Filings,
    next_seq: u64,
}

impl Pusher {
    /// Registers device number `number` (its seed), filing `hot_share` of its reports at the
    /// hot spot.
    async fn new(
        api: &Api,
        categories: &Arc<[String]>,
        number: u64,
        seed: u64,
        hot_share: f64,
    ) -> anyhow::Result<Self> {
        let phone = api.register().await.context("registering a device")?;
        Ok(Self {
            token: phone.token,
            filings: Filings::new(seed, number, Arc::clone(categories), hot_share),
            next_seq: 1,
        })
    }

    /// Pushes `len` new reports in one batch; every one must be applied.
    async fn push(&mut self, api: &Api, len: u64) -> anyhow::Result<()> {
        let batch = self.filings.batch(self.next_seq, len as usize);
        let response = api
            .push(&self.token, &batch)
            .await
            .with_context(|| format!("pushing a batch from seq {}", self.next_seq))?;
        self.next_seq += len;
        check_applied(&response, len)
    }
}

async fn run_levels(server: &Server, args: &CurveArgs) -> anyhow::Result<()> {
    let api = Api::new(&server.url, REQUEST_TIMEOUT)?;
    let categories = {
        let phone = api.register().await.context("registering a device")?;
        let catalogue = api
            .catalogue(&phone.token)
            .await
            .context("fetching the demo catalogue")?;
        workload::plain_categories(&catalogue)?
    };
    let (fill_share, probe_share) = if args.hot_spot {
        (HOT_SHARE, 1.0)
    } else {
        (0.0, 0.0)
    };
    let mut fillers = Vec::new();
    for number in 0..FILLERS {
        fillers.push(Pusher::new(&api, &categories, number, args.seed, fill_share).await?);
    }
    print_header(args);
    let (mut stored, mut first_rate) = (0, None);
    for (index, &level) in args.levels.iter().enumerate() {
        let fill_rate = if level > stored {
            let started = Instant::now();
            fillers = fill(&api, fillers, stored, level).await?;
            let rate = (level - stored) as f64 / started.elapsed().as_secs_f64();
            stored = level;
            Some(rate)
        } else {
            None
        };
        let number = PROBE_DEVICES + index as u64;
        let mut probe = Pusher::new(&api, &categories, number, args.seed, probe_share).await?;
        let probed = args.probe_batches * BATCH;
        let (cpu, written) = (server.cpu_time()?, server.written()?);
        let started = Instant::now();
        for _ in 0..args.probe_batches {
            probe.push(&api, BATCH).await.context("probe")?;
        }
        let probe_rate = probed as f64 / started.elapsed().as_secs_f64();
        let cpu_us = server.cpu_time()?.saturating_sub(cpu).as_secs_f64() * 1e6 / probed as f64;
        let written_kib = if args.database.is_some() {
            "-".to_owned()
        } else {
            let bytes = server.written()? - written;
            format!("{:.1}", bytes as f64 / 1024.0 / probed as f64)
        };
        let first = *first_rate.get_or_insert(probe_rate);
        // One line per level as soon as it is measured: a long run interrupted keeps its lines.
        println!(
            "{stored:>14} {probe_rate:>18.0} {:>16.3} {cpu_us:>14.0} {written_kib:>16} {:>18}",
            probe_rate / first,
            fill_rate.map_or_else(|| "-".to_owned(), |r| format!("{r:.0}"))
        );
        stored += probed;
    }
    Ok(())
}

/// Pushes reports from every filler in parallel until `target` reports are stored (from
/// `stored`), and hands the fillers back for the next level.
async fn fill(
    api: &Api,
    fillers: Vec<Pusher>,
    stored: u64,
    target: u64,
) -> anyhow::Result<Vec<Pusher>> {
    let remaining = Arc::new(AtomicU64::new(target - stored));
    let filled = Arc::new(AtomicU64::new(0));
    let progress = tokio::spawn({
        let filled = Arc::clone(&filled);
        async move {
            let started = Instant::now();
            let mut tick = tokio::time::interval(PROGRESS_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let done = filled.load(Ordering::Relaxed);
                let elapsed = started.elapsed().as_secs_f64();
                eprintln!(
                    "fill: {} / {target} stored after {elapsed:.0} s, {:.0} reports/s",
                    stored + done,
                    done as f64 / elapsed
                );
            }
        }
    });
    let tasks: Vec<_> = fillers
        .into_iter()
        .map(|mut filler| {
            let (api, remaining, filled) =
                (api.clone(), Arc::clone(&remaining), Arc::clone(&filled));
            tokio::spawn(async move {
                // Claim up to one batch of what is left, until nothing is.
                while let Ok(left) =
                    remaining.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                        (left > 0).then(|| left - left.min(BATCH))
                    })
                {
                    let len = left.min(BATCH);
                    if let Err(e) = filler.push(&api, len).await {
                        // Stop the other fillers too.
                        remaining.store(0, Ordering::Relaxed);
                        return Err(e.context("fill"));
                    }
                    filled.fetch_add(len, Ordering::Relaxed);
                }
                anyhow::Ok(filler)
            })
        })
        .collect();
    let mut fillers = Vec::with_capacity(tasks.len());
    let mut failure = None;
    for task in tasks {
        match task.await.context("a filler panicked")? {
            Ok(filler) => fillers.push(filler),
            Err(e) => failure = Some(e),
        }
    }
    progress.abort();
    match failure {
        Some(e) => Err(e),
        None => Ok(fillers),
    }
}

/// Every mutation of a batch of `len` was applied.
fn check_applied(response: &PushResponse, len: u64) -> anyhow::Result<()> {
    if response.results.len() as u64 != len {
        bail!("{} results for {len} mutations", response.results.len());
    }
    match response
        .results
        .iter()
        .find(|r| r.outcome != Outcome::Applied)
    {
        Some(result) => bail!("seq {} was not applied: {:?}", result.seq, result.outcome),
        None => Ok(()),
    }
}

fn print_header(args: &CurveArgs) {
    println!(
        "stored-reports curve: probe of {} batches of {BATCH} reports from a fresh device{}, seed {}",
        args.probe_batches,
        if args.hot_spot {
            format!(
                "; hot spot: the probe and {:.0}% of the fill in {CATEGORY} within {HOT_SPOT_JITTER_M} m",
                HOT_SHARE * 100.0,
            )
        } else {
            String::new()
        },
        args.seed
    );
    println!(
        "{:>14} {:>18} {:>16} {:>14} {:>16} {:>18}",
        "stored reports",
        "probe reports/s",
        "ratio to first",
        "server µs/rep",
        "written KiB/rep",
        "fill reports/s"
    );
}
