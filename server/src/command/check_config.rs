//! `relais-server check-config [--config FILE]`: reads the settings as serving would (flags,
//! `RELAIS_*` variables, the file, the defaults), checks them and prints the effective ones as
//! TOML, secrets masked, so an operator sees what a start would use. It opens nothing and
//! changes nothing; a bad file or value fails with the key at fault (exit status 1).

use crate::config::ConfigFile;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct CheckConfig {}

impl CheckConfig {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        settings.validate()?;
        let shown = toml::to_string(&ConfigFile::effective(settings))?;
        out!("# relais-server: effective settings (flag > RELAIS_* variable > file > default)")?;
        if settings.database.is_none() {
            out!("# database: unset, SQLite in the data directory")?;
        }
        if settings.connections.metrics_token.is_none() {
            out!("# metrics_token: unset, /metrics is public")?;
        }
        if !settings.data_dir.is_dir() {
            out!("# data: the directory does not exist yet; serving creates it")?;
        }
        out!("{}", shown.trim_end())?;
        Ok(())
    }
}
