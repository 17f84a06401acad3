//! The simulated server on PostgreSQL: with `RELAIS_SIM_BACKEND=postgres`, every seed's server
//! stores in a database of its own on the PostgreSQL server that `RELAIS_TEST_POSTGRES` names
//! (`scripts/postgres COMMAND` starts a throwaway one). Why: the two storage backends answer
//! the same routes with their own SQL, transactions and locks, and the seeds' combinations of
//! faults (crashes, retries, a restored backup) are as much a test of one as of the other.
//!
//! As the SQLite runs copy a template file, each seed's database is a copy of a template
//! database holding the demo town, seeded once per test process (seeding costs more than a
//! seed), and it is dropped with its seed, so that a thousand seeds leave no thousand databases.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use relais_server_postgres::testing;
use tokio::runtime::Runtime;

/// The environment variable choosing the simulated server's storage: `sqlite` (the default)
/// or `postgres`.
pub const BACKEND: &str = "RELAIS_SIM_BACKEND";

/// The PostgreSQL server the seeds' databases are made on, when [`BACKEND`] says `postgres`.
///
/// # Panics
/// [`BACKEND`] names something else, or `postgres` without a server to run on.
pub fn server() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(BACKEND).as_deref() {
            Err(_) | Ok("" | "sqlite") => None,
            Ok("postgres") => Some(
                std::env::var(testing::TEST_SERVER)
                    .ok()
                    .filter(|url| !url.is_empty())
                    .unwrap_or_else(|| {
                        panic!(
                            "{BACKEND}=postgres runs on the server {} names: run under \
                             scripts/postgres",
                            testing::TEST_SERVER
                        )
                    }),
            ),
            Ok(other) => panic!("{BACKEND} is `sqlite` or `postgres`, not `{other}`"),
        })
        .as_deref()
}

/// The directory of `pg_dump` and `pg_restore` for backups and restorations: `RELAIS_PG_BIN`,
/// as for `relais-server backup`, else the `PATH`'s.
pub fn tools() -> Option<PathBuf> {
    std::env::var_os("RELAIS_PG_BIN").map(PathBuf::from)
}

/// A database of a seed's server, on [`server`]; [`Database::remove`] drops it.
pub struct Database {
    server: &'static str,
    pub url: String,
}

impl Database {
    /// A copy of the template database, holding the demo town.
    pub fn demo_town(server: &'static str, runtime: &Runtime) -> Self {
        let template = template(server);
        let url = runtime.block_on(testing::copy_database(server, template));
        Self {
            server,
            url: url.unwrap(),
        }
    }

    /// An empty database, to restore a backup into.
    pub fn empty(server: &'static str, runtime: &Runtime) -> Self {
        let url = runtime.block_on(testing::fresh_database(server));
        Self {
            server,
            url: url.unwrap(),
        }
    }

    /// The PostgreSQL server it is on.
    pub fn server(&self) -> &'static str {
        self.server
    }

    /// Drops the database, closing what is still connected to it.
    pub fn remove(self, runtime: &Runtime) {
        if let Err(error) = runtime.block_on(testing::drop_database(self.server, &self.url)) {
            eprintln!(
                "could not drop the simulation's database {}: {error}",
                self.url
            );
        }
    }
}

/// The URL of the template database: the demo town, seeded by the server itself once per test
/// process, on a runtime of its own that is gone, with its connections, before a seed copies it
/// (a template must have none). Never dropped, as a static is not: the throwaway server of
/// `scripts/postgres` goes with it.
fn template(server: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let data_dir = tempfile::tempdir_in(super::server::scratch()).unwrap();
        super::server::runtime().block_on(async {
            let url = testing::fresh_database(server).await.unwrap();
            let settings = settings(data_dir.path(), true, &url);
            drop(relais_server::Server::open(&settings).await.unwrap());
            url
        })
    })
}

/// The settings of a server in `data_dir` storing in the database `url`.
pub fn settings(data_dir: &Path, demo: bool, url: &str) -> relais_server::Settings {
    relais_server::Settings {
        database: Some(url.to_owned()),
        ..relais_server::Settings::local(data_dir.to_owned(), demo)
    }
}
