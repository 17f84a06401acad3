//! `--database URL`: the PostgreSQL side of the benchmarks. Each run gets fresh databases on the
//! server `URL` names (the server under test starts on an empty one, migrates and seeds it),
//! and the raw baseline of `--reports`: the same rows as the benchmark's reports inserted
//! straight into one PostgreSQL table in one transaction (prepared statement, UUIDv7 keys), what
//! PostgreSQL alone costs on this machine, in this run.

use std::time::{Duration, Instant};

use anyhow::Context;

use crate::workload::{self, ACCURACY_M, CATEGORY};

/// A new empty database on the server of `url`; its URL.
pub fn fresh_database(url: &str) -> anyhow::Result<String> {
    runtime()?
        .block_on(relais_server_postgres::testing::fresh_database(url))
        .with_context(|| format!("creating a database on {url}"))
}

/// Inserts the `n` reports of the `--reports` series into a table of a new database on the
/// server of `url`, in one transaction, and returns how long it took.
pub fn raw_insert(url: &str, n: u32) -> anyhow::Result<Duration> {
    let url = fresh_database(url)?;
    runtime()?.block_on(async {
        let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(
                "CREATE TABLE reports (id TEXT PRIMARY KEY, category TEXT, lat DOUBLE PRECISION,
                                       lon DOUBLE PRECISION, accuracy DOUBLE PRECISION,
                                       text TEXT, created_at BIGINT)",
            )
            .await?;
        let started = Instant::now();
        let tx = client.transaction().await?;
        let insert = tx
            .prepare("INSERT INTO reports VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .await?;
        for i in 0..n {
            let (lat, lon) = workload::point(i);
            tx.execute(
                &insert,
                &[
                    &uuid::Uuid::now_v7().to_string(),
                    &CATEGORY,
                    &lat,
                    &lon,
                    &ACCURACY_M,
                    &workload::text(i),
                    &workload::now_ms(),
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(started.elapsed())
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
