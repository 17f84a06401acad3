//! Test harness: the real server (router, SQLite file, demo seed) on `127.0.0.1:0` in a temporary
//! data directory, and small helpers to speak the protocol to it.
#![allow(dead_code)] // Each test binary uses a different subset of the helpers.

use std::path::PathBuf;
use std::time::Duration;

use relais_protocol::Registered;
use relais_server::{Connections, Settings, launch};
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
        Self::start_with(Connections::default()).await
    }

    /// The same, with other connection settings (timeouts, limits, the metrics token).
    pub async fn start_with(connections: Connections) -> Self {
        Self::start_storing(connections, None).await
    }

    /// A server with the demo tenant storing in the PostgreSQL database `url` (several servers
    /// may share it), with its own data directory for its photos.
    pub async fn start_on(url: &str) -> Self {
        Self::start_storing(Connections::default(), Some(url.to_owned())).await
    }

    async fn start_storing(connections: Connections, database: Option<String>) -> Self {
        let data_dir = TempDir::new().unwrap();
        let settings = Settings {
            database,
            connections,
            ..Settings::local(data_dir.path().to_owned(), true)
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

    /// Removes the demo's extra questions (what most tests are not about), as another server
    /// changing the catalogue would: the catalogue version moves on, so the running server
    /// reloads it.
    pub fn without_questions(&self) {
        without_questions_in(self.data_dir());
    }

    /// Registers a citizen device of the demo tenant that follows every arrondissement (so
    /// every zone): its pulls show every report, as the public sees them.
    pub async fn observer(&self) -> Registered {
        let device = self.register().await;
        let mutations: Vec<Value> = (1..=20)
            .map(|n| {
                json!({"seq": n, "mutation_id": Uuid::now_v7(),
                       "op": {"type": "follow_zone", "zone": format!("751{n:02}")}})
            })
            .collect();
        let response = self
            .push(&device.token, &json!({ "mutations": mutations }))
            .await;
        assert_eq!(response.status(), 200);
        device
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

/// The ids of the reports in a pull answer (other kinds of change, such as the device's
/// followed zones, are left out).
pub fn pulled_ids(pull: &Value) -> Vec<String> {
    pull["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|change| change["kind"] == "report")
        .map(|change| change["report"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Lowercase hex SHA-256: a photo's name, or a chunk's checksum.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A real JPEG of at least `len` bytes (a little more), as a device's photo pipeline makes them:
/// no metadata, at most 2048 px; its noise differs with `seed`.
pub fn fake_jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_le_bytes()[0]
    };
    // Noise at quality 90 takes about 2.5 bytes a pixel: start below, grow until long enough.
    let mut height = u32::try_from(len / (2048 * 3)).unwrap().clamp(1, 2048);
    loop {
        let image =
            image::RgbImage::from_fn(2048, height, |_, _| image::Rgb([noise(), noise(), noise()]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&image)
            .unwrap();
        if out.len() >= len || height == 2048 {
            return out;
        }
        height = (height + height / 8 + 1).min(2048);
    }
}

impl TestServer {
    /// `PATCH /v1/{tenant}/uploads/{sha256}` with a correct checksum of `chunk`.
    pub async fn patch_upload(
        &self,
        tenant: &str,
        token: &str,
        sha256: &str,
        offset: usize,
        length: usize,
        chunk: &[u8],
    ) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("/v1/{tenant}/uploads/{sha256}")))
            .bearer_auth(token)
            .header("upload-offset", offset.to_string())
            .header("upload-length", length.to_string())
            .header("upload-checksum", format!("sha256 {}", sha256_hex(chunk)))
            .header("content-type", "application/offset+octet-stream")
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// `GET /v1/{tenant}/uploads/{sha256}`: `(offset, complete)`.
    pub async fn upload_status(&self, tenant: &str, token: &str, sha256: &str) -> (u64, bool) {
        let response = self
            .client
            .get(self.url(&format!("/v1/{tenant}/uploads/{sha256}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let status: Value = response.json().await.unwrap();
        (
            status["offset"].as_u64().unwrap(),
            status["complete"].as_bool().unwrap(),
        )
    }

    /// `GET` with a bearer token.
    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// Runs `relais-server --data DIR ARGS...` on the server's data directory, as the town's IT
    /// would, with `stdin` as its standard input; returns its standard output, or panics with
    /// its error.
    pub fn admin(&self, args: &[&str], stdin: &str) -> String {
        let output = run_admin(self.data_dir(), args, stdin);
        assert!(
            output.status.success(),
            "relais-server {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs one statement on the server's database file, as an operator would.
    pub fn sql<P: rusqlite::Params>(&self, sql: &str, params: P) {
        rusqlite::Connection::open(self.database_path())
            .unwrap()
            .execute(sql, params)
            .unwrap();
    }

    /// Reads one value from the server's database file.
    pub fn query<T: rusqlite::types::FromSql, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> T {
        rusqlite::Connection::open(self.database_path())
            .unwrap()
            .query_row(sql, params, |row| row.get(0))
            .unwrap()
    }

    /// Creates a second town, `lyon`, in the same database (as an operator would) and
    /// registers a device there.
    pub async fn register_in_lyon(&self) -> Registered {
        let db = relais_server::Sqlite::open(&self.database_path())
            .await
            .unwrap();
        let tenant = r#"{"id":"lyon","name":"Lyon","services":[],"groups":[],"categories":[]}"#;
        let zones = r#"{"type":"FeatureCollection","features":[]}"#;
        relais_server::Database::seed(&db, relais_server::seed::parse(tenant, zones).unwrap())
            .await
            .unwrap();
        let response = self
            .client
            .post(self.url("/v1/lyon/devices"))
            .json(&json!({"platform": "linux", "app_version": "test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }
}

/// Runs `relais-server --data DATA ARGS...` with `stdin` as its standard input.
pub fn run_admin(data: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The `relais-server` binary serving `data` on a free port of 127.0.0.1, with `args` besides;
/// returns the process and its announced base URL. Its stderr (the logs) is piped when
/// `logs`, else dropped.
pub fn spawn_binary(
    data: &std::path::Path,
    args: &[&str],
    logs: bool,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(if logs { Stdio::piped() } else { Stdio::null() })
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

/// Stops a `relais-server` process with SIGTERM and checks it stops cleanly (status 0).
pub fn terminate(mut child: std::process::Child) {
    let pid = child.id().to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(signalled.success());
    assert!(child.wait().unwrap().success());
}

/// A device of the demo town speaking HTTP to a server at `base`, as a phone would (for the
/// servers a test starts as processes).
pub struct RemotePhone {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl RemotePhone {
    /// Registers a new device of the demo town.
    pub async fn register(base: &str) -> Self {
        let client = reqwest::Client::new();
        let response = client
            .post(format!("{base}/v1/demo/devices"))
            .json(&json!({"platform": "linux", "app_version": "test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let device: Registered = response.json().await.unwrap();
        Self {
            client,
            base: base.to_owned(),
            token: device.token,
        }
    }

    /// The same device, speaking to another server (restarted, restored).
    pub fn on(&self, base: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: base.to_owned(),
            token: self.token.clone(),
        }
    }

    /// Pushes `body` and returns the answer's JSON.
    pub async fn push(&self, body: &Value) -> Value {
        self.client
            .post(format!("{}/v1/demo/sync/push", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `GET` with the device's token.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// Sends the bytes `range` of `photo` as one upload chunk; the answer's JSON.
    pub async fn upload(&self, photo: &[u8], range: std::ops::Range<usize>) -> Value {
        let chunk = &photo[range.clone()];
        let response = self
            .client
            .patch(format!(
                "{}/v1/demo/uploads/{}",
                self.base,
                sha256_hex(photo)
            ))
            .bearer_auth(&self.token)
            .header("upload-offset", range.start.to_string())
            .header("upload-length", photo.len().to_string())
            .header("upload-checksum", format!("sha256 {}", sha256_hex(chunk)))
            .header("content-type", "application/offset+octet-stream")
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Sends `photos` whole in one bundle; the answer's JSON.
    pub async fn bundle(&self, photos: &[&[u8]]) -> Value {
        let names: Vec<String> = photos.iter().map(|photo| sha256_hex(photo)).collect();
        let listed = relais_protocol::upload::bundle_header(
            names
                .iter()
                .zip(photos)
                .map(|(name, photo)| (name.as_str(), photo.len())),
        );
        let response = self
            .client
            .post(format!("{}/v1/demo/uploads", self.base))
            .bearer_auth(&self.token)
            .header(relais_protocol::upload::UPLOAD_PHOTOS, listed)
            .header("content-type", "application/octet-stream")
            .body(photos.concat())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The reports this device filed, pulled page by page from the start.
    pub async fn own_reports(&self) -> Vec<String> {
        let (mut ids, mut cursor) = (Vec::new(), String::new());
        loop {
            let pull: Value = self
                .client
                .get(format!("{}/v1/demo/sync/pull", self.base))
                .query(&[("cursor", cursor.as_str()), ("limit", "1000")])
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.extend(pulled_ids(&pull));
            if pull["has_more"] != true {
                return ids;
            }
            cursor = pull["cursor"].as_str().unwrap().to_owned();
        }
    }
}

/// Removes the demo's extra questions from the database file of a server process (what most
/// tests are not about); the server reloads the catalogue when its version moves on.
pub fn without_questions_in(data: &std::path::Path) {
    rusqlite::Connection::open(data.join("relais.db"))
        .unwrap()
        .execute_batch(
            "UPDATE categories SET questions = '[]';
             UPDATE tenants SET catalogue_version = catalogue_version + 1;",
        )
        .unwrap();
}

/// The same for servers storing in the PostgreSQL database `url`.
pub async fn without_questions_on(url: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "UPDATE categories SET questions = '[]';
             UPDATE tenants SET catalogue_version = catalogue_version + 1;",
        )
        .await
        .unwrap();
}

/// A `create_report` listing `photos`.
pub fn create_report_with_photos(
    seq: u64,
    report_id: Uuid,
    point: (f64, f64),
    photos: &[&str],
) -> Value {
    let mut mutation = create_report(seq, report_id, point);
    mutation["op"]["photos"] = json!(photos);
    mutation
}
