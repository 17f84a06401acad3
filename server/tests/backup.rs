//! `relais-server backup` and `restore` as an operator runs them: a backup taken from the
//! binary's data directory while that server serves a device that keeps pushing, restored into
//! a new directory, served by a new server that gives the reports and photos back over HTTP.
//! The same on PostgreSQL (`--database`, `pg_dump` and `pg_restore`), restored into a fresh
//! database on the server `RELAIS_TEST_POSTGRES` names (`scripts/postgres` starts one).

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use relais_server_postgres::testing::{fresh_database, test_server};

use common::{
    PARIS, RemotePhone, batch, create_report, create_report_with_photos, fake_jpeg, sha256_hex,
    spawn_binary, terminate, without_questions_in, without_questions_on,
};
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

/// Pushes `mutation` alone and checks it was applied.
async fn file(phone: &RemotePhone, mutation: Value) {
    let answer = phone.push(&batch(vec![mutation])).await;
    assert_eq!(answer["results"][0]["outcome"], "applied", "{answer}");
}

/// `--database URL`, or nothing for the data directory's SQLite file.
fn storage(database: Option<&str>) -> Vec<&str> {
    database.map_or_else(Vec::new, |url| vec!["--database", url])
}

fn admin(data: &Path, database: Option<&str>, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(data)
        .args(storage(database))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_server_that_serves_it() {
    backup_while_serving(None, None).await;
}

#[tokio::test]
async fn a_postgres_backup_taken_while_serving_restores_into_a_server_that_serves_it() {
    let Some(server) = test_server("a_postgres_backup_taken_while_serving") else {
        return;
    };
    let (live, empty) = (
        fresh_database(&server).await.unwrap(),
        fresh_database(&server).await,
    );
    backup_while_serving(Some(&live), Some(&empty.unwrap())).await;
}

/// Backs up a server storing in `database` (or its data directory) while it serves, and
/// restores into a new data directory (and the empty `restored_database`).
async fn backup_while_serving(database: Option<&str>, restored_database: Option<&str>) {
    let data = TempDir::new().unwrap();
    let mut args = storage(database);
    args.push("--demo");
    let (server, base) = spawn_binary(data.path(), &args, false);
    match database {
        None => without_questions_in(data.path()),
        Some(url) => without_questions_on(url).await,
    }

    let phone = Arc::new(RemotePhone::register(&base).await);
    let photos: Vec<Vec<u8>> = (1..=3).map(|seed| fake_jpeg(30_000, seed)).collect();
    let mut before = Vec::new();
    for (seq, photo) in (1..).zip(&photos) {
        assert_eq!(phone.upload(photo, 0..photo.len()).await["complete"], true);
        let id = Uuid::now_v7();
        let sha = sha256_hex(photo);
        file(&phone, create_report_with_photos(seq, id, PARIS, &[&sha])).await;
        before.push(id.to_string());
    }

    // The phone keeps filing while the backup runs.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = tokio::spawn({
        let (phone, writing) = (Arc::clone(&phone), Arc::clone(&writing));
        async move {
            let mut filed = Vec::new();
            let mut seq = 4;
            while writing.load(Ordering::Relaxed) || filed.is_empty() {
                let id = Uuid::now_v7();
                file(&phone, create_report(seq, id, PARIS)).await;
                filed.push(id.to_string());
                seq += 1;
            }
            filed
        }
    });
    let archive = data
        .path()
        .parent()
        .unwrap()
        .join(format!("relais-backup-{}.tar", Uuid::now_v7()));
    let backup = {
        let (data, archive) = (data.path().to_owned(), archive.clone());
        let database = database.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let archive = archive.to_str().unwrap();
            admin(&data, database.as_deref(), &["backup", "--out", archive])
        })
        .await
        .unwrap()
    };
    writing.store(false, Ordering::Relaxed);
    let during = writer.await.unwrap();
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("3 photos"), "{said}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the archive is private");
    }

    // Restoring over the live directory is refused, and changes nothing.
    let restore = ["restore", "--from", archive.to_str().unwrap()];
    let refused = admin(data.path(), database, &restore);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("already serves"), "{why}");

    let restored = TempDir::new().unwrap();
    let into = restored.path().join("data");
    if database.is_some() {
        // Into the live database (from a new directory): refused, it holds tables.
        let live = admin(&restored.path().join("elsewhere"), database, &restore);
        let why = String::from_utf8_lossy(&live.stderr);
        assert!(why.contains("tables already"), "{why}");
    }
    let done = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(storage(restored_database))
        .args(restore)
        .arg("--data-dir")
        .arg(&into)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    // A second restoration into the same directory would overwrite it: refused.
    let again = admin(&into, restored_database, &restore);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));

    let all_filed = phone.own_reports().await;
    terminate(server);
    std::fs::remove_file(&archive).unwrap();

    // The restored server knows the phone, its reports filed before the backup and some of
    // those filed during it (a consistent prefix), and serves the photos byte for byte.
    let (server, base) = spawn_binary(&into, &storage(restored_database), false);
    let phone = phone.on(&base);
    let back = phone.own_reports().await;
    for id in &before {
        assert!(
            back.contains(id),
            "report {id} filed before the backup is missing"
        );
    }
    let kept_during: Vec<&String> = during.iter().filter(|id| back.contains(id)).collect();
    assert_eq!(
        back.len(),
        before.len() + kept_during.len(),
        "the restored server holds only reports that were filed"
    );
    // Consistent: the reports kept from during the backup are the first ones filed.
    assert_eq!(
        kept_during,
        during.iter().take(kept_during.len()).collect::<Vec<_>>()
    );
    assert!(back.iter().all(|id| all_filed.contains(id)));
    for photo in &photos {
        let response = phone
            .get(&format!("/v1/demo/photos/{}", sha256_hex(photo)))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().as_ref(), photo.as_slice());
    }
    terminate(server);
}
