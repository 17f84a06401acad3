//! `relais-server open311-keys add|list|revoke`: the api keys of the third-party applications
//! a town lets file requests through Open311. A key is printed once, when it is added (the
//! server keeps only its SHA-256); each application files as a citizen device of its own;
//! revoking a key stops it at once.

use anyhow::bail;
use relais_server_database::{Database, NewApiKey, NewDevice};
use uuid::Uuid;

use super::enrolments::date;
use crate::clock::now_ms;
use crate::settings::Settings;
use crate::token::BearerToken;

#[derive(Debug, Clone, clap::Args)]
pub struct Open311Keys {
    /// The town (tenant): its code is the `jurisdiction_id` of Open311 calls.
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    #[command(subcommand)]
    pub command: Open311KeysCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Open311KeysCommand {
    /// Issue a key for an application and print it (once) on stdout.
    Add {
        /// The application's name, for the town's records.
        #[arg(long)]
        name: String,
        /// The language the town's written replies to its requests are drafted in.
        #[arg(long, default_value = "fr", value_parser = ["fr", "en"])]
        language: String,
    },
    /// Every key: its id, application, creation and whether it was revoked.
    List,
    /// Revoke a key by its id (from `list`).
    Revoke { id: Uuid },
}

impl Open311Keys {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        match &self.command {
            Open311KeysCommand::Add { name, language } => {
                let name = name.trim();
                if name.is_empty() {
                    bail!("an application needs a name");
                }
                let key = BearerToken::api_key();
                let id = Uuid::now_v7();
                let added = db
                    .add_api_key(NewApiKey {
                        id,
                        name: name.to_owned(),
                        key: key.hash(),
                        device: NewDevice {
                            id: Uuid::now_v7(),
                            tenant: self.tenant.clone(),
                            // The device's own token is never handed out: only the key opens it.
                            token: BearerToken::device().hash(),
                            platform: "open311".to_owned(),
                            app_version: name.to_owned(),
                            language: Some(language.clone()),
                            created_at_ms: now_ms(),
                        },
                    })
                    .await?;
                if !added {
                    bail!("unknown tenant {}", self.tenant);
                }
                db.audit(
                    Some(self.tenant.clone()),
                    None,
                    "open311_key.add".into(),
                    serde_json::json!({ "id": id, "name": name }),
                    now_ms(),
                )
                .await?;
                out!("{}", key.into_string())?;
            }
            Open311KeysCommand::List => {
                for key in db.api_keys(&self.tenant).await? {
                    let state = key
                        .revoked_at_ms
                        .map_or_else(|| "active".to_owned(), |at| format!("revoked {}", date(at)));
                    out!(
                        "{}\t{}\tcreated {}\t{state}",
                        key.id,
                        key.name,
                        date(key.created_at_ms)
                    )?;
                }
            }
            Open311KeysCommand::Revoke { id } => {
                if !db.revoke_api_key(&self.tenant, *id, now_ms()).await? {
                    bail!("no active Open311 key {id} in {}", self.tenant);
                }
                db.audit(
                    Some(self.tenant.clone()),
                    None,
                    "open311_key.revoke".into(),
                    serde_json::json!({ "id": id }),
                    now_ms(),
                )
                .await?;
                out!("Open311 key {id} revoked")?;
            }
        }
        Ok(())
    }
}
