//! Every statement of a write and of a pull (the storage crate's `sample`), run on a real file
//! and checked with `EXPLAIN QUERY PLAN`: none may scan a table (each must find its rows through
//! an index), so that the cost of a push or a pull page does not grow with the history. (The
//! hourly expiry reads the tenants table whole: it is not on these paths.) The duplicate lookup
//! is also checked to start from the originals' key, and a page's bucket reads to be covered by
//! their index.

use std::sync::Mutex;

use relais_server_database::{Position, sample};
use rusqlite::Connection;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::Sqlite;

/// The statements run while recording.
static RECORDED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(event: TraceEvent<'_>) {
    // With its parameters written in, so that the plan can be asked as is.
    if let TraceEvent::Stmt(statement, sql) = event {
        let sql = statement.expanded_sql().unwrap_or_else(|| sql.to_owned());
        RECORDED.lock().unwrap().push(sql);
    }
}

/// The plan lines of `sql` that scan a real table (a scan of the statement's own input, a
/// `json_each` list or a small derived table, is fine).
fn scans(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map([], |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .filter(|detail| {
            detail.starts_with("SCAN")
                && !detail.contains("json_each")
                && !detail.starts_with("SCAN (subquery")
        })
        .collect()
}

#[tokio::test]
async fn every_statement_of_a_write_and_a_pull_uses_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relais.db");
    let db = Sqlite::open(&path).await.unwrap();
    let people = sample::populate(&db).await.unwrap();
    drop(db);

    let mut conn = Connection::open(&path).unwrap();
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
    let (query, plan) = sample::push(people);
    let tx = conn.transaction().unwrap();
    crate::facts::read(&tx, &query).unwrap();
    crate::write::apply(&tx, &plan).unwrap();
    tx.commit().unwrap();
    let scope = sample::scope(people.device);
    // An empty report cache for each page: every statement of a page runs.
    let cache = relais_server_database::ReportCache::default;
    crate::pull::page(&mut conn, &cache(), &scope, &Position::Start, 2).unwrap();
    crate::pull::page(
        &mut conn,
        &cache(),
        &scope,
        &Position::Everywhere {
            epoch: String::new(),
            seq: 1,
        },
        2,
    )
    .unwrap();
    conn.trace_v2(TraceEventCodes::empty(), None);

    let statements: Vec<String> = std::mem::take(&mut *RECORDED.lock().unwrap());
    assert!(statements.len() > 40, "{statements:#?}");
    let mut scanning = Vec::new();
    for sql in &statements {
        let sql = sql.trim();
        if ["BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"]
            .iter()
            .any(|word| sql.starts_with(word))
        {
            continue;
        }
        let found = scans(&conn, sql);
        if !found.is_empty() {
            scanning.push(format!("{found:?} in {sql}"));
        }
    }
    assert!(scanning.is_empty(), "{}", scanning.join("\n\n"));

    // A page reads each bucket's rows from the index alone, not from the table row by row.
    let bucket_reads = |sql: &str| sql.contains("FROM change_log") && sql.contains("ORDER BY seq");
    for (first, sql) in first_steps(&conn, &statements, bucket_reads, "a bucket") {
        assert!(
            first.starts_with("SEARCH change_log USING COVERING INDEX change_log_by_seq"),
            "a bucket is read with {first:?}: {sql}"
        );
    }

    // An index on every table is not enough: the duplicate lookup must start from the
    // originals' key (a few candidates), not from the town's recent reports probed one by one.
    let lookups = |sql: &str| sql.contains("FROM open_originals o");
    for (first, sql) in first_steps(&conn, &statements, lookups, "the originals") {
        assert!(
            first.starts_with("SEARCH o USING PRIMARY KEY"),
            "the duplicate lookup starts with {first:?}: {sql}"
        );
    }
}

/// The first plan step of each statement that `picks`, with the statement; the sample must run
/// at least one (it reads `what`).
fn first_steps<'s>(
    conn: &Connection,
    statements: &'s [String],
    picks: impl Fn(&str) -> bool,
    what: &str,
) -> Vec<(String, &'s str)> {
    let found: Vec<(String, &str)> = statements
        .iter()
        .filter(|sql| picks(sql))
        .map(|sql| {
            let first = conn
                .query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |row| row.get(3))
                .unwrap();
            (first, sql.as_str())
        })
        .collect();
    assert!(!found.is_empty(), "the sample reads no {what}");
    found
}
