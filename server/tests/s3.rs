//! Photos in an S3-compatible bucket (`--photos s3://BUCKET/PREFIX`), against a real S3 server:
//! `s3s-fs` from crates.io (`cargo install s3s-fs --version 0.14.1 --features binary`, which
//! .ci/run does), on 127.0.0.1. An upload resumed across a restart of the server, a bundle of
//! small photos, photos read back from the bucket, none of it in the data directory, and a bucket that does not answer
//! stopping the server at start; and two servers sharing one PostgreSQL database and the bucket,
//! where a photo uploaded through one is served by the other. Skipped, with a message, when
//! `s3s-fs` is not installed (or, for the two servers, when no PostgreSQL is named: see
//! scripts/postgres).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{
    PARIS, RemotePhone, batch, create_report_with_photos, fake_jpeg, sha256_hex, spawn_binary,
    terminate, without_questions_in, without_questions_on,
};
use relais_server_postgres::testing::{fresh_database, test_server};
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

const BUCKET: &str = "relais-photos";
const ACCESS_KEY: &str = "relais-test-key";
const SECRET_KEY: &str = "relais-test-secret";

/// The `s3s-fs` binary: `S3S_FS` or the one on the PATH or in cargo's bin folder.
fn s3s_fs() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return Some(path.into());
    }
    let candidates = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo/bin")));
    candidates
        .map(|dir| dir.join("s3s-fs"))
        .find(|path| path.is_file())
}

/// The `s3s-fs` binary, or `None` after saying the test is skipped. Under CI (`CI` set), where
/// .ci/run installs it, its absence fails the test instead.
fn s3s_fs_or_skip() -> Option<PathBuf> {
    let found = s3s_fs();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "s3s-fs is missing under CI: .ci/run should have installed it"
        );
        eprintln!(
            "SKIPPED: s3s-fs is not installed (cargo install s3s-fs --version 0.14.1 --features \
             binary --locked, as .ci/run does)"
        );
    }
    found
}

/// How many files are under `dir` (0 when it is missing).
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { files_under(&path) } else { 1 })
            .sum()
    })
}

/// A running `s3s-fs` with the bucket, killed when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
    root: TempDir,
}

impl S3Server {
    fn start(binary: &Path) -> Self {
        let root = TempDir::new().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Ready once it accepts connections (bounded: it starts in milliseconds).
        let ready = (0..200).any(|_| {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                false
            }
        });
        assert!(ready, "s3s-fs did not start");
        Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
        }
    }

    /// The settings that point a server at this bucket, under the prefix `town`.
    fn flags(&self) -> Vec<String> {
        [
            "--photos",
            &format!("s3://{BUCKET}/town"),
            "--s3-endpoint",
            &self.endpoint,
            "--s3-region",
            "us-east-1",
            "--s3-access-key-id",
            ACCESS_KEY,
            "--s3-secret-access-key",
            SECRET_KEY,
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn object(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.path().join(BUCKET).join(key)).ok()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path, s3: &S3Server) -> (Child, String) {
    serve_with(data, s3, &[])
}

/// [`serve`] with `more` settings.
fn serve_with(data: &Path, s3: &S3Server, more: &[&str]) -> (Child, String) {
    let mut args = vec!["--demo".to_owned()];
    args.extend(s3.flags());
    args.extend(more.iter().map(|arg| (*arg).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    spawn_binary(data, &args, false)
}

/// Where the server `phone` speaks to would resume the upload of `sha`.
async fn offset(phone: &RemotePhone, sha: &str) -> Value {
    let status: Value = phone
        .get(&format!("/v1/demo/uploads/{sha}"))
        .await
        .json()
        .await
        .unwrap();
    status["offset"].clone()
}

/// Checks that the servers `phones` speak to serve `photo`, and that it is an object of the
/// bucket under the prefix.
async fn served_from_the_bucket(s3: &S3Server, phones: &[&RemotePhone], photo: &[u8]) {
    let sha = sha256_hex(photo);
    for phone in phones {
        let read = phone.get(&format!("/v1/demo/photos/{sha}")).await;
        assert_eq!(read.status(), 200);
        assert_eq!(read.bytes().await.unwrap().as_ref(), photo);
    }
    assert_eq!(
        s3.object(&format!("town/photos/{sha}.jpg")).as_deref(),
        Some(photo)
    );
}

#[tokio::test]
async fn photos_go_to_the_bucket_and_an_upload_resumes_across_a_restart() {
    let Some(binary) = s3s_fs_or_skip() else {
        return;
    };
    let s3 = S3Server::start(&binary);
    let data = TempDir::new().unwrap();
    let (server, base) = serve(data.path(), &s3);
    without_questions_in(data.path());
    let phone = RemotePhone::register(&base).await;
    let photo = fake_jpeg(300_000, 7);
    let sha = sha256_hex(&photo);
    let half = photo.len() / 2;

    // The first half, then the server stops: the chunk waits in the bucket.
    let status = phone.upload(&photo, 0..half).await;
    assert_eq!(status["offset"], half);
    terminate(server);

    let (server, base) = serve(data.path(), &s3);
    let phone = phone.on(&base);
    assert_eq!(
        offset(&phone, &sha).await,
        half,
        "the restarted server resumes the upload"
    );
    let status = phone.upload(&photo, half..photo.len()).await;
    assert_eq!(status["complete"], true);
    // Two small photos in one bundle land in the bucket too.
    let small = [fake_jpeg(3_000, 8), fake_jpeg(4_000, 9)];
    let answer = phone.bundle(&[&small[0], &small[1]]).await;
    assert_eq!(answer["photos"][0]["stored"], true, "{answer}");
    assert_eq!(answer["photos"][1]["stored"], true, "{answer}");
    let names = [&sha, &sha256_hex(&small[0]), &sha256_hex(&small[1])];
    let report = create_report_with_photos(1, Uuid::now_v7(), PARIS, &names.map(String::as_str));
    let pushed = phone.push(&batch(vec![report])).await;
    assert_eq!(pushed["results"][0]["outcome"], "applied", "{pushed}");

    // The photos are objects of the bucket, under the prefix; the chunks are gone; nothing is
    // in the data directory.
    served_from_the_bucket(&s3, &[&phone], &photo).await;
    for photo in &small {
        served_from_the_bucket(&s3, &[&phone], photo).await;
    }
    assert_eq!(
        files_under(&s3.root.path().join(BUCKET).join("town/uploads")),
        0
    );
    assert!(!data.path().join("photos").exists());
    terminate(server);
}

#[tokio::test]
async fn two_servers_on_one_database_and_one_bucket_serve_each_others_photos() {
    let Some(binary) = s3s_fs_or_skip() else {
        return;
    };
    let Some(postgres) = test_server("two_servers_on_one_database_and_one_bucket") else {
        return;
    };
    let url = fresh_database(&postgres).await.unwrap();
    let s3 = S3Server::start(&binary);
    let (data_a, data_b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let (server_a, base_a) = serve_with(data_a.path(), &s3, &["--database", &url]);
    let (server_b, base_b) = serve_with(data_b.path(), &s3, &["--database", &url]);
    without_questions_on(&url).await;
    let on_a = RemotePhone::register(&base_a).await;
    let on_b = on_a.on(&base_b);
    let photo = fake_jpeg(300_000, 9);
    let sha = sha256_hex(&photo);
    let half = photo.len() / 2;

    // Half through one server, the rest through the other (a load balancer's choice).
    assert_eq!(on_a.upload(&photo, 0..half).await["offset"], half);
    assert_eq!(
        offset(&on_b, &sha).await,
        half,
        "the other server resumes the upload"
    );
    assert_eq!(
        on_b.upload(&photo, half..photo.len()).await["complete"],
        true
    );
    let report = create_report_with_photos(1, Uuid::now_v7(), PARIS, &[&sha]);
    let pushed = on_a.push(&batch(vec![report])).await;
    assert_eq!(pushed["results"][0]["outcome"], "applied", "{pushed}");

    // Each server serves the photo, from the bucket: neither data directory holds it.
    served_from_the_bucket(&s3, &[&on_a, &on_b], &photo).await;
    for data in [&data_a, &data_b] {
        assert_eq!(files_under(&data.path().join("photos")), 0);
        assert_eq!(files_under(&data.path().join("uploads")), 0);
    }
    terminate(server_a);
    terminate(server_b);
}

#[tokio::test]
async fn a_bucket_that_does_not_answer_stops_the_server_at_start() {
    let Some(binary) = s3s_fs_or_skip() else {
        return;
    };
    let s3 = S3Server::start(&binary);
    let data = TempDir::new().unwrap();
    let mut flags = s3.flags();
    // The right server, a wrong secret: refused at start, with the reason.
    *flags.last_mut().unwrap() = "not-the-secret".into();
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .args(&flags)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing announced");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("does not answer"), "{stderr}");
}
