//! Several `relais-server`s on one PostgreSQL database, over real HTTP on 127.0.0.1 (each server
//! a real listener and router in this process, with its own data directory): the sync tests
//! (push, pull, exactly-once) across servers, and what a load balancer in front of them must be
//! able to count on: two servers starting at once migrate the database once; a device's retry
//! reaching both servers at once is applied once; a reader pulling from either server while
//! both take pushes never skips a change.
//!
//! Each test creates a fresh database on the server `RELAIS_TEST_POSTGRES` names
//! (`scripts/postgres` starts a private one); without it they say they were skipped.

mod common;

use std::sync::Arc;

use common::{PARIS, TestServer, batch, create_report, pulled_ids};
use relais_server_postgres::testing::{fresh_database, test_server};
use serde_json::Value;
use uuid::Uuid;

/// A fresh database for `test`, or `None` when no PostgreSQL server is named.
async fn database(test: &str) -> Option<String> {
    let server = test_server(test)?;
    Some(fresh_database(&server).await.unwrap())
}

/// The number `sql` counts in the database `url`.
async fn count(url: &str, sql: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// How many migrations the PostgreSQL backend ships: the SQL files of its folder.
fn migrations() -> i64 {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/postgres/migrations");
    let files = std::fs::read_dir(folder).unwrap().count();
    i64::try_from(files).unwrap()
}

/// Two servers sharing the database `url`, started at once.
async fn two_servers(url: &str) -> (Arc<TestServer>, Arc<TestServer>) {
    let (a, b) = tokio::join!(TestServer::start_on(url), TestServer::start_on(url));
    (Arc::new(a), Arc::new(b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_starting_at_once_on_an_empty_database_migrate_and_seed_it_once() {
    let Some(url) = database("two_servers_starting_at_once").await else {
        return;
    };
    let (a, b) = two_servers(&url).await;
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM relais_migrations").await,
        migrations()
    );
    assert_eq!(count(&url, "SELECT COUNT(*) FROM tenants").await, 1);
    assert_eq!(
        count(
            &url,
            "SELECT catalogue_version FROM tenants WHERE id = 'demo'"
        )
        .await,
        1
    );
    // A third server, later, finds everything done.
    let c = TestServer::start_on(&url).await;
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM relais_migrations").await,
        migrations()
    );
    for server in [&a, &b] {
        let response = server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_to_one_server_is_a_no_op_when_retried_on_the_other_and_pulled_from_both() {
    let Some(url) = database("a_push_to_one_server_is_a_no_op").await else {
        return;
    };
    let (a, b) = two_servers(&url).await;
    let device = a.register().await;
    let report = Uuid::now_v7();
    let body = batch(vec![create_report(1, report, PARIS)]);
    let first: Value = a.push(&device.token, &body).await.json().await.unwrap();
    assert_eq!(first["results"][0]["outcome"], "applied");
    let retry = b.push(&device.token, &body).await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["results"][0]["outcome"], "already_applied");
    assert_eq!(retry["last_seq"], 1);

    // A gap is refused by either server, and changes nothing.
    let gap = b
        .push(
            &device.token,
            &batch(vec![create_report(3, Uuid::now_v7(), PARIS)]),
        )
        .await;
    assert_eq!(gap.status(), 409);

    for (server, other) in [(&a, &b), (&b, &a)] {
        let (_, pull) = server.pull(&device.token, "").await;
        assert_eq!(pulled_ids(&pull), [report.to_string()]);
        let cursor = pull["cursor"].as_str().unwrap();
        // A cursor of one server is good on the other.
        let (_, again) = other.pull(&device.token, cursor).await;
        assert_eq!(again["reset"], false);
        assert_eq!(pulled_ids(&again), Vec::<String>::new());
    }
    assert_eq!(count(&url, "SELECT COUNT(*) FROM reports").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_devices_retry_reaching_both_servers_at_once_is_applied_once() {
    let Some(url) = database("a_devices_retry_reaching_both_servers_at_once").await else {
        return;
    };
    let (a, b) = two_servers(&url).await;
    let device = a.register().await;
    let rounds = 20;
    for seq in 1..=rounds {
        let body = batch(vec![create_report(seq, Uuid::now_v7(), PARIS)]);
        let (on_a, on_b) = tokio::join!(a.push(&device.token, &body), b.push(&device.token, &body));
        let mut outcomes = Vec::new();
        for response in [on_a, on_b] {
            assert_eq!(response.status(), 200);
            let answer: Value = response.json().await.unwrap();
            assert_eq!(answer["last_seq"], seq);
            outcomes.push(answer["results"][0]["outcome"].as_str().unwrap().to_owned());
        }
        outcomes.sort();
        assert_eq!(outcomes, ["already_applied", "applied"], "round {seq}");
    }
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM reports").await,
        i64::try_from(rounds).unwrap()
    );
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM device_mutations").await,
        i64::try_from(rounds).unwrap()
    );
}

/// Pulls from `servers` in turn from `cursor` until the last page, adding the reports seen.
async fn pull_all(
    servers: &[&TestServer],
    token: &str,
    cursor: &mut String,
    seen: &mut Vec<String>,
) {
    let mut turn = 0;
    loop {
        let server = servers[turn % servers.len()];
        turn += 1;
        let response: Value = server
            .client
            .get(server.url("/v1/demo/sync/pull"))
            .query(&[("cursor", cursor.as_str()), ("limit", "7")])
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(response["reset"], false);
        seen.extend(pulled_ids(&response));
        *cursor = response["cursor"].as_str().unwrap().to_owned();
        if response["has_more"] == false {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_pulling_while_two_servers_take_pushes_never_skips_a_change() {
    let Some(url) = database("a_reader_pulling_while_two_servers_take_pushes").await else {
        return;
    };
    let (a, b) = two_servers(&url).await;
    let reader = a.observer().await;
    let writers: usize = 8;
    let per_writer: u64 = 12;
    let done = Arc::new(tokio::sync::Notify::new());
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        let (done, finished) = (Arc::clone(&done), Arc::clone(&finished));
        tasks.push(tokio::spawn(async move {
            let device = a.register().await;
            let mut pushed = Vec::new();
            for seq in 1..=per_writer {
                let id = Uuid::now_v7();
                // Each writer alternates servers, so both take pushes at once.
                let server = if (seq % 2 == 0) == (writer % 2 == 0) {
                    &a
                } else {
                    &b
                };
                let answer = server
                    .push(&device.token, &batch(vec![create_report(seq, id, PARIS)]))
                    .await;
                assert_eq!(answer.status(), 200);
                pushed.push(id.to_string());
            }
            if finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == writers {
                done.notify_one();
            }
            pushed
        }));
    }
    // The reader pulls from both servers in turn while the pushes go on, then once more after
    // the last: a change stamped below its cursor but committed after its pull would be lost.
    let mut cursor = String::new();
    let mut seen = Vec::new();
    let all_done = done.notified();
    tokio::pin!(all_done);
    loop {
        pull_all(&[&b, &a], &reader.token, &mut cursor, &mut seen).await;
        tokio::select! {
            () = &mut all_done => break,
            () = tokio::task::yield_now() => {}
        }
    }
    pull_all(&[&a, &b], &reader.token, &mut cursor, &mut seen).await;
    let mut pushed = Vec::new();
    for task in tasks {
        pushed.extend(task.await.unwrap());
    }
    pushed.sort();
    seen.sort();
    seen.dedup();
    assert_eq!(pushed.len(), writers * usize::try_from(per_writer).unwrap());
    assert_eq!(seen, pushed, "every pushed report reaches the reader");
}
