//! Read-only SQL over the stores the invariants are read from: the server's database, SQLite
//! or PostgreSQL, and the devices' SQLite stores. Why: the invariants are one set of queries
//! whichever backend the server runs on, so each is written once, in SQL both understand
//! (`?1`, `?2`... parameters, text columns compared with text), and every value comes back as
//! text (integers in decimal), which spares the checks the two drivers' types.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

/// A read-only connection to one store.
pub enum Reader<'a> {
    Sqlite(Connection),
    /// A connection driven by the runtime of the simulated server.
    Postgres {
        client: tokio_postgres::Client,
        runtime: &'a tokio::runtime::Runtime,
    },
}

impl<'a> Reader<'a> {
    /// The SQLite database file at `path`, opened read-only.
    pub fn sqlite(path: &std::path::Path) -> Self {
        Self::Sqlite(Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap())
    }

    /// The PostgreSQL database `url` names, on a connection of its own that `runtime` drives.
    pub fn postgres(url: &str, runtime: &'a tokio::runtime::Runtime) -> Self {
        let (client, connection) = runtime
            .block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))
            .unwrap();
        runtime.spawn(connection);
        Self::Postgres { client, runtime }
    }

    /// The rows of `sql`, with `params` for `?1`, `?2`..., its `N` columns as text. A NULL is
    /// a bug of the query (`COALESCE` what may be missing).
    pub fn rows<const N: usize>(&self, sql: &str, params: &[&str]) -> Vec<[String; N]> {
        let rows: Vec<Vec<String>> = match self {
            Self::Sqlite(db) => {
                let mut statement = db.prepare(sql).unwrap();
                let columns = statement.column_count();
                statement
                    .query_map(rusqlite::params_from_iter(params), |row| {
                        (0..columns).map(|i| Ok(text(row.get_ref(i)?))).collect()
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Self::Postgres { client, runtime } => {
                // The simple query protocol answers in text; its parameters are literals.
                assert!(params.iter().all(|p| !p.contains('?')), "{params:?}");
                let sql = (1..=params.len()).rev().fold(sql.to_owned(), |sql, i| {
                    sql.replace(&format!("?{i}"), &literal(params[i - 1]))
                });
                runtime
                    .block_on(client.simple_query(&sql))
                    .unwrap()
                    .into_iter()
                    .filter_map(|message| match message {
                        tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).expect("no NULL").to_owned())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        };
        rows.into_iter()
            .map(|row| <[String; N]>::try_from(row).expect("as many columns as asked for"))
            .collect()
    }

    /// The one integer `sql` selects (a count).
    pub fn count(&self, sql: &str, params: &[&str]) -> i64 {
        let [count] = &self.rows(sql, params)[0];
        count.parse().unwrap()
    }
}

/// A SQLite value as PostgreSQL's text protocol would give it.
fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => r.to_string(),
        ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
        ValueRef::Null | ValueRef::Blob(_) => panic!("a NULL or a blob where text was expected"),
    }
}

/// `value` as a PostgreSQL string literal (`standard_conforming_strings`, the default since
/// 9.1: only quotes are doubled).
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
