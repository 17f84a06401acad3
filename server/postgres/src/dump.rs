//! Backups of a PostgreSQL database with PostgreSQL's own tools, driven by `relais-server backup`
//! and `restore`: `pg_dump` writes the database in its custom format, `pg_restore` loads it
//! into an empty database.
//!
//! The dump and the list of photos the backup must carry come from one snapshot: a REPEATABLE
//! READ transaction exports its snapshot, reads the photos' names, and `pg_dump --snapshot`
//! dumps that very snapshot while the transaction stays open. Servers keep writing meanwhile;
//! what they commit after the snapshot is neither in the dump nor among the photos.
//!
//! The connection settings reach the tools through libpq's variables (`PGHOST`, `PGPASSWORD`,
//! `PGSSLMODE`...), never on their command line, where other users of the machine would read
//! the password.

use std::path::Path;
use std::process::Command;

use relais_server_database::{DbError, DbResult};
use tokio_postgres::config::Host;
use tokio_postgres::{Client, IsolationLevel};

use crate::tls::{SslMode, Target};

/// Dumps the database `url` names into `file` with the `pg_dump` of `tools` (a directory; the
/// `PATH`'s when `None`), and returns the SHA-256 of every photo the dump indexes.
///
/// # Errors
/// The database cannot be reached, `pg_dump` cannot be run or fails (its error is told).
pub async fn dump(url: &str, file: &Path, tools: Option<&Path>) -> DbResult<Vec<String>> {
    let target = Target::parse(url)?;
    let mut client = connect(&target).await?;
    let transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(backend)?;
    let snapshot: String = transaction
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .map_err(backend)?
        .get(0);
    let photos = transaction
        .query("SELECT sha256 FROM photos ORDER BY sha256", &[])
        .await
        .map_err(backend)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut command = tool(tools, "pg_dump", &target);
    command
        .arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--file")
        .arg(file);
    tokio::task::spawn_blocking(move || run(command)).await??;
    transaction.commit().await.map_err(backend)?;
    Ok(photos)
}

/// Loads the dump `file` into the database `url` names, which must hold no table yet, in one
/// transaction (a failure leaves it empty), with the `pg_restore` of `tools`.
///
/// # Errors
/// The database holds tables already, cannot be reached, or `pg_restore` fails.
pub async fn restore(url: &str, file: &Path, tools: Option<&Path>) -> DbResult<()> {
    let target = Target::parse(url)?;
    let client = connect(&target).await?;
    let tables: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()",
            &[],
        )
        .await
        .map_err(backend)?
        .get(0);
    if tables > 0 {
        return Err(DbError::Backend(
            format!(
                "the database holds {tables} tables already: restore into a new, empty database \
                 (createdb)"
            )
            .into(),
        ));
    }
    drop(client);
    let mut command = tool(tools, "pg_restore", &target);
    command
        .arg("--exit-on-error")
        .arg("--single-transaction")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(file);
    tokio::task::spawn_blocking(move || run(command)).await??;
    // The history went back to the backup's: a new epoch in every town makes each device's
    // next pull a reset, and the devices send again what the server acknowledged since.
    connect(&target)
        .await?
        .execute(
            "UPDATE tenants SET epoch = substr(md5(random()::text), 1, 16)",
            &[],
        )
        .await
        .map_err(backend)?;
    Ok(())
}

async fn connect(target: &Target) -> DbResult<Client> {
    let (client, connection) = target
        .config
        .connect(target.connector()?)
        .await
        .map_err(backend)?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "the backup's connection to PostgreSQL ended");
        }
    });
    Ok(client)
}

/// The command of the tool `name` in `tools`, with the connection of `target` in libpq's
/// variables (and `--dbname` for its database's name).
fn tool(tools: Option<&Path>, name: &str, target: &Target) -> Command {
    let mut command = Command::new(tools.map_or_else(|| name.into(), |dir| dir.join(name)));
    let config = &target.config;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        command.env("PGHOST", hosts.join(","));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        command.env("PGPORT", ports.join(","));
    }
    if let Some(user) = config.get_user() {
        command.env("PGUSER", user);
    }
    if let Some(password) = config.get_password() {
        command.env("PGPASSWORD", String::from_utf8_lossy(password).as_ref());
    }
    if let Some(dbname) = config.get_dbname() {
        command.arg("--dbname").arg(dbname);
    }
    let ssl_mode = match target.ssl_mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    };
    command.env("PGSSLMODE", ssl_mode);
    if let Some(root) = &target.root_cert {
        command.env("PGSSLROOTCERT", root);
    }
    command
}

/// Runs `command`, turning its failure into an error that carries what it wrote on stderr.
fn run(mut command: Command) -> DbResult<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command.output().map_err(|e| {
        DbError::Backend(format!("cannot run {program}: {e} (see --pg-bin)").into())
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(DbError::Backend(
        format!(
            "{program} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into(),
    ))
}

fn backend(error: tokio_postgres::Error) -> DbError {
    DbError::Backend(Box::new(error))
}
