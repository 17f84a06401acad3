//! TLS to PostgreSQL, as the database URL asks with libpq's parameters, so that a server can
//! reach a database across a network it does not trust (a managed PostgreSQL, another
//! machine of the town's IT):
//! - `sslmode=disable`: never TLS;
//! - `sslmode=prefer` (the default, as libpq): TLS when the server offers it, else plain;
//! - `sslmode=require`: TLS or no connection;
//! - `sslmode=verify-ca`: TLS, and the server's certificate must chain to a trusted root;
//! - `sslmode=verify-full`: as `verify-ca`, and the certificate must name the host connected to.
//!
//! The trusted roots are the PEM file `sslrootcert=FILE` names, or the system's roots (absent, or
//! `sslrootcert=system`). As libpq, `prefer` and `require` check the certificate against
//! `sslrootcert` when one is named, and otherwise encrypt without authenticating the server: only
//! `verify-full` stops a machine in the middle. tokio-postgres knows `disable`, `prefer` and
//! `require` only, so [`Target::parse`] takes these two parameters out of the URL and builds the
//! rustls configuration that does what they say.

use std::path::PathBuf;
use std::sync::Arc;

use relais_server_database::{DbError, DbResult};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as DriverMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What the URL's `sslmode` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> DbResult<Self> {
        Ok(match value {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => {
                return Err(refused(format!(
                    "sslmode={other} is not disable, prefer, require, verify-ca or verify-full"
                )));
            }
        })
    }

    /// What tokio-postgres does with the socket: the verifications are rustls's.
    fn driver(self) -> DriverMode {
        match self {
            Self::Disable => DriverMode::Disable,
            Self::Prefer => DriverMode::Prefer,
            Self::Require | Self::VerifyCa | Self::VerifyFull => DriverMode::Require,
        }
    }
}

/// A database URL taken apart: the driver's settings, and how TLS must be used.
pub struct Target {
    pub config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    /// The PEM file of trusted roots; `None`: the system's.
    pub root_cert: Option<PathBuf>,
}

impl Target {
    /// Reads `url` (`postgres://user:password@host:port/database?sslmode=...`, or libpq's
    /// `key=value` form, where only the driver's own `sslmode` values are understood).
    ///
    /// # Errors
    /// The URL is not one, or names an unknown `sslmode`.
    pub fn parse(url: &str) -> DbResult<Self> {
        let (mut ssl_mode, mut root_cert) = (None, None);
        let driver_url = match url.split_once('?') {
            Some((base, query))
                if base.starts_with("postgres://") || base.starts_with("postgresql://") =>
            {
                let mut kept = Vec::new();
                for pair in query.split('&') {
                    match pair.split_once('=') {
                        Some(("sslmode", value)) => {
                            ssl_mode = Some(SslMode::parse(&decode(value)?)?);
                        }
                        Some(("sslrootcert", value)) => {
                            let value = decode(value)?;
                            root_cert = (value != "system").then(|| PathBuf::from(value));
                        }
                        _ => kept.push(pair),
                    }
                }
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            _ => url.to_owned(),
        };
        let mut config: tokio_postgres::Config = driver_url
            .parse()
            .map_err(|e: tokio_postgres::Error| DbError::Backend(Box::new(e)))?;
        // Not in a URL's parameters: the driver read `sslmode` itself (or took its default).
        let ssl_mode = ssl_mode.unwrap_or(match config.get_ssl_mode() {
            DriverMode::Disable => SslMode::Disable,
            DriverMode::Require => SslMode::Require,
            _ => SslMode::Prefer,
        });
        config.ssl_mode(ssl_mode.driver());
        Ok(Self {
            config,
            ssl_mode,
            root_cert,
        })
    }

    /// The connector that makes every connection of the pool as `sslmode` asks.
    ///
    /// # Errors
    /// The root file cannot be read or holds no certificate.
    pub fn connector(&self) -> DbResult<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = match (self.ssl_mode, &self.root_cert) {
            (SslMode::Disable, _) | (SslMode::Prefer | SslMode::Require, None) => None,
            (_, root) => Some(self.webpki(root.as_ref(), &provider)?),
        };
        let verifier = Arc::new(Verifier {
            chain,
            name: self.ssl_mode == SslMode::VerifyFull,
            algorithms: provider.signature_verification_algorithms,
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| DbError::Backend(Box::new(e)))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn webpki(
        &self,
        root: Option<&PathBuf>,
        provider: &Arc<CryptoProvider>,
    ) -> DbResult<Arc<WebPkiServerVerifier>> {
        let mut roots = RootCertStore::empty();
        match root {
            Some(file) => {
                let certificates = CertificateDer::pem_file_iter(file)
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                    .map_err(|e| {
                        refused(format!(
                            "sslrootcert {} cannot be read: {e}",
                            file.display()
                        ))
                    })?;
                let (added, _) = roots.add_parsable_certificates(certificates);
                if added == 0 {
                    return Err(refused(format!(
                        "sslrootcert {} holds no certificate",
                        file.display()
                    )));
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
            }
        }
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider))
            .build()
            .map_err(|e| DbError::Backend(Box::new(e)))
    }
}

/// A URL's percent-encoded value, decoded.
fn decode(value: &str) -> DbResult<String> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| refused(format!("{value:?} is not UTF-8 once decoded")))
}

fn refused(message: String) -> DbError {
    DbError::Backend(message.into())
}

/// What `sslmode` checks of the server's certificate. The handshake's signatures are always
/// checked.
#[derive(Debug)]
struct Verifier {
    /// The chain to the trusted roots; `None`: any certificate, as libpq's `prefer` and
    /// `require` without a root file (encrypted, the server not authenticated).
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// Whether the certificate must name the host connected to (`verify-full`).
    name: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.name => Ok(ServerCertVerified::assertion()),
            verdict => verdict,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_parameters_are_taken_out_of_the_url_and_the_rest_is_kept() {
        let target = Target::parse(
            "postgres://relais:s%40cret@db.example:5433/relais?application_name=a&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
        )
        .unwrap();
        assert_eq!(target.ssl_mode, SslMode::VerifyFull);
        assert_eq!(target.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(target.config.get_application_name(), Some("a"));
        assert_eq!(target.config.get_password(), Some(&b"s@cret"[..]));
        assert_eq!(target.config.get_ssl_mode(), DriverMode::Require);

        let plain = Target::parse("postgres://relais@db/relais").unwrap();
        assert_eq!(plain.ssl_mode, SslMode::Prefer);
        assert_eq!(plain.root_cert, None);
        let system = Target::parse("postgres://db/relais?sslmode=verify-ca&sslrootcert=system");
        assert_eq!(system.unwrap().root_cert, None);
        let off = Target::parse("postgresql://db/relais?sslmode=disable").unwrap();
        assert_eq!(off.config.get_ssl_mode(), DriverMode::Disable);
        let libpq = Target::parse("host=db dbname=relais sslmode=require").unwrap();
        assert_eq!(libpq.ssl_mode, SslMode::Require);
    }

    #[test]
    fn an_unknown_sslmode_or_an_unreadable_root_file_is_refused() {
        let error = Target::parse("postgres://db/relais?sslmode=always")
            .err()
            .unwrap();
        assert!(error.to_string().contains("sslmode=always"), "{error}");
        let missing = Target::parse("postgres://db/relais?sslmode=verify-full&sslrootcert=/none")
            .unwrap()
            .connector()
            .err()
            .unwrap();
        assert!(missing.to_string().contains("/none"), "{missing}");
    }
}
