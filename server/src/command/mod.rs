//! Administration tasks that the `relais-server` binary runs on its data directory instead of
//! serving (`relais-server --data DIR <task> ...`), so that a town works before its back office
//! is opened. One file per task, each a clap `Args` struct with a `run`; [`Command`] dispatches.
//! Each opens the storage through `with_database!`, so it works on SQLite and on PostgreSQL alike.
//! Tasks print through `out!`, which returns the write's error instead of panicking: a reader
//! that stops early (`relais-server routing --tenant T list | head`) ends the task quietly.

/// `println!` that returns the write's error: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// Opens the storage that `$settings` names (the data directory's SQLite file, or the PostgreSQL
/// database of `--database`), migrated and with the demo town seeded if asked, and runs `$body`
/// (a future using `$db`, a `&impl Database`) on it: every task works on both backends.
macro_rules! with_database {
    ($settings:expr, |$db:ident| $body:expr) => {{
        let settings: &crate::settings::Settings = $settings;
        match settings.postgres_url()? {
            Some(url) => {
                let $db = &crate::launch::open_postgres(url, settings).await?;
                $body.await
            }
            None => {
                let $db = &crate::launch::open_database(settings).await?;
                $body.await
            }
        }
    }};
}

mod alert;
mod backup;
mod check_config;
mod demo_history;
mod devices;
mod enrol_agent;
mod enrolments;
mod import_directory;
mod open311_keys;
mod routing;
mod services;
mod staff;
mod tenant;

pub use alert::Alert;
pub use backup::{Backup, Restore};
pub use check_config::CheckConfig;
pub use demo_history::DemoHistory;
pub use devices::Devices;
pub use enrol_agent::EnrolAgent;
pub use enrolments::Enrolments;
pub use import_directory::ImportDirectory;
pub use open311_keys::Open311Keys;
pub use routing::Routing;
pub use services::Services;
pub use staff::Staff;
pub use tenant::Tenant;

use crate::settings::Settings;

/// The administration tasks.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Towns: create one from its files (`tenant add`), list them.
    Tenant(Tenant),
    /// Staff accounts: add, list, disable, enable, set a password, enrol a device.
    Staff(Staff),
    /// Create a field agent's account if needed and print a one-time code for their device.
    EnrolAgent(EnrolAgent),
    /// One-time device enrolment codes: list, revoke.
    Enrolments(Enrolments),
    /// The town's devices: list, revoke a lost one.
    Devices(Devices),
    /// The routing table: category × zone → service.
    Routing(Routing),
    /// The codes and names of the town's services.
    Services(Services),
    /// Publish a dated notice to the followers of some zones.
    Alert(Alert),
    /// Import a directory of public services from open-data files (CSV or GeoJSON) and exit.
    ImportDirectory(ImportDirectory),
    /// Open311 api keys of third-party applications: add (prints the key once), list, revoke.
    Open311Keys(Open311Keys),
    /// Check the settings (flags, variables, the `--config` file) and print the effective ones.
    CheckConfig(CheckConfig),
    /// Write a consistent backup (database and photos) to one file, while the server serves.
    Backup(Backup),
    /// Restore a backup into a new data directory (`--data DIR`) that no server serves (and, with
    /// `--database`, into an empty PostgreSQL database).
    Restore(Restore),
    /// Load the demo town's history (requests from Paris open data, ratings), with --demo.
    DemoHistory(DemoHistory),
}

impl Command {
    /// Runs the task on the database of `settings`.
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        match self {
            Self::Tenant(task) => task.run(settings).await,
            Self::Staff(task) => task.run(settings).await,
            Self::EnrolAgent(task) => task.run(settings).await,
            Self::Enrolments(task) => task.run(settings).await,
            Self::Devices(task) => task.run(settings).await,
            Self::Routing(task) => task.run(settings).await,
            Self::Services(task) => task.run(settings).await,
            Self::Alert(task) => task.run(settings).await,
            Self::ImportDirectory(task) => task.run(settings).await,
            Self::Open311Keys(task) => task.run(settings).await,
            Self::CheckConfig(task) => task.run(settings).await,
            Self::Backup(task) => task.run(settings).await,
            Self::Restore(task) => task.run(settings).await,
            Self::DemoHistory(task) => task.run(settings).await,
        }
    }
}
