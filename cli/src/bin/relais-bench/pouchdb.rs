//! `--pouchdb`: the PouchDB → pouchdb-server baseline, run on the same documents as the phone's
//! reports in the same run. The benchmark installs the pinned packages itself
//! (`bench/pouchdb/package.json` and its lock file, with `npm ci`) into `target/bench-pouchdb`
//! the first time, so that neither the tests nor CI need Node, and the repository stays clean.
//! The measurement is `bench/pouchdb/push.js` (see its header), which prints one JSON line.

use std::{
    fs,
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::json;

use crate::workload::{self, ACCURACY_M, CATEGORY};

/// `bench/pouchdb`, where the package files and the script are.
fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/pouchdb")
}

/// What `push.js` prints.
#[derive(Debug, Deserialize)]
pub struct PouchRun {
    /// Mean size of a document's JSON, in bytes (attachments excluded).
    pub doc_bytes: f64,
    /// Bytes of all the attachments.
    pub photo_bytes: u64,
    queue_s: f64,
    push_s: f64,
    pull_s: f64,
    pub remote_docs: u64,
    /// The local adapter (`leveldb`).
    pub adapter: String,
    pub pouchdb: String,
    pub pouchdb_server: String,
    pub node: String,
}

impl PouchRun {
    /// Every local put, one after the other.
    pub fn queue(&self) -> Duration {
        Duration::from_secs_f64(self.queue_s)
    }

    /// Replication local → pouchdb-server.
    pub fn push(&self) -> Duration {
        Duration::from_secs_f64(self.push_s)
    }

    /// Replication pouchdb-server → local, after the push (the documents are already there).
    pub fn pull(&self) -> Duration {
        Duration::from_secs_f64(self.pull_s)
    }
}

/// Writes the `n` documents of the `--reports` series (with photo `i` of `photos` attached to
/// document `i`, if given) and runs `push.js` on them in `work`.
pub fn run(work: &Path, n: u32, photos: Option<&Path>) -> anyhow::Result<PouchRun> {
    let modules = install()?;
    let docs = work.join("pouchdb-docs.ndjson");
    write_docs(&docs, n)?;
    let mut command = Command::new("node");
    command
        .arg(sources().join("push.js"))
        .arg("--docs")
        .arg(&docs)
        .arg("--work")
        .arg(work.join("pouchdb"))
        .env("NODE_PATH", &modules);
    if let Some(photos) = photos {
        command.arg("--photos").arg(photos);
    }
    eprintln!("pouchdb: {n} documents");
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running node (is Node.js installed?)")?;
    if !output.status.success() {
        bail!("push.js failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().context("push.js printed nothing")?;
    let run: PouchRun = serde_json::from_str(line)
        .with_context(|| format!("unexpected push.js output {line:?}"))?;
    if run.remote_docs != u64::from(n) {
        bail!(
            "pouchdb-server holds {} documents, not {n}",
            run.remote_docs
        );
    }
    Ok(run)
}

/// The report documents, one JSON object a line: the fields of Relais's `create_report`, with a
/// UUIDv7 `_id` as the phone's report id.
fn write_docs(path: &Path, n: u32) -> anyhow::Result<()> {
    let mut out = BufWriter::new(
        fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for i in 0..n {
        let (lat, lon) = workload::point(i);
        let doc = json!({
            "_id": uuid::Uuid::now_v7(),
            "category": CATEGORY,
            "lat": lat,
            "lon": lon,
            "accuracy": ACCURACY_M,
            "text": workload::text(i),
            "created_at": workload::now_ms(),
        });
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Installs the pinned PouchDB packages with `npm ci` into `target/bench-pouchdb` unless the
/// same lock file is installed there already, and returns its `node_modules`.
fn install() -> anyhow::Result<PathBuf> {
    let sources = sources();
    let lock = fs::read(sources.join("package-lock.json"))
        .with_context(|| format!("reading {}/package-lock.json", sources.display()))?;
    // target/release/relais-bench → target/bench-pouchdb
    let cache = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .context("locating the target directory")?
        .join("bench-pouchdb");
    // Written after a successful install: an interrupted one is redone.
    let stamp = cache.join("installed-package-lock.json");
    if fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        return Ok(cache.join("node_modules"));
    }
    eprintln!(
        "pouchdb: installing the pinned packages into {} (first run only)",
        cache.display()
    );
    fs::create_dir_all(&cache)?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(sources.join(file), cache.join(file))
            .with_context(|| format!("copying {file} to {}", cache.display()))?;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&cache)
        // npm's report goes to stderr: stdout is the benchmark's table.
        .stdout(std::io::stderr())
        .status()
        .context("running npm (is Node.js installed?)")?;
    if !status.success() {
        bail!("npm ci failed ({status}) in {}", cache.display());
    }
    fs::write(&stamp, &lock)?;
    Ok(cache.join("node_modules"))
}
