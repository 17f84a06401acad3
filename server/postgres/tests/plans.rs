//! Every statement of a push, of a pull and of the hourly upkeep on PostgreSQL, checked with
//! `EXPLAIN` on a populated database: none may read reports or changes (or any table that grows
//! with the history) by a sequential scan, nor by an index range that is the whole town's (the
//! key's column after the town's left without a condition), nor look ids up by filtering them
//! out of a wider index range (`id = ANY` left to a filter: the range is the town's), so that
//! the cost of a push, a pull page or an expired report does not grow with the history.
//!
//! The statements are the ones the backend really sent, as `pg_stat_statements` recorded them
//! (`scripts/postgres` preloads it) while the storage crate's `sample` push and two pull pages
//! ran through the `Database` trait, after 2,000 reports were filed, and then the upkeep a year
//! later (the expiry of closed reports from scopes, the retention's unlinking). They are
//! explained before the tables were ever analysed (a database filling up before autovacuum's
//! first `ANALYZE`, where the planner guesses) and again after.
//! Each is prepared again and explained with its generic plan (`plan_cache_mode =
//! force_generic_plan`): the plan for any parameters, the one a pooled prepared statement uses.
//! Tables the sample leaves small (two devices, a few followers) are rightly read whole by the
//! planner at that size; `enable_seqscan = off` makes it take an index wherever one serves the
//! statement, so a sequential scan left in a plan is a statement no index can serve: one whose
//! cost grows with the table in a big town.

use relais_server_database::writes::Write;
use relais_server_database::{Database, FactsQuery, Plan, Position, sample};
use relais_server_postgres::Postgres;
use relais_server_postgres::testing::{fresh_database, test_server};
use serde_json::Value;
use std::collections::HashMap;
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

/// The size from which a table counts as filled by the sample's history, for [`town_ranges`]
/// (the change log and the reports are far larger; the supports, a few rows, far smaller).
const GROWN_BYTES: i64 = 64 * 1024;

/// Reports filed before the statements are recorded.
const HISTORY: usize = 2_000;
/// Reports filed by one write while populating.
const BATCH: usize = 500;

/// Tables that stay small whatever the history (a town's definition, its people), where a
/// sequential scan can be the cheapest plan.
const SMALL: [&str; 11] = [
    "tenants",
    "services",
    "category_groups",
    "categories",
    "zones",
    "routing_rules",
    "rejection_reasons",
    "reply_templates",
    "staff",
    "staff_services",
    "staff_zones",
];

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Stores `writes` in one transaction, as a push that decided them would.
async fn store(db: &Postgres, writes: Vec<Write>) {
    let plan = Plan {
        tenant: "t".into(),
        now_ms: 10,
        ledger: None,
        writes,
    };
    let query = FactsQuery {
        tenant: "t".into(),
        ..FactsQuery::default()
    };
    db.transact(query, move |_| Ok::<_, ()>((plan, ())))
        .await
        .unwrap()
        .unwrap();
}

/// The sequential scans of tables outside [`SMALL`] in the plan `node` (`EXPLAIN`'s JSON).
fn sequential_scans(node: &Value, found: &mut Vec<String>) {
    if node["Node Type"] == "Seq Scan" {
        let table = node["Relation Name"].as_str().unwrap_or_default();
        if !SMALL.contains(&table) {
            found.push(table.to_owned());
        }
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        sequential_scans(child, found);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_statement_of_a_push_or_a_pull_scans_the_history() {
    let Some(server) = test_server("no_statement_of_a_push_or_a_pull_scans_the_history") else {
        return;
    };
    let url = fresh_database(&server).await.unwrap();
    let check = connect(&url).await;
    let preloaded: String = check
        .query_one("SHOW shared_preload_libraries", &[])
        .await
        .unwrap()
        .get(0);
    if !preloaded.contains("pg_stat_statements") {
        assert!(
            std::env::var_os("CI").is_none(),
            "the test server must preload pg_stat_statements under CI (scripts/postgres does)"
        );
        eprintln!("skipped: the PostgreSQL server does not preload pg_stat_statements");
        return;
    }
    check
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .unwrap();

    let db = Postgres::open(&url).await.unwrap();
    let people = sample::populate(&db).await.unwrap();
    for batch in 0..HISTORY / BATCH {
        let writes = (0..BATCH)
            .map(|i| {
                let device = if (batch + i) % 2 == 0 {
                    people.device
                } else {
                    people.other
                };
                sample::report(Uuid::now_v7(), device, &device.to_string())
            })
            .collect();
        store(&db, writes).await;
    }
    check
        .batch_execute("SELECT pg_stat_statements_reset()")
        .await
        .unwrap();

    let (query, plan) = sample::push(people);
    let a_year_later = plan.now_ms + 365 * 86_400_000;
    db.transact(query, move |_| Ok::<_, ()>((plan, ())))
        .await
        .unwrap()
        .unwrap();
    let scope = sample::scope(people.device);
    let first = db
        .pull(scope.clone(), Position::Start, 2)
        .await
        .unwrap()
        .unwrap();
    assert!(first.has_more);
    let from = Position::PerBucket {
        epoch: first.epoch,
        seqs: first.seqs,
    };
    let next = db.pull(scope, from, 2).await.unwrap().unwrap();
    assert!(!next.reset);
    // The town keeps its requests' links for a day: the sample's closed reports are unlinked
    // from their reporters and expired from the scopes.
    assert!(db.set_retention("t", Some(1)).await.unwrap());
    assert!(!db.unlink_closed(a_year_later).await.unwrap().is_empty());
    assert!(db.expire(a_year_later).await.unwrap() > 0);

    let statements: Vec<String> = check
        .query(
            "SELECT query FROM pg_stat_statements \
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|START|SAVEPOINT|RELEASE)' \
               AND query !~* 'pg_stat_statements'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(statements.len() > 30, "{statements:#?}");
    check
        .batch_execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        .await
        .unwrap();
    // Before the tables were ever analysed (a town's database filling up before autovacuum's
    // first ANALYZE), then after.
    let mut problems = plan_problems(&check, &statements, "before ANALYZE").await;
    check.batch_execute("ANALYZE").await.unwrap();
    problems.extend(plan_problems(&check, &statements, "after ANALYZE").await);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// What is wrong with the generic plans of `statements`: a sequential scan of a table that grows
/// with the history, or a lookup by key whose ids are filtered out of a wider index range
/// instead of looked up (`id = ANY (...)` left to a filter: the range read is the town's).
async fn plan_problems(check: &Client, statements: &[String], when: &str) -> Vec<String> {
    let keys = index_keys(check).await;
    let mut problems = Vec::new();
    for sql in statements {
        check
            .batch_execute(&format!("PREPARE recorded AS {sql}"))
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
        let parameters: i32 = check
            .query_one(
                "SELECT cardinality(parameter_types) FROM pg_prepared_statements \
                 WHERE name = 'recorded'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        let nulls = vec!["NULL"; usize::try_from(parameters).unwrap()].join(", ");
        let arguments = if nulls.is_empty() {
            String::new()
        } else {
            format!("({nulls})")
        };
        let explained: Value = check
            .query_one(
                &format!("EXPLAIN (FORMAT JSON) EXECUTE recorded{arguments}"),
                &[],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
            .get(0);
        check.batch_execute("DEALLOCATE recorded").await.unwrap();
        let mut found = Vec::new();
        sequential_scans(&explained[0]["Plan"], &mut found);
        if !found.is_empty() {
            problems.push(format!("{when}: sequential scan of {found:?} in {sql}"));
        }
        let mut whole = Vec::new();
        town_ranges(&explained[0]["Plan"], &keys, &mut whole);
        if !whole.is_empty() {
            problems.push(format!(
                "{when}: the whole town read from {whole:?} in {sql}"
            ));
        }
        let mut filtered = Vec::new();
        filtered_keys(&explained[0]["Plan"], &mut filtered);
        if !filtered.is_empty() {
            problems.push(format!(
                "{when}: ids filtered, not looked up ({filtered:?}) in {sql}"
            ));
        }
    }
    problems
}

/// The key columns, in order, of every index on a table of [`GROWN_BYTES`] or more, by index
/// name.
async fn index_keys(check: &Client) -> HashMap<String, Vec<String>> {
    check
        .query(
            "SELECT i.relname::text, array_agg(a.attname::text ORDER BY k.ord)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_namespace n ON n.oid = i.relnamespace AND n.nspname = 'public'
             CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= x.indnkeyatts AND pg_relation_size(x.indrelid) >= $1
             GROUP BY i.relname",
            &[&GROWN_BYTES],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// The indexes of the plan `node`, on tables the sample's history filled (`keys`), read over a
/// whole town's range: the key's first column is the town's, and its second has no condition
/// (none at all, or only on a later column: PostgreSQL 15 then reads the town's range and
/// checks each entry). A table the sample leaves small (its few supports) is rightly read so.
fn town_ranges(node: &Value, keys: &HashMap<String, Vec<String>>, found: &mut Vec<String>) {
    let index = node["Index Name"].as_str().unwrap_or_default();
    if let Some(key) = keys.get(index) {
        // The columns the condition names: `((t.tenant_id = $1) AND (cell = ANY ($3)))`.
        let condition = node["Index Cond"].as_str().unwrap_or_default();
        let named: Vec<&str> = condition
            .split(" AND ")
            .filter_map(|term| term.trim_start_matches('(').split(' ').next())
            .map(|column| column.rsplit('.').next().unwrap_or(column))
            .collect();
        let by_town = key.first().is_some_and(|c| c == "tenant_id") && named.contains(&"tenant_id");
        if by_town
            && key
                .get(1)
                .is_none_or(|second| !named.contains(&second.as_str()))
        {
            found.push(index.to_owned());
        }
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        town_ranges(child, keys, found);
    }
}

/// The filters of the plan `node` that test a key column against a list of ids.
fn filtered_keys(node: &Value, found: &mut Vec<String>) {
    let filter = node["Filter"].as_str().unwrap_or_default();
    if [
        "(id = ANY",
        "(report_id = ANY",
        ".id = ANY",
        ".report_id = ANY",
    ]
    .iter()
    .any(|key| filter.contains(key))
    {
        found.push(filter.to_owned());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        filtered_keys(child, found);
    }
}
