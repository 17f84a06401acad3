//! `--devices N`: the load generator. It starts its own `relais-server --demo` (or, with
//! `--servers K --database URL`, K of them on one PostgreSQL database, phone `i` talking to
//! server `i mod K` as behind a load balancer), registers N simulated phones through the
//! protocol, then runs two phases of the same length with N concurrent loops on one tokio
//! runtime and one HTTP/1.1 connection pool:
//!
//! 1. baseline: each loop calls `GET /healthz` again and again: what this client and the
//!    server's HTTP stack (and one trivial read of the database) sustain on this machine;
//! 2. sync: each loop is a phone that pushes one `create_report` (its own gapless `seq`, seeded
//!    content, within [`workload::HOME_RADIUS_M`] of a home drawn for the phone, or anywhere in
//!    central Paris with `--roaming`) and pulls one page from its own cursor, again and again.
//!
//! It prints, per kind of request, the rate, p50, p99 and max latency and the errors by status,
//! then the ratios of sync to the baseline. Every push must answer `applied`; anything else is
//! an error. A phase stops starting requests after `--seconds` and ends when the requests in
//! flight are answered: its duration is measured, not assumed.

use std::{
    future::Future,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use relais_protocol::{Cursor, Outcome, PushRequest, PushResponse, Registered};

use crate::{
    api::Api,
    server::Server,
    stats::{Summary, Tally},
    usage,
    workload::{self, Filings},
};

/// What `--devices` runs.
pub struct LoadArgs {
    pub devices: usize,
    /// Servers sharing the PostgreSQL database of `database` (1 without it).
    pub servers: usize,
    /// The PostgreSQL server (`--database`), if not SQLite.
    pub database: Option<String>,
    pub seconds: u64,
    pub seed: u64,
    /// Phones file anywhere in central Paris, not around a home of their own.
    pub roaming: bool,
}

/// Registrations in flight at once: each is a durable write on the server, and a thousand at
/// once would only queue behind its one writer until they time out.
const REGISTER_CONCURRENCY: usize = 16;

/// A request not answered within this time counts as an error (`timeout`).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// File descriptors kept free beyond one per simulated phone (the runtime, the server's files).
const SPARE_FILES: u64 = 256;

pub fn run(server_bin: &Path, args: &LoadArgs) -> anyhow::Result<()> {
    if args.devices == 0 {
        bail!("--devices must be at least 1");
    }
    if args.servers == 0 || (args.servers > 1 && args.database.is_none()) {
        bail!("--servers must be at least 1, and more than 1 only with --database");
    }
    raise_open_files(args.devices)?;
    let work = tempfile::tempdir()?;
    let database = args
        .database
        .as_deref()
        .map(crate::postgres::fresh_database)
        .transpose()?;
    // Started after raising the limit: the servers inherit it.
    let servers = (0..args.servers)
        .map(|i| {
            let data = work.path().join(format!("server-{i}"));
            Server::start(server_bin, &data, database.as_deref())
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_phases(&servers, args))
}

async fn run_phases(servers: &[Server], args: &LoadArgs) -> anyhow::Result<()> {
    let apis = servers
        .iter()
        .map(|server| Api::new(&server.url, REQUEST_TIMEOUT))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Phone `i` talks to server `i mod K`.
    let api_of = |i: usize| apis[i % apis.len()].clone();
    let api = api_of(0);
    let started = Instant::now();
    let phones = register(&api, args.devices).await?;
    let registration = started.elapsed();
    let catalogue = api
        .catalogue(&phones[0].token)
        .await
        .context("fetching the demo catalogue")?;
    let categories = workload::plain_categories(&catalogue)?;
    let duration = Duration::from_secs(args.seconds);

    eprintln!("phase 1/2: /healthz, {} loops, {duration:?}", args.devices);
    let health = phase(servers, duration, |deadline| {
        (0..phones.len())
            .map(|i| health_loop(api_of(i), deadline))
            .collect()
    })
    .await?;
    let mut healthz = Tally::new();
    for tally in &health.results {
        healthz.add(tally);
    }

    eprintln!("phase 2/2: sync, {} phones, {duration:?}", args.devices);
    let sync = phase(servers, duration, |deadline| {
        phones
            .iter()
            .enumerate()
            .map(|(i, phone)| {
                let filings = Filings::new(args.seed, i as u64, Arc::clone(&categories), 0.0);
                let filings = if args.roaming {
                    filings
                } else {
                    filings.near_home()
                };
                phone_loop(api_of(i), phone.clone(), filings, deadline)
            })
            .collect()
    })
    .await?;
    let (mut push, mut pull, mut changes) = (Tally::new(), Tally::new(), 0);
    for phone in &sync.results {
        push.add(&phone.push);
        pull.add(&phone.pull);
        changes += phone.changes;
    }
    let mut both = push.clone();
    both.add(&pull);

    println!(
        "storage: {}",
        match &args.database {
            Some(_) => format!(
                "PostgreSQL, {} server(s) sharing one database",
                servers.len()
            ),
            None => "SQLite".to_owned(),
        }
    );
    println!(
        "load: {} phones filing {}, {} s per phase, seed {}; {} registered in {:.1} s ({:.0}/s)",
        args.devices,
        if args.roaming {
            "anywhere in central Paris"
        } else {
            "around their homes"
        },
        args.seconds,
        args.seed,
        phones.len(),
        registration.as_secs_f64(),
        phones.len() as f64 / registration.as_secs_f64()
    );
    for (name, phase) in [("/healthz", &health.meta), ("sync", &sync.meta)] {
        println!("{name} phase: {}", phase.describe());
    }
    let healthz = healthz.summary(health.meta.elapsed);
    let summaries = [
        ("healthz", &healthz),
        ("sync: push", &push.summary(sync.meta.elapsed)),
        ("sync: pull", &pull.summary(sync.meta.elapsed)),
        ("sync: push + pull", &both.summary(sync.meta.elapsed)),
    ];
    println!("{}", Summary::header());
    for (name, summary) in summaries {
        println!("{}", summary.row(name));
    }
    // The last line adds up the two before it: its errors are theirs.
    for (name, summary) in &summaries[..3] {
        println!("errors, {name}: {}", summary.errors_line());
    }
    let sync_all = summaries[3].1;
    println!(
        "reports applied: {} ({:.1}/s); changes pulled: {changes} ({:.1} per page)",
        push.ok(),
        push.ok() as f64 / sync.meta.elapsed.as_secs_f64(),
        changes as f64 / pull.ok().max(1) as f64
    );
    println!(
        "ratio sync rate / healthz rate:  {:.3}",
        sync_all.rate / healthz.rate
    );
    println!(
        "ratio sync p99 / healthz p99:    {:.1}",
        sync_all.p99_ms / healthz.p99_ms
    );
    Ok(())
}

/// Registers `n` phones, [`REGISTER_CONCURRENCY`] at a time, in a stable order (phone `i` is
/// the `i`-th claimed, whatever the order of the answers).
async fn register(api: &Api, n: usize) -> anyhow::Result<Vec<Registered>> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..REGISTER_CONCURRENCY.min(n))
        .map(|_| {
            let (api, next) = (api.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return anyhow::Ok(mine);
                    }
                    let phone = api
                        .register()
                        .await
                        .with_context(|| format!("registering phone {i}"))?;
                    if (i + 1) % 1000 == 0 {
                        eprintln!("registered {} phones", i + 1);
                    }
                    mine.push((i, phone));
                }
            })
        })
        .collect();
    let mut phones = Vec::with_capacity(n);
    for worker in workers {
        phones.extend(worker.await??);
    }
    phones.sort_by_key(|(i, _)| *i);
    Ok(phones.into_iter().map(|(_, phone)| phone).collect())
}

/// How long a phase lasted and the CPU each side used meanwhile (the servers' added up).
struct PhaseMeta {
    loops: usize,
    elapsed: Duration,
    client_cpu: Duration,
    server_cpu: Duration,
    /// The servers' writer threads (SQLite's writer, PostgreSQL's town writers): the work that
    /// cannot spread over the cores. `None` if a server has none.
    writer_cpu: Option<Duration>,
}

impl PhaseMeta {
    fn describe(&self) -> String {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let writer = self.writer_cpu.map_or(String::new(), |writer| {
            format!(" (its writer thread {:.1} s)", writer.as_secs_f64())
        });
        format!(
            "{} loops, {:.1} s; CPU: client {:.1} s, server {:.1} s{writer} ({cores} cores = \
             {:.1} s)",
            self.loops,
            self.elapsed.as_secs_f64(),
            self.client_cpu.as_secs_f64(),
            self.server_cpu.as_secs_f64(),
            cores as f64 * self.elapsed.as_secs_f64()
        )
    }
}

struct Phase<T> {
    meta: PhaseMeta,
    results: Vec<T>,
}

/// Runs the loops `make` builds (each given the deadline after which it starts no request)
/// concurrently, until the last one ends.
async fn phase<T, F>(
    servers: &[Server],
    duration: Duration,
    make: impl FnOnce(Instant) -> Vec<F>,
) -> anyhow::Result<Phase<T>>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let servers_cpu = || -> anyhow::Result<Duration> { servers.iter().map(Server::cpu_time).sum() };
    let writers_cpu = || -> anyhow::Result<Option<Duration>> {
        let writers = servers.iter().map(Server::writer_time);
        Ok(writers
            .collect::<anyhow::Result<Option<Vec<_>>>>()?
            .map(|w| w.into_iter().sum()))
    };
    let (client_cpu, server_cpu, writer_cpu) = (usage::own_time()?, servers_cpu()?, writers_cpu()?);
    let started = Instant::now();
    let handles: Vec<_> = make(started + duration)
        .into_iter()
        .map(tokio::spawn)
        .collect();
    let loops = handles.len();
    let mut results = Vec::with_capacity(loops);
    for handle in handles {
        results.push(handle.await.context("a load loop panicked")?);
    }
    Ok(Phase {
        meta: PhaseMeta {
            loops,
            elapsed: started.elapsed(),
            client_cpu: usage::own_time()?.saturating_sub(client_cpu),
            server_cpu: servers_cpu()?.saturating_sub(server_cpu),
            writer_cpu: writers_cpu()?
                .zip(writer_cpu)
                .map(|(after, before)| after.saturating_sub(before)),
        },
        results,
    })
}

async fn health_loop(api: Api, deadline: Instant) -> Tally {
    let mut tally = Tally::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        let outcome = api.healthz().await.map_err(|e| e.label());
        tally.record(started, outcome);
    }
    tally
}

/// What one phone saw in the sync phase.
struct PhoneTally {
    push: Tally,
    pull: Tally,
    /// Changes received in all its pulls.
    changes: u64,
}

/// One phone: push one new report, pull one page, again until the deadline. A push that failed
/// is sent again as is (same `seq`, same ids), as a phone retries its outbox.
async fn phone_loop(
    api: Api,
    phone: Registered,
    mut filings: Filings,
    deadline: Instant,
) -> PhoneTally {
    let mut tally = PhoneTally {
        push: Tally::new(),
        pull: Tally::new(),
        changes: 0,
    };
    let (mut next_seq, mut cursor, mut unsent) = (1, Cursor::start(), None::<PushRequest>);
    while Instant::now() < deadline {
        let batch = unsent.take().unwrap_or_else(|| filings.batch(next_seq, 1));
        let started = Instant::now();
        let outcome = match api.push(&phone.token, &batch).await {
            Ok(response) => {
                next_seq += 1;
                applied(&response)
            }
            Err(e) => {
                unsent = Some(batch);
                Err(e.label())
            }
        };
        tally
            .push
            .record(started, outcome.map_err(|e| format!("push {e}")));

        let started = Instant::now();
        let outcome = match api.pull(&phone.token, &cursor).await {
            Ok(page) if page.reset => Err("reset".to_owned()),
            Ok(page) => {
                tally.changes += page.changes.len() as u64;
                cursor = page.cursor;
                Ok(())
            }
            Err(e) => Err(e.label()),
        };
        tally
            .pull
            .record(started, outcome.map_err(|e| format!("pull {e}")));
    }
    tally
}

/// `Ok` if the push's one mutation was applied now; otherwise what it was.
fn applied(response: &PushResponse) -> Result<(), String> {
    match response.results.as_slice() {
        [result] => match &result.outcome {
            Outcome::Applied => Ok(()),
            Outcome::AlreadyApplied => Err("already_applied".into()),
            Outcome::Rejected { reason } => Err(format!("rejected {}", reason.code)),
        },
        results => Err(format!("{} results for 1 mutation", results.len())),
    }
}

/// Raises the soft limit of open files to the hard limit: each phone holds a connection, and
/// so does the server for it.
fn raise_open_files(phones: usize) -> anyhow::Result<()> {
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising the open-files limit")?;
    let needed = phones as u64 + SPARE_FILES;
    if limit < needed {
        bail!(
            "{phones} phones need about {needed} open files, the limit is {limit}: \
             raise it (`ulimit -n {needed}`) or use fewer --devices"
        );
    }
    Ok(())
}
