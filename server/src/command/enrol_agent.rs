//! `relais-server --data DIR enrol-agent --tenant T --service S`: creates a one-time enrolment
//! code for a field agent and prints it on stdout (one line). The agent's device presents it at
//! registration (`POST /v1/{tenant}/devices` with `enrolment_code`); the server keeps only its
//! SHA-256.

use std::io::Write;

use anyhow::{Context, bail};

use crate::clock::now_ms;
use crate::enrolment::{self, EnrolmentCode};
use crate::launch::open_database;
use crate::settings::Settings;
use relais_server_database::{Database, EnrolmentCreated, NewEnrolment};

#[derive(Debug, Clone, clap::Args)]
pub struct EnrolAgent {
    /// The tenant (town) the agent works for.
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,

    /// Code of the agent's service in the tenant's catalogue.
    #[arg(long, value_name = "SERVICE_CODE")]
    pub service: String,
}

impl EnrolAgent {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        let db = open_database(settings).await?;
        let code = EnrolmentCode::generate();
        let created_at_ms = now_ms();
        let expires_at_ms = created_at_ms + enrolment::VALIDITY_MS;
        let created = db
            .create_enrolment(NewEnrolment {
                code: code.hash(),
                tenant: self.tenant.clone(),
                service: self.service.clone(),
                created_at_ms,
                expires_at_ms,
            })
            .await
            .context("could not store the enrolment code")?;
        match created {
            EnrolmentCreated::Created => {}
            EnrolmentCreated::UnknownTenant => bail!("no tenant {:?} here", self.tenant),
            EnrolmentCreated::UnknownService => {
                bail!("tenant {:?} has no service {:?}", self.tenant, self.service)
            }
        }
        tracing::info!(tenant = %self.tenant, service = %self.service, "enrolment code created");
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", code.as_str())?;
        stdout.flush()?;
        eprintln!(
            "One-time code for an agent of {} / {}, valid {} days.",
            self.tenant,
            self.service,
            enrolment::VALIDITY_MS / 86_400_000
        );
        Ok(())
    }
}
