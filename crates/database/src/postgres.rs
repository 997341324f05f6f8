//! PostgreSQL: the synchronous `postgres` client, TLS through rustls.
//!
//! Read-only by construction: the session starts with
//! `default_transaction_read_only=on` and a statement timeout, the reads
//! run in a `READ ONLY` transaction, and only `information_schema` and the
//! version table are read.
//!
//! `sslmode` as libpq reads it: `disable` (no TLS), `allow` / `prefer`
//! (the default: TLS when the server offers it, certificate not checked),
//! `require` (TLS or no connection, certificate not checked, as libpq does
//! without `sslrootcert`), `verify-ca` (the chain is checked against
//! `sslrootcert`, else Mozilla's roots) and `verify-full` (the chain and
//! the host name).

use std::sync::Arc;
use std::time::Duration;

use postgres::config::SslMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::{DatabaseError, DatabaseUrl, VersionTable};

/// How long to wait for the server to answer a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The session's `statement_timeout`, in milliseconds.
const STATEMENT_TIMEOUT_MS: u32 = 10_000;

/// How TLS is used, from `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tls {
    /// `disable`.
    Off,
    /// `allow`, `prefer`: TLS when offered, not verified.
    Prefer,
    /// `require`: TLS, not verified.
    Require,
    /// `verify-ca`: TLS, chain verified.
    VerifyCa,
    /// `verify-full`: TLS, chain and host name verified.
    VerifyFull,
}

/// The connection settings a URL gives, as libpq would read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Params {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) dbname: Option<String>,
    pub(crate) tls: Tls,
    pub(crate) root_cert: Option<String>,
}

/// The URL's connection settings; `?host=/run/postgresql` (a socket
/// directory, as psycopg accepts) and `?port=` override the authority.
pub(crate) fn params(url: &DatabaseUrl) -> Result<Params, DatabaseError> {
    let shown = url.to_string();
    let host = url
        .query_value("host")
        .map(str::to_owned)
        .or_else(|| url.host.clone())
        .unwrap_or_else(|| {
            // libpq's default: the local socket directory.
            ["/var/run/postgresql", "/tmp"]
                .into_iter()
                .find(|dir| std::path::Path::new(dir).is_dir())
                .unwrap_or("localhost")
                .to_owned()
        });
    let port = match url.query_value("port") {
        Some(port) => port.parse().map_err(|_| DatabaseError::Query {
            url: shown.clone(),
            reason: format!("the port option `{port}` is not a number"),
        })?,
        None => url.port.unwrap_or(5432),
    };
    let user = url
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| std::env::var("PGUSER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "postgres".to_owned());
    let tls = match url.query_value("sslmode").unwrap_or("prefer") {
        "disable" => Tls::Off,
        "allow" | "prefer" => Tls::Prefer,
        "require" => Tls::Require,
        "verify-ca" => Tls::VerifyCa,
        "verify-full" => Tls::VerifyFull,
        other => {
            return Err(DatabaseError::Query {
                url: shown,
                reason: format!(
                    "unknown sslmode `{other}` (disable, allow, prefer, require, verify-ca, \
                     verify-full)"
                ),
            });
        }
    };
    Ok(Params {
        host,
        port,
        user,
        dbname: url.database.clone().filter(|d| !d.is_empty()),
        tls,
        root_cert: url.query_value("sslrootcert").map(str::to_owned),
    })
}

/// The `version_num` of every row, in the order the server returns them.
pub(crate) fn read(
    url: &DatabaseUrl,
    table: &VersionTable,
) -> Result<Vec<Option<String>>, DatabaseError> {
    let shown = url.to_string();
    let params = params(url)?;
    let mut config = postgres::Config::new();
    config
        .host(&params.host)
        .port(params.port)
        .user(&params.user)
        .connect_timeout(CONNECT_TIMEOUT)
        .application_name("alembic-doctor")
        .options(&format!(
            "-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS}"
        ))
        .ssl_mode(match params.tls {
            Tls::Off => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            Tls::Require | Tls::VerifyCa | Tls::VerifyFull => SslMode::Require,
        });
    if let Some(password) = url.password() {
        config.password(password);
    }
    if let Some(dbname) = &params.dbname {
        config.dbname(dbname);
    }
    let tls = tls_config(&params).map_err(|reason| DatabaseError::Query {
        url: shown.clone(),
        reason,
    })?;
    let mut client = config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(|error| connect_error(url, &error))?;
    let query_error = |error: postgres::Error| DatabaseError::Query {
        url: shown.clone(),
        reason: describe(url, &error),
    };
    let mut transaction = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(query_error)?;
    let schema = table.schema.as_deref();
    let columns: Vec<String> = transaction
        .query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 \
             ORDER BY ordinal_position",
            &[&schema, &table.name],
        )
        .map_err(query_error)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if columns.is_empty() {
        let tables: Vec<String> = transaction
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = COALESCE($1, current_schema()) \
                 ORDER BY table_name LIMIT 30",
                &[&schema],
            )
            .map_err(query_error)?
            .iter()
            .map(|row| row.get(0))
            .collect();
        return Err(DatabaseError::MissingTable {
            url: shown,
            table: table.to_string(),
            tables,
        });
    }
    if columns != ["version_num"] {
        return Err(DatabaseError::OtherColumns {
            url: shown,
            table: table.to_string(),
            columns,
        });
    }
    let qualified = match schema {
        Some(schema) => format!(
            "{}.{}",
            quote_identifier(schema),
            quote_identifier(&table.name)
        ),
        None => quote_identifier(&table.name),
    };
    let rows = transaction
        .query(&format!("SELECT version_num::text FROM {qualified}"), &[])
        .map_err(query_error)?
        .iter()
        .map(|row| row.get::<_, Option<String>>(0))
        .collect();
    transaction.rollback().map_err(query_error)?;
    Ok(rows)
}

/// A connection failure, sorted into what the user can act on.
fn connect_error(url: &DatabaseUrl, error: &postgres::Error) -> DatabaseError {
    let shown = url.to_string();
    let reason = describe(url, error);
    match error.code().map(postgres::error::SqlState::code) {
        Some("28P01" | "28000") => DatabaseError::Credentials { url: shown, reason },
        Some("3D000") => DatabaseError::UnknownDatabase { url: shown, reason },
        _ => DatabaseError::Unreachable { url: shown, reason },
    }
}

/// The error and its causes on one line, the password masked.
fn describe(url: &DatabaseUrl, error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = std::error::Error::source(source.expect("checked"));
    }
    url.mask_in(&text)
}

/// `"name"`, with inner quotes doubled.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The rustls configuration `sslmode` asks for.
fn tls_config(params: &Params) -> Result<rustls::ClientConfig, String> {
    // ring, not aws-lc-rs: no C toolchain and cmake needed to build the
    // wheels. rustls 0.23.48 deprecates it only for lacking post-quantum key
    // exchange, which PostgreSQL servers do not ask for.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?;
    let config = match params.tls {
        Tls::Off | Tls::Prefer | Tls::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth(),
        Tls::VerifyCa | Tls::VerifyFull => {
            let mut roots = RootCertStore::empty();
            match &params.root_cert {
                Some(path) => {
                    for cert in CertificateDer::pem_file_iter(path)
                        .map_err(|error| format!("cannot read sslrootcert {path}: {error}"))?
                    {
                        let cert = cert
                            .map_err(|error| format!("cannot read sslrootcert {path}: {error}"))?;
                        roots
                            .add(cert)
                            .map_err(|error| format!("sslrootcert {path}: {error}"))?;
                    }
                }
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|error| error.to_string())?;
            if params.tls == Tls::VerifyFull {
                builder.with_webpki_verifier(verifier).with_no_client_auth()
            } else {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
                    .with_no_client_auth()
            }
        }
    };
    Ok(config)
}

/// `sslmode=require` and `prefer`: encrypted, the certificate not checked
/// (libpq's behaviour without `sslrootcert`); signatures still are.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params_of(text: &str) -> Params {
        params(&DatabaseUrl::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn authority_and_query() {
        let p =
            params_of("postgresql+psycopg://scott:tiger@db.example.com:5433/app?sslmode=require");
        assert_eq!(p.host, "db.example.com");
        assert_eq!(p.port, 5433);
        assert_eq!(p.user, "scott");
        assert_eq!(p.dbname.as_deref(), Some("app"));
        assert_eq!(p.tls, Tls::Require);
        let p = params_of("postgresql://scott@/app?host=/run/postgresql&port=6432");
        assert_eq!(p.host, "/run/postgresql");
        assert_eq!(p.port, 6432);
        assert_eq!(p.tls, Tls::Prefer);
    }

    #[test]
    fn every_sslmode() {
        for (mode, tls) in [
            ("disable", Tls::Off),
            ("allow", Tls::Prefer),
            ("prefer", Tls::Prefer),
            ("require", Tls::Require),
            ("verify-ca", Tls::VerifyCa),
            ("verify-full", Tls::VerifyFull),
        ] {
            let p = params_of(&format!("postgresql://u@h/db?sslmode={mode}"));
            assert_eq!(p.tls, tls, "{mode}");
            assert!(tls_config(&p).is_ok(), "{mode}");
        }
        let error = params(&DatabaseUrl::parse("postgresql://u:pw@h/db?sslmode=maybe").unwrap())
            .unwrap_err();
        assert!(
            error.to_string().contains("unknown sslmode `maybe`"),
            "{error}"
        );
        assert!(!error.to_string().contains("pw@"), "{error}");
    }

    #[test]
    fn unreadable_root_certificate() {
        let p = params_of("postgresql://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent.pem");
        let error = tls_config(&p).unwrap_err();
        assert!(error.contains("/nonexistent.pem"), "{error}");
    }

    /// Nothing listens on port 1: a clean "cannot reach", without the
    /// password.
    #[test]
    fn closed_port_is_unreachable() {
        let url = DatabaseUrl::parse("postgresql://scott:s3cret@127.0.0.1:1/app?sslmode=disable")
            .unwrap();
        let error = read(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(error, DatabaseError::Unreachable { .. }),
            "{error}"
        );
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }
}
