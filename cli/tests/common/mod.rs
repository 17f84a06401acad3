//! Helpers for end-to-end tests: a real server process and real CLI "phones".
// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    thread,
    time::Duration,
};

use serde_json::Value;
use tempfile::TempDir;

/// The `relais` binary under test.
fn relais_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_relais"))
}

/// `relais-server`, built next to `relais` by `cargo test --workspace`.
fn server_bin() -> PathBuf {
    let bin = relais_bin().with_file_name("relais-server");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p relais-server` (the README's test command does)",
        bin.display()
    );
    bin
}

/// A port that was free a moment ago, so that a restarted server can listen on the same one.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    child: Child,
    data: TempDir,
    port: u16,
}

impl Server {
    pub fn start(port: u16) -> Self {
        Self::spawn(port, tempfile::tempdir().unwrap())
    }

    /// Starts a new server process on the data of a previous one.
    pub fn restart(port: u16, mut old: Self) -> Self {
        old.kill();
        let data = std::mem::replace(&mut old.data, tempfile::tempdir().unwrap());
        Self::spawn(port, data)
    }

    /// SIGKILLs `old` and starts a server on `port` from the backup `archive`, restored into a
    /// new data directory as an operator does (`relais-server restore`).
    pub fn restore(port: u16, mut old: Self, archive: &Path) -> Self {
        old.kill();
        let data = tempfile::tempdir().unwrap();
        let out = Command::new(server_bin())
            .arg("restore")
            .arg("--from")
            .arg(archive)
            .arg("--data-dir")
            .arg(data.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "relais-server restore: {out:?}");
        Self::spawn(port, data)
    }

    fn spawn(port: u16, data: TempDir) -> Self {
        let mut child = Command::new(server_bin())
            .args(["--demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(
            line.starts_with("relais-server listening on http://"),
            "unexpected first line: {line:?}"
        );
        Self { child, data, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs an administrator command of the server binary on this server's data (while it
    /// serves) and returns what it printed.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(server_bin())
            .arg("--data")
            .arg(self.data.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "relais-server {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Runs the server's administrator command that enrols an agent of `service` with the
    /// staff account `email`, and returns the one-time code it prints.
    pub fn enrol_agent(&self, service: &str, email: &str) -> String {
        self.admin(&[
            "enrol-agent",
            "--tenant",
            "demo",
            "--service",
            service,
            "--email",
            email,
        ])
    }

    /// A staff phone of an agent of `service`, registered with a fresh enrolment code.
    pub fn agent_phone(&self, service: &str, email: &str) -> Phone {
        self.enrolled_phone(&self.enrol_agent(service, email))
    }

    /// A staff phone registered with the one-time enrolment `code`.
    pub fn enrolled_phone(&self, code: &str) -> Phone {
        let phone = Phone::new();
        phone.ok(&[
            "init",
            "--server",
            &self.url(),
            "--tenant",
            "demo",
            "--enrolment-code",
            code,
        ]);
        phone
    }

    /// SIGKILL: no graceful shutdown, no flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A citizen's phone registered with `server` (and synced once).
pub fn registered(server: &Server) -> Phone {
    let phone = Phone::new();
    phone.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    phone
}

/// A phone: a data directory driven through the real `relais` binary.
pub struct Phone {
    dir: TempDir,
}

impl Phone {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, lang: &str, args: &[&str]) -> Command {
        let mut command = Command::new(relais_bin());
        command
            .arg("--data")
            .arg(self.data())
            .args(["--lang", lang])
            .args(args);
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_lang("en", args)
    }

    pub fn run_lang(&self, lang: &str, args: &[&str]) -> Output {
        self.command(lang, args).output().unwrap()
    }

    /// Runs with `stdin` as its standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: Stdio) -> Output {
        self.command("en", args).stdin(stdin).output().unwrap()
    }

    /// Runs with its standard output a pipe nobody reads (`relais ARGS | head -0`).
    pub fn run_into_closed_pipe(&self, args: &[&str]) -> Output {
        let mut child = self
            .command("en", args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn output(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "relais {args:?} failed: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, args: &[&str]) {
        self.output(args);
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.output(args)).unwrap()
    }

    pub fn json_lang(&self, lang: &str, args: &[&str]) -> Value {
        let out = self.command(lang, args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The report `id` in `relais reports --json`, if this phone holds it.
    pub fn report(&self, id: &str) -> Option<Value> {
        let reports: Value = self.json(&["reports", "--json"]);
        reports
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    }

    /// Files a report and returns its id.
    pub fn file(&self, category: &str, lat: f64, lon: f64, text: &str) -> String {
        let out = self.json(&[
            "report",
            "--category",
            category,
            "--lat",
            &lat.to_string(),
            "--lon",
            &lon.to_string(),
            "--text",
            text,
            "--json",
        ]);
        out["id"].as_str().unwrap().to_owned()
    }

    /// Starts `relais ARGS` and SIGKILLs it after `delay_ms`, wherever it is.
    pub fn kill_during(&self, args: &[&str], delay_ms: u64) {
        let mut child = self
            .command("en", args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }

    /// This phone's registration (device id, token, server), read from its own database.
    pub fn registration(&self) -> Value {
        let db = rusqlite::Connection::open(self.data().join("relais.db")).unwrap();
        let registration: String = db
            .query_row(
                "SELECT value FROM settings WHERE key = 'registration'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        serde_json::from_str(&registration).unwrap()
    }

    /// This phone's device id.
    pub fn device_id(&self) -> String {
        self.registration()["device_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
