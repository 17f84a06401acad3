//! The `relais-server` binary as an operator runs it: the announced address, durability across a
//! SIGKILL, a clear refusal of a corrupt database, and
//! administration tasks that stop quietly when their reader does.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{PARIS, RemotePhone, batch, create_report};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// Starts the binary with the demo town on a free port and returns it with its base URL.
fn spawn(data: &Path) -> (Child, String) {
    common::spawn_binary(data, &["--demo"], false)
}

#[tokio::test]
async fn an_acknowledged_push_survives_a_sigkill() {
    let data = TempDir::new().unwrap();
    let (mut child, base) = spawn(data.path());
    let phone = RemotePhone::register(&base).await;
    let report = Uuid::now_v7();
    let body = batch(vec![create_report(1, report, PARIS)]);
    let answer = phone.push(&body).await;
    assert_eq!(answer["results"][0]["outcome"], "applied");

    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let (child, base) = spawn(data.path());
    let phone = phone.on(&base);
    let retry = phone.push(&body).await;
    assert_eq!(retry["results"][0]["outcome"], "already_applied");
    assert_eq!(phone.own_reports().await, [report.to_string()]);

    // SIGTERM is a graceful stop: exit status 0.
    common::terminate(child);
}

#[test]
fn a_corrupt_database_is_refused_with_a_clear_message() {
    let data = TempDir::new().unwrap();
    std::fs::write(data.path().join("relais.db"), vec![0x42; 8192]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing announced");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not open database") && stderr.contains("not a database"),
        "{stderr}"
    );
}

/// An administration task whose reader stops early (`| head`) ends quietly, as command-line
/// tools do, instead of panicking on the closed pipe.
#[test]
fn a_task_printing_into_a_closed_pipe_ends_quietly() {
    let data = TempDir::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--data"])
        .arg(data.path())
        .args(["routing", "--tenant", "demo", "list"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `--config FILE` is what the server runs with: here its logs are JSON, and every line written
/// while serving a request carries that request's id, which the answer repeats: the client's
/// own when it is sane, a new UUID otherwise.
#[tokio::test]
async fn json_logs_from_the_config_file_carry_each_requests_id() {
    let data = TempDir::new().unwrap();
    let config = data.path().join("relais.toml");
    std::fs::write(&config, "log_format = \"json\"\ndemo = true\n").unwrap();
    let (child, base) =
        common::spawn_binary(data.path(), &["--config", config.to_str().unwrap()], true);
    let client = reqwest::Client::new();
    let register = |id: Option<&'static str>| {
        let request = client
            .post(format!("{base}/v1/demo/devices"))
            .json(&json!({"platform": "linux", "app_version": "test"}));
        match id {
            Some(id) => request.header("x-request-id", id),
            None => request,
        }
        .send()
    };
    let kept = register(Some("probe-42")).await.unwrap();
    assert_eq!(kept.status(), 201);
    assert_eq!(kept.headers()["x-request-id"], "probe-42");
    let replaced = register(Some("not sane!")).await.unwrap();
    let new_id = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    Uuid::parse_str(&new_id).expect("an insane id is replaced by a UUID");
    let fresh = register(None).await.unwrap();
    assert_eq!(fresh.status(), 201);
    let fresh_id = fresh.headers()["x-request-id"].to_str().unwrap().to_owned();
    Uuid::parse_str(&fresh_id).expect("a request without an id gets a UUID");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = child.wait_with_output().unwrap();
    let lines: Vec<Value> = String::from_utf8(output.stderr)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let request_id = |line: &Value| {
        line["spans"].as_array().and_then(|spans| {
            spans
                .iter()
                .find(|span| span["name"] == "request")
                .map(|span| span["request_id"].as_str().unwrap().to_owned())
        })
    };
    // Every line written inside a request's handling (its `http` span) has the request's id.
    let in_requests: Vec<&Value> = lines
        .iter()
        .filter(|line| line["spans"].as_array().is_some_and(|s| !s.is_empty()))
        .collect();
    for line in &in_requests {
        assert!(
            request_id(line).is_some(),
            "a request's line without its id: {line}"
        );
    }
    for id in ["probe-42", new_id.as_str(), fresh_id.as_str()] {
        assert!(
            in_requests
                .iter()
                .any(|line| request_id(line).as_deref() == Some(id)),
            "no log line of request {id}"
        );
    }
}

/// `check-config` prints the settings a start would use, flag over variable over file over
/// default, the secrets masked; a bad file fails with the key at fault. It creates nothing.
#[test]
fn check_config_shows_the_effective_settings_or_the_key_at_fault() {
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("relais.toml");
    let data = dir.path().join("never-created");
    std::fs::write(
        &config,
        format!(
            "data = {:?}\nlisten = \"127.0.0.1:9000\"\nbody_timeout = 5\nheader_timeout = 9\n\
             metrics_token = \"s3cret-token\"\n",
            data.to_str().unwrap()
        ),
    )
    .unwrap();
    // Settings flags before the task, as for serving, or after it.
    let check = |args: &[&str], env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_relais-server"))
            .args(args)
            .args(["check-config", "--config", config.to_str().unwrap()])
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let output = check(&["--body-timeout", "7"], &[("RELAIS_HEADER_TIMEOUT", "11")]);
    let after = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args([
            "check-config",
            "--config",
            config.to_str().unwrap(),
            "--body-timeout",
            "7",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&after.stdout).contains("body_timeout = 7\n"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "listen = \"127.0.0.1:9000\"",
        "body_timeout = 7",
        "header_timeout = 11",
        "max_connections = 4096",
        "metrics_token = \"********\"",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no {line:?} in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("s3cret"), "{stdout}");
    assert!(!data.exists(), "check-config created the data directory");

    std::fs::write(&config, "listen = \"127.0.0.1:9000\"\nmax_conections = 5\n").unwrap();
    let output = check(&[], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("max_conections") && stderr.contains("relais.toml"),
        "{stderr}"
    );

    std::fs::write(&config, "listen = \"nowhere\"\n").unwrap();
    let output = check(&[], &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("listen:"), "{stderr}");
}

/// `tenant retention` sets how long closed requests keep their citizen, never shorter than the
/// town's reopen window, and records who changed it in the audit log.
#[test]
fn a_retention_shorter_than_the_reopen_window_is_refused() {
    let data = TempDir::new().unwrap();
    let retention = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_relais-server"))
            .args(["--demo", "--data"])
            .arg(data.path())
            .args(["tenant", "retention", "--tenant", "demo"])
            .args(args)
            .output()
            .unwrap()
    };
    let stored = || -> Option<i64> {
        rusqlite::Connection::open(data.path().join("relais.db"))
            .unwrap()
            .query_row(
                "SELECT retention_days FROM tenants WHERE id = 'demo'",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    let refused = retention(&["--days", "7"]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("reopen window"), "{why}");
    assert_eq!(stored(), None, "a refusal changes nothing");

    let set = retention(&["--days", "365"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert_eq!(stored(), Some(365));
    let kept = retention(&["--keep"]);
    assert!(kept.status.success());
    assert_eq!(stored(), None);
    let audited: i64 = rusqlite::Connection::open(data.path().join("relais.db"))
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.retention'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}
