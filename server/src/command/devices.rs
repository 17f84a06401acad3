//! `relais-server devices list|revoke`: the town's devices (staff devices by default) and
//! revoking one, such as a lost agent phone: its token stops working at once.

use anyhow::bail;
use relais_server_database::Database;
use uuid::Uuid;

use super::enrolments::date;
use crate::clock::now_ms;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct Devices {
    /// The town (tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    #[command(subcommand)]
    pub command: DevicesCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum DevicesCommand {
    /// The staff devices (with --all, citizens' devices too).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Revoke a device by its id.
    Revoke { device: Uuid },
}

impl Devices {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        match &self.command {
            DevicesCommand::List { all } => {
                for device in db.devices(&self.tenant, !all).await? {
                    let state = device
                        .revoked_at_ms
                        .map_or_else(|| "active".to_owned(), |at| format!("revoked {}", date(at)));
                    out!(
                        "{}\t{}\t{}\tregistered {}\t{state}",
                        device.id,
                        device.platform,
                        device.staff_email.as_deref().unwrap_or("citizen"),
                        date(device.created_at_ms)
                    )?;
                }
            }
            DevicesCommand::Revoke { device } => {
                if !db.revoke_device(&self.tenant, *device, now_ms()).await? {
                    bail!("no active device {device} in {}", self.tenant);
                }
                db.audit(
                    Some(self.tenant.clone()),
                    None,
                    "device.revoke".into(),
                    serde_json::json!({ "device": device }),
                    now_ms(),
                )
                .await?;
                out!("device {device} revoked")?;
            }
        }
        Ok(())
    }
}
