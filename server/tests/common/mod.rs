//! Test harness: the real server (router, SQLite file, demo seed) on `127.0.0.1:0` in a temporary
//! data directory, and small helpers to speak the protocol to it.
#![allow(dead_code)] // Each test binary uses a different subset of the helpers.

use std::path::PathBuf;
use std::time::Duration;

use relais_protocol::Registered;
use relais_server::{LogFormat, Settings, launch};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Hôtel de Ville, in the 4th arrondissement.
pub const PARIS: (f64, f64) = (48.8566, 2.3522);
/// Clermont-Ferrand, outside Paris.
pub const OUTSIDE: (f64, f64) = (45.78, 3.08);
pub const CATEGORY: &str = "autres_encombrants_abandonnes";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    data_dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the demo tenant and waits until it answers its health check.
    pub async fn start() -> Self {
        let data_dir = TempDir::new().unwrap();
        let settings = Settings {
            data_dir: data_dir.path().to_owned(),
            listen: "127.0.0.1:0".into(),
            demo: true,
            log_format: LogFormat::Text,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            launch(&settings, listener, async {
                let _ = stop.await;
            })
            .await
        });
        let server = Self {
            base,
            client: reqwest::Client::new(),
            data_dir,
            shutdown: Some(shutdown),
            task: Some(task),
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&self) {
        for _ in 0..100 {
            if let Ok(response) = self.client.get(self.url("/healthz")).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become healthy");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.path().join("relais.db")
    }

    /// Registers a device of the demo tenant.
    pub async fn register(&self) -> Registered {
        let response = self
            .client
            .post(self.url("/v1/demo/devices"))
            .json(&json!({"platform": "linux", "app_version": "test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    pub async fn push(&self, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/v1/demo/sync/push"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Pulls from `cursor` and returns the raw body text (to look for leaks) and its JSON.
    pub async fn pull(&self, token: &str, cursor: &str) -> (String, Value) {
        let response = self
            .client
            .get(self.url("/v1/demo/sync/pull"))
            .query(&[("cursor", cursor)])
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap();
        (text, json)
    }

    /// Stops the server, waiting for the requests in flight.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

pub fn create_report(seq: u64, report_id: Uuid, (lat, lon): (f64, f64)) -> Value {
    json!({
        "seq": seq,
        "mutation_id": Uuid::now_v7(),
        "op": {
            "type": "create_report",
            "report_id": report_id,
            "category": CATEGORY,
            "location": {"lat": lat, "lon": lon, "accuracy_m": 8.0},
            "text": "Un matelas abandonné sur le trottoir",
            "created_at_ms": 1_700_000_000_000_i64,
        }
    })
}

pub fn batch(mutations: Vec<Value>) -> Value {
    json!({ "mutations": mutations })
}

/// The ids of the reports in a pull answer.
pub fn pulled_ids(pull: &Value) -> Vec<String> {
    pull["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["report"]["id"].as_str().unwrap().to_owned())
        .collect()
}
