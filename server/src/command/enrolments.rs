//! `relais-server enrolments list|revoke`: the town's one-time device enrolment codes (named by
//! the first eight hex digits of their hash: the codes themselves are never stored), and
//! revoking one that was handed out by mistake.

use anyhow::bail;
use chrono::DateTime;
use relais_server_database::Database;

use crate::clock::now_ms;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct Enrolments {
    /// The town (tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    #[command(subcommand)]
    pub command: EnrolmentsCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum EnrolmentsCommand {
    /// Every code: for whom, when, and whether it was used, revoked or expired.
    List,
    /// Revoke an unused code by its id (from `list`).
    Revoke { id: String },
}

impl Enrolments {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        match &self.command {
            EnrolmentsCommand::List => {
                let now = now_ms();
                for code in db.enrolments(&self.tenant).await? {
                    let state = match (code.used_at_ms, code.revoked_at_ms) {
                        (Some(at), _) => format!("used {}", date(at)),
                        (None, Some(at)) => format!("revoked {}", date(at)),
                        (None, None) if code.expires_at_ms <= now => "expired".to_owned(),
                        (None, None) => format!("valid until {}", date(code.expires_at_ms)),
                    };
                    out!(
                        "{}\t{}\tcreated {}\t{state}",
                        code.id,
                        code.staff_email,
                        date(code.created_at_ms)
                    )?;
                }
            }
            EnrolmentsCommand::Revoke { id } => {
                if !db.revoke_enrolment(&self.tenant, id, now_ms()).await? {
                    bail!("no unused enrolment code {id} in {}", self.tenant);
                }
                db.audit(
                    Some(self.tenant.clone()),
                    None,
                    "enrolment.revoke".into(),
                    serde_json::json!({ "id": id }),
                    now_ms(),
                )
                .await?;
                out!("enrolment code {id} revoked")?;
            }
        }
        Ok(())
    }
}

/// A moment as `YYYY-MM-DD HH:MM` (UTC).
pub fn date(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |d| d.format("%Y-%m-%d %H:%M").to_string(),
    )
}
