//! Every statement of a write, of a pull (the storage crate's `sample`) and of the hourly upkeep
//! (the expiry of closed reports from scopes, the retention's unlinking), run on a real file and
//! checked with `EXPLAIN QUERY PLAN`: none may scan a table, nor search one by its town alone
//! (the whole town's rows), so that the cost of a push, a pull page or an expired report does
//! not grow with the history. (The upkeep reads the tenants table whole: one row per town.) The
//! duplicate lookup is also checked to start from the originals' key, and a page's bucket reads
//! to be covered by their index.

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
/// `json_each` list or a small derived table, is fine) or read all of a town's rows of one (a
/// search on `tenant_id` alone; the tenants table itself is one row per town).
fn scans(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map([], |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .filter(|detail| {
            let scan = detail.starts_with("SCAN")
                && !detail.contains("json_each")
                && !detail.starts_with("SCAN (subquery")
                && !detail.starts_with("SCAN tenants");
            scan || (detail.starts_with("SEARCH") && detail.ends_with("(tenant_id=?)"))
        })
        .collect()
}

#[tokio::test]
async fn every_statement_of_a_write_a_pull_and_the_upkeep_uses_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relais.db");
    let db = Sqlite::open(&path).await.unwrap();
    let people = sample::populate(&db).await.unwrap();
    drop(db);

    // Configured as the server's connections are.
    let mut conn = crate::open_connection(&path).unwrap();
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
    // The upkeep a year later, the town keeping its requests' links for a day: the sample's
    // closed reports are unlinked from their reporters and expired from the scopes.
    crate::retention::set(&conn, "t", Some(1)).unwrap();
    let later = plan.now_ms + 365 * 86_400_000;
    let unlinked = crate::retention::unlink_closed(&conn, later).unwrap();
    assert!(
        matches!(&unlinked[..], [(town, n)] if town == "t" && *n > 0),
        "{unlinked:?}"
    );
    assert!(crate::pull::expire(&conn, later).unwrap() > 0);
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
