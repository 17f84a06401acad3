//! The configuration file: every setting of [`Settings`] in one TOML file (`--config FILE` or
//! `RELAIS_CONFIG`), so that an operator keeps a server's setup in one reviewed place.
//!
//! A key is the flag's name in snake case (`--header-timeout` is `header_timeout`, `--data` is
//! `data`). A value comes from, in order: the flag, its `RELAIS_*` environment variable, the
//! file, the default. The file is read after clap has parsed the command line, and a file value
//! replaces only a setting that clap took from its default (`ArgMatches::value_source`), so
//! clap alone decides between flags and variables. An unknown key or a value of the wrong type
//! is refused with the key and its line; nothing starts on a file that does not parse.
//!
//! [`ConfigFile`] is also the shape `relais-server check-config` prints the effective settings
//! in, secrets masked.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use serde::{Deserialize, Serialize};

use crate::settings::{Cli, LogFormat, Settings};

/// What a masked secret prints as.
const MASK: &str = "********";

/// The settings a configuration file may hold; each one optional.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure_cookies: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_secret_access_key: Option<String>,
}

impl ConfigFile {
    /// Parses a configuration file's text; `origin` names it in errors.
    ///
    /// # Errors
    /// The text is not TOML, holds an unknown key, or a value of the wrong type.
    pub fn parse(text: &str, origin: &Path) -> anyhow::Result<Self> {
        toml::from_str(text)
            .with_context(|| format!("invalid configuration file {}", origin.display()))
    }

    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    /// The file cannot be read, or [`Self::parse`] refuses it.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        Self::parse(&text, path)
    }

    /// The effective `settings` in this shape, secrets masked: what `check-config` prints.
    /// Every key is present but the optional ones left unset (`database`, `metrics_token`, the
    /// photo store's).
    pub fn effective(settings: &Settings) -> Self {
        let (connections, photo_store) = (&settings.connections, &settings.photo_store);
        Self {
            data: Some(settings.data_dir.clone()),
            listen: Some(settings.listen.clone()),
            database: settings.database.as_deref().map(mask_password),
            demo: Some(settings.demo),
            log_format: Some(settings.log_format),
            secure_cookies: Some(settings.secure_cookies),
            header_timeout: Some(connections.header_timeout),
            body_timeout: Some(connections.body_timeout),
            max_connections: Some(connections.max_connections),
            metrics_token: connections.metrics_token.as_ref().map(|_| MASK.to_owned()),
            photos: photo_store.photos.clone(),
            s3_endpoint: photo_store.s3_endpoint.clone(),
            s3_region: photo_store.s3_region.clone(),
            s3_access_key_id: photo_store.s3_access_key_id.clone(),
            s3_secret_access_key: photo_store
                .s3_secret_access_key
                .as_ref()
                .map(|_| MASK.to_owned()),
        }
    }

    /// Puts the file's values into `settings` where clap took the default (neither a flag nor
    /// an environment variable gave one).
    fn apply(self, settings: &mut Settings, matches: &ArgMatches) {
        let defaulted = |id: &str| {
            !matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        macro_rules! take {
            ($key:ident, $id:literal, $target:expr) => {
                if let Some(value) = self.$key
                    && defaulted($id)
                {
                    $target = value.into();
                }
            };
        }
        let (connections, photo_store) = (&mut settings.connections, &mut settings.photo_store);
        take!(data, "data_dir", settings.data_dir);
        take!(listen, "listen", settings.listen);
        take!(database, "database", settings.database);
        take!(demo, "demo", settings.demo);
        take!(log_format, "log_format", settings.log_format);
        take!(secure_cookies, "secure_cookies", settings.secure_cookies);
        take!(header_timeout, "header_timeout", connections.header_timeout);
        take!(body_timeout, "body_timeout", connections.body_timeout);
        take!(
            max_connections,
            "max_connections",
            connections.max_connections
        );
        take!(metrics_token, "metrics_token", connections.metrics_token);
        take!(photos, "photos", photo_store.photos);
        take!(s3_endpoint, "s3_endpoint", photo_store.s3_endpoint);
        take!(s3_region, "s3_region", photo_store.s3_region);
        take!(
            s3_access_key_id,
            "s3_access_key_id",
            photo_store.s3_access_key_id
        );
        take!(
            s3_secret_access_key,
            "s3_secret_access_key",
            photo_store.s3_secret_access_key
        );
    }
}

impl Cli {
    /// Parses the command line (exiting with clap's message on bad flags), then fills the
    /// settings it left at their defaults from the configuration file, if one is given.
    ///
    /// # Errors
    /// The configuration file cannot be read or parsed.
    pub fn load() -> anyhow::Result<Self> {
        Self::load_from(std::env::args_os())
    }

    /// [`Self::load`] on the given arguments (the first is the program's name).
    ///
    /// # Errors
    /// The configuration file cannot be read or parsed.
    pub fn load_from<I, T>(args: I) -> anyhow::Result<Self>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Self::command().get_matches_from(args);
        let mut cli = Self::from_arg_matches(&matches).map_err(|e| e.exit())?;
        if let Some(path) = &cli.config {
            ConfigFile::read(path)?.apply(&mut cli.settings, &matches);
        }
        Ok(cli)
    }
}

impl Settings {
    /// Checks what the types cannot: the listening address, the timeouts, the connection limit
    /// and the database URL. Names the key at fault.
    ///
    /// # Errors
    /// A setting is unusable.
    pub fn validate(&self) -> anyhow::Result<()> {
        if std::net::ToSocketAddrs::to_socket_addrs(self.listen.as_str()).is_err() {
            bail!(
                "listen: {:?} is not an address to listen on (HOST:PORT, such as 127.0.0.1:8080)",
                self.listen
            );
        }
        let connections = &self.connections;
        for (key, value) in [
            ("header_timeout", connections.header_timeout),
            ("body_timeout", connections.body_timeout),
        ] {
            if value == 0 {
                bail!("{key}: must be at least 1 second");
            }
        }
        if connections.max_connections == 0 {
            bail!("max_connections: must be at least 1");
        }
        if let Some(url) = &self.database
            && self.postgres_url().is_err()
        {
            bail!(
                "database: {:?} is not a PostgreSQL URL (postgres://USER:PASSWORD@HOST/DB); \
                 leave it unset for SQLite in the data directory",
                mask_password(url)
            );
        }
        if connections.metrics_token.as_deref() == Some("") {
            bail!("metrics_token: must not be empty (leave it unset for public metrics)");
        }
        if let Some(url) = &self.photo_store.photos {
            crate::photos::bucket_of(url).map_err(|why| anyhow::anyhow!("photos: {why}"))?;
        }
        if let Some(endpoint) = &self.photo_store.s3_endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            bail!("s3_endpoint: {endpoint:?} is not an http:// or https:// URL");
        }
        Ok(())
    }
}

/// A database URL with its password, if any, masked: `postgres://u:********@host/db`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:{MASK}@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(args: &[&str]) -> anyhow::Result<Cli> {
        Cli::load_from(std::iter::once("relais-server").chain(args.iter().copied()))
    }

    #[test]
    fn the_documented_example_parses_and_names_every_setting() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("relais.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        ConfigFile::parse(&text, &path).unwrap();
        // Every key the server knows is documented (uncommented or as a commented line).
        let mut all = load(&[]).unwrap().settings;
        all.database = Some("postgres://db/relais".into());
        all.connections.metrics_token = Some("token".into());
        let s3 = |value: &str| Some(value.to_owned());
        all.photo_store = crate::settings::PhotoStorage {
            photos: s3("s3://bucket"),
            s3_endpoint: s3("http://127.0.0.1:9000"),
            s3_region: s3("us-east-1"),
            s3_access_key_id: s3("id"),
            s3_secret_access_key: s3("secret"),
        };
        let keys = toml::Table::try_from(ConfigFile::effective(&all)).unwrap();
        for key in keys.keys() {
            let documented = text.lines().any(|line| {
                let line = line.trim_start_matches(['#', ' ']);
                line.starts_with(&format!("{key} ="))
            });
            assert!(documented, "{key} is missing from relais.example.toml");
        }
        // And the example's own values are accepted by the checks.
        let cli = load(&["--config", path.to_str().unwrap()]).unwrap();
        cli.settings.validate().unwrap();
    }

    #[test]
    fn a_flag_beats_the_file_and_the_file_beats_the_default() {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join("relais.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nbody_timeout = 7\nlog_format = \"json\"\n\
             data = \"/srv/relais\"\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let cli = load(&["--config", file, "--listen", "127.0.0.1:9001"]).unwrap();
        assert_eq!(cli.settings.listen, "127.0.0.1:9001");
        assert_eq!(cli.settings.connections.body_timeout, 7);
        assert_eq!(cli.settings.connections.header_timeout, 60);
        assert_eq!(cli.settings.log_format, LogFormat::Json);
        assert_eq!(cli.settings.data_dir, Path::new("/srv/relais"));
        // Flags given after a subcommand still win (every setting is a global flag).
        let cli = load(&[
            "--config",
            file,
            "check-config",
            "--data",
            "/tmp/x",
            "--listen",
            "127.0.0.1:9002",
            "--body-timeout",
            "8",
        ])
        .unwrap();
        assert_eq!(cli.settings.data_dir, Path::new("/tmp/x"));
        assert_eq!(cli.settings.listen, "127.0.0.1:9002");
        assert_eq!(cli.settings.connections.body_timeout, 8);
    }

    #[test]
    fn a_bad_file_names_the_key_at_fault() {
        let path = Path::new("relais.toml");
        let unknown = ConfigFile::parse("listn = \"x\"\n", path).unwrap_err();
        assert!(format!("{unknown:#}").contains("listn"), "{unknown:#}");
        let typed = ConfigFile::parse("\n\nbody_timeout = \"soon\"\n", path).unwrap_err();
        let typed = format!("{typed:#}");
        assert!(
            typed.contains("body_timeout") && typed.contains("line 3"),
            "{typed}"
        );
        let format = ConfigFile::parse("log_format = \"xml\"\n", path).unwrap_err();
        assert!(format!("{format:#}").contains("log_format"), "{format:#}");
    }

    #[test]
    fn checks_name_the_key_and_secrets_are_masked() {
        let mut settings = load(&[]).unwrap().settings;
        settings.listen = "nowhere".into();
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.starts_with("listen:"), "{error}");
        settings.listen = "127.0.0.1:0".into();
        settings.database = Some("mysql://root@db/relais".into());
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.starts_with("database:"), "{error}");
        settings.database = Some("postgres://relais:s3cret@db/relais".into());
        settings.connections.metrics_token = Some("t0ken".into());
        settings.photo_store.photos = Some("/srv/photos".into());
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.starts_with("photos:"), "{error}");
        settings.photo_store.photos = Some("s3://relais-photos/town".into());
        settings.photo_store.s3_secret_access_key = Some("k3y".into());
        settings.validate().unwrap();
        let shown = toml::to_string(&ConfigFile::effective(&settings)).unwrap();
        assert!(
            !shown.contains("s3cret") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(
            shown.contains("postgres://relais:********@db/relais"),
            "{shown}"
        );
    }
}
