//! Administration tasks that the `relais-server` binary runs on its data directory instead of
//! serving (`relais-server --data DIR <task> ...`). One file per task, each a clap `Args` struct
//! with a `run`; [`Command`] dispatches.

mod enrol_agent;
mod import_directory;

pub use enrol_agent::EnrolAgent;
pub use import_directory::ImportDirectory;

use crate::settings::Settings;

/// The administration tasks.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Create a one-time enrolment code for a field agent of a service, print it and exit.
    EnrolAgent(EnrolAgent),
    /// Import a directory of public services from open-data files (CSV or GeoJSON) and exit.
    ImportDirectory(ImportDirectory),
}

impl Command {
    /// Runs the task on the database of `settings`.
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        match self {
            Self::EnrolAgent(task) => task.run(settings).await,
            Self::ImportDirectory(task) => task.run(settings).await,
        }
    }
}
