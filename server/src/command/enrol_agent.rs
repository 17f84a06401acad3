//! `relais-server --data DIR enrol-agent --tenant T --service S --email E [--name N]`: the
//! short way to put a field agent to work: creates the agent's account for the service if it
//! does not exist yet, then prints a one-time enrolment code for their device (one line). The
//! device presents it at registration (`POST /v1/{tenant}/devices` with `enrolment_code`); the
//! server keeps only its SHA-256.

use std::io::Write;

use anyhow::bail;
use relais_protocol::StaffRole;
use relais_server_database::{Database, NewStaff, StaffChange};
use uuid::Uuid;

use super::staff::{done, enrol};
use crate::clock::now_ms;
use crate::enrolment;
use crate::settings::Settings;
use crate::staff::accounts;

#[derive(Debug, Clone, clap::Args)]
pub struct EnrolAgent {
    /// The tenant (town) the agent works for.
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,

    /// Code of the agent's service in the tenant's catalogue.
    #[arg(long, value_name = "SERVICE_CODE")]
    pub service: String,

    /// The agent's e-mail address (their staff account).
    #[arg(long)]
    pub email: String,

    /// The agent's name, for a new account (default: the address).
    #[arg(long)]
    pub name: Option<String>,
}

impl EnrolAgent {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        let email = accounts::normalize_email(&self.email)?;
        let existing = db
            .staff_accounts(Some(self.tenant.clone()))
            .await?
            .into_iter()
            .find(|a| a.member.profile.email == email);
        match existing {
            Some(account) if account.member.profile.services != [self.service.clone()] => bail!(
                "{email} already works for {}",
                account.member.profile.services.join(", ")
            ),
            Some(_) => {}
            None => {
                let change = db
                    .add_staff(NewStaff {
                        id: Uuid::now_v7(),
                        tenant: Some(self.tenant.clone()),
                        email: email.clone(),
                        name: self.name.clone().unwrap_or_else(|| email.clone()),
                        role: StaffRole::Agent,
                        services: vec![self.service.clone()],
                        zones: Vec::new(),
                        password_hash: None,
                        created_at_ms: now_ms(),
                    })
                    .await?;
                if change == StaffChange::UnknownTenant {
                    bail!("no tenant {:?} here", self.tenant);
                }
                done(change, &email)?;
            }
        }
        let code = enrol(db, &self.tenant, &email).await?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", code.as_str())?;
        stdout.flush()?;
        eprintln!(
            "One-time code for the device of {email}, agent of {} / {}, valid {} days.",
            self.tenant,
            self.service,
            enrolment::VALIDITY_MS / 86_400_000
        );
        Ok(())
    }
}
