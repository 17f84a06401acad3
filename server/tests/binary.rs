//! The `relais-server` binary as an operator runs it: the announced address, durability across a
//! SIGKILL, a clear refusal of a corrupt database, and
//! administration tasks that stop quietly when their reader does.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{PARIS, batch, create_report, pulled_ids};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// Starts the binary on a free port and returns it with its announced base URL.
fn spawn(data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("relais-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}

#[tokio::test]
async fn an_acknowledged_push_survives_a_sigkill() {
    let data = TempDir::new().unwrap();
    let client = reqwest::Client::new();
    let (mut child, base) = spawn(data.path());

    let device: Value = client
        .post(format!("{base}/v1/demo/devices"))
        .json(&json!({"platform": "linux", "app_version": "test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = device["token"].as_str().unwrap().to_owned();
    let report = Uuid::now_v7();
    let body = batch(vec![create_report(1, report, PARIS)]);
    let answer: Value = client
        .post(format!("{base}/v1/demo/sync/push"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "applied");

    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let (mut child, base) = spawn(data.path());
    let retry: Value = client
        .post(format!("{base}/v1/demo/sync/push"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retry["results"][0]["outcome"], "already_applied");
    let pull: Value = client
        .get(format!("{base}/v1/demo/sync/pull"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pulled_ids(&pull), [report.to_string()]);

    // SIGTERM is a graceful stop: exit status 0.
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    assert!(child.wait().unwrap().success());
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
