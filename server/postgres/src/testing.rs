//! For tests and benchmarks on a live PostgreSQL server: the server that `RELAIS_TEST_POSTGRES`
//! names (a URL such as `postgres://relais@127.0.0.1:5432/postgres`, which `scripts/postgres`
//! sets for a private throwaway cluster), and a fresh empty database on it for each test.
//!
//! Without the variable, a test says it was skipped; under CI (`CI` set) a missing variable is
//! a failure instead, so that the PostgreSQL half of the suite cannot silently vanish there.

use relais_server_database::{DbError, DbResult};

/// The environment variable naming the test server.
pub const TEST_SERVER: &str = "RELAIS_TEST_POSTGRES";

/// The test server's URL, or `None` (after saying so on stderr) when there is none here.
///
/// # Panics
/// Under CI, when the variable is unset.
pub fn test_server(test: &str) -> Option<String> {
    match std::env::var(TEST_SERVER) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{TEST_SERVER} must name a PostgreSQL server under CI (see scripts/postgres)")
        }
        _ => {
            eprintln!(
                "skipped {test} on PostgreSQL: {TEST_SERVER} is unset (see scripts/postgres)"
            );
            None
        }
    }
}

/// Creates an empty database on the server `url` connects to, named `relais_` and a random
/// suffix, and returns its URL (`url` with its database replaced).
pub async fn fresh_database(url: &str) -> DbResult<String> {
    create_database(url, None).await
}

/// Creates a database on the server `url` connects to as a copy of the database `template`
/// names (on the same server, and which no one may be connected to), named as
/// [`fresh_database`] names one, and returns its URL: what seeding a database costs is paid
/// once, for the template.
pub async fn copy_database(url: &str, template: &str) -> DbResult<String> {
    create_database(url, Some(template)).await
}

/// Drops the database `database` names (a URL of [`fresh_database`] or [`copy_database`]),
/// closing the connections to it, through the server `url` connects to.
pub async fn drop_database(url: &str, database: &str) -> DbResult<()> {
    let name = database_name(database)?;
    execute(url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await
}

async fn create_database(url: &str, template: Option<&str>) -> DbResult<String> {
    let name = format!("relais_{}", uuid::Uuid::now_v7().simple());
    let template = match template {
        Some(template) => format!(" TEMPLATE {}", database_name(template)?),
        None => String::new(),
    };
    execute(url, &format!("CREATE DATABASE {name}{template}")).await?;
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base
        .rsplit_once('/')
        .filter(|(scheme, _)| !scheme.ends_with('/'))
        .map_or(base, |(server, _)| server);
    Ok(match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    })
}

/// The name of the database `url` names, one that [`create_database`] made (so a plain
/// identifier, safe in SQL).
fn database_name(url: &str) -> DbResult<String> {
    let config: tokio_postgres::Config = url.parse().map_err(backend)?;
    config
        .get_dbname()
        .filter(|name| {
            name.starts_with("relais_")
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(str::to_owned)
        .ok_or_else(|| DbError::Backend(format!("not a test database: {url}").into()))
}

/// Runs `sql` on the server `url` connects to, on a connection of its own.
async fn execute(url: &str, sql: &str) -> DbResult<()> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(backend)?;
    let driver = tokio::spawn(connection);
    let done = client.batch_execute(sql).await.map_err(backend);
    drop(client);
    let _ = driver.await;
    done
}

fn backend(e: tokio_postgres::Error) -> DbError {
    DbError::Backend(Box::new(e))
}
