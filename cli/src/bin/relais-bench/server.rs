//! Starts and stops the `relais-server --demo` under test: a separate process on 127.0.0.1 with
//! a fresh data directory, as in production (its own runtime, its own SQLite file, fsyncs
//! included, or the PostgreSQL database `--database` gave), so that every mode measures the real
//! server binary and not an in-process copy.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

use anyhow::Context;

/// A running `relais-server`, killed when dropped.
pub struct Server {
    child: Child,
    /// Kept open so that the server never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's data directory (its database and photo folders).
    pub data: PathBuf,
}

impl Server {
    /// Starts `bin --demo` on a free port of 127.0.0.1 with its data in `data` and its database
    /// there or in the PostgreSQL database `database`, and waits for the line announcing its
    /// address.
    pub fn start(bin: &Path, data: &Path, database: Option<&str>) -> anyhow::Result<Self> {
        let mut command = Command::new(bin);
        command
            .args(["--demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(data);
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        let mut child = command
            .env("RUST_LOG", "warn")
            // A thousand phones register from this one address at once.
            .env("RELAIS_REGISTRATIONS_PER_MINUTE", "1000000")
            .env("RELAIS_TOWN_REGISTRATIONS_PER_MINUTE", "1000000")
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?);
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .context("reading the server's address")?;
        let url = line
            .trim()
            .strip_prefix("relais-server listening on ")
            .with_context(|| format!("unexpected server output: {line:?}"))?
            .to_owned();
        Ok(Self {
            child,
            _stdout: stdout,
            url,
            data: data.to_owned(),
        })
    }

    /// CPU time (user + system) the server process has used so far.
    pub fn cpu_time(&self) -> anyhow::Result<Duration> {
        crate::usage::process_time(self.child.id())
    }

    /// CPU time the server's writer thread has used so far (SQLite's writer, or the runtime
    /// thread of PostgreSQL's town writers, both started when the database opens); `None` if
    /// the server has no thread of that name.
    pub fn writer_time(&self) -> anyhow::Result<Option<Duration>> {
        crate::usage::thread_time(self.child.id(), relais_server_database::WRITER_THREAD)
    }

    /// Bytes the server process has written so far (files and sockets).
    pub fn written(&self) -> anyhow::Result<u64> {
        crate::usage::process_written(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary: `explicit`, else `relais-server` next to this benchmark's binary.
pub fn binary(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match explicit {
        Some(bin) => Ok(bin),
        None => Ok(std::env::current_exe()
            .context("locating this binary")?
            .with_file_name("relais-server")),
    }
}
