//! MySQL and MariaDB: the synchronous `mysql` client, TLS through rustls.
//!
//! Read-only by construction: the reads run in a `START TRANSACTION READ
//! ONLY` that is rolled back, under a statement timeout
//! (`max_execution_time` on MySQL, `max_statement_time` on MariaDB), and
//! only `information_schema` and the version table are read.
//!
//! TLS, as the Python drivers' URL options ask for it: `ssl_mode` (as
//! mysqlclient: `DISABLED`, `PREFERRED`, `REQUIRED`, `VERIFY_CA`,
//! `VERIFY_IDENTITY`) and `ssl_ca` (a CA file; as `PyMySQL`, giving one turns
//! verification on). Without either, no TLS, as `PyMySQL`'s default.
//! `?unix_socket=/path` connects through a socket.

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{AccessMode, Conn, OptsBuilder, SslOpts, TxOpts};

use crate::{DatabaseError, DatabaseUrl, VersionTable};

/// How long to wait for the server to answer a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How TLS is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tls {
    /// No TLS.
    Off,
    /// TLS, the certificate not checked.
    Unverified,
    /// TLS, the chain checked, not the host name.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyIdentity,
}

/// The connection settings a URL gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Params {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) socket: Option<String>,
    pub(crate) user: String,
    pub(crate) dbname: Option<String>,
    pub(crate) tls: Tls,
    pub(crate) ca: Option<String>,
}

/// The URL's connection settings.
pub(crate) fn params(url: &DatabaseUrl) -> Result<Params, DatabaseError> {
    let ca = url.query_value("ssl_ca").map(str::to_owned);
    let tls = match url.query_value("ssl_mode").map(str::to_ascii_uppercase) {
        Some(mode) => match mode.as_str() {
            "DISABLED" => Tls::Off,
            // PREFERRED falls back to plain text in the C client; this one
            // cannot, so it asks for TLS without checking it.
            "PREFERRED" | "REQUIRED" => Tls::Unverified,
            "VERIFY_CA" => Tls::VerifyCa,
            "VERIFY_IDENTITY" => Tls::VerifyIdentity,
            other => {
                return Err(DatabaseError::Query {
                    url: url.to_string(),
                    reason: format!(
                        "unknown ssl_mode `{other}` (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, \
                         VERIFY_IDENTITY)"
                    ),
                });
            }
        },
        None if ca.is_some() => Tls::VerifyIdentity,
        None => Tls::Off,
    };
    Ok(Params {
        host: url.host.clone().unwrap_or_else(|| "localhost".to_owned()),
        port: url.port.unwrap_or(3306),
        socket: url.query_value("unix_socket").map(str::to_owned),
        user: url
            .username
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "root".to_owned()),
        dbname: url.database.clone().filter(|d| !d.is_empty()),
        tls,
        ca,
    })
}

/// The `version_num` of every row, in the order the server returns them.
pub(crate) fn read(
    url: &DatabaseUrl,
    table: &VersionTable,
) -> Result<Vec<Option<String>>, DatabaseError> {
    let shown = url.to_string();
    let params = params(url)?;
    let ssl = match params.tls {
        Tls::Off => None,
        Tls::Unverified => Some(
            SslOpts::default()
                .with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true),
        ),
        Tls::VerifyCa => Some(SslOpts::default().with_danger_skip_domain_validation(true)),
        Tls::VerifyIdentity => Some(SslOpts::default()),
    }
    .map(|ssl| match &params.ca {
        Some(ca) => ssl.with_root_cert_path(Some(std::path::PathBuf::from(ca))),
        None => ssl,
    });
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some(params.host.clone()))
        .tcp_port(params.port)
        .socket(params.socket.clone())
        .prefer_socket(params.socket.is_some())
        .user(Some(params.user.clone()))
        .pass(url.password().map(str::to_owned))
        .db_name(params.dbname.clone())
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .read_timeout(Some(CONNECT_TIMEOUT))
        .ssl_opts(ssl);
    let mut connection = Conn::new(opts).map_err(|error| connect_error(url, &error))?;
    // The statement timeout: MySQL's name, then MariaDB's; a server that
    // knows neither still answers within the read timeout.
    let _ = connection.query_drop("SET SESSION max_execution_time = 10000");
    let _ = connection.query_drop("SET SESSION max_statement_time = 10");
    let query_error = |error: mysql::Error| DatabaseError::Query {
        url: shown.clone(),
        reason: url.mask_in(&error.to_string()),
    };
    let mut transaction = connection
        .start_transaction(TxOpts::default().set_access_mode(Some(AccessMode::ReadOnly)))
        .map_err(query_error)?;
    let schema = table.schema.clone();
    let columns: Vec<String> = transaction
        .exec(
            "SELECT CAST(COLUMN_NAME AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? \
             ORDER BY ORDINAL_POSITION",
            (schema.clone(), table.name.clone()),
        )
        .map_err(query_error)?;
    if columns.is_empty() {
        let tables: Vec<String> = transaction
            .exec(
                "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) ORDER BY TABLE_NAME LIMIT 30",
                (schema.clone(),),
            )
            .map_err(query_error)?;
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
    let qualified = match &schema {
        Some(schema) => format!(
            "{}.{}",
            quote_identifier(schema),
            quote_identifier(&table.name)
        ),
        None => quote_identifier(&table.name),
    };
    let rows: Vec<Option<String>> = transaction
        .query(format!("SELECT CAST(version_num AS CHAR) FROM {qualified}"))
        .map_err(query_error)?;
    transaction.rollback().map_err(query_error)?;
    Ok(rows)
}

/// A connection failure, sorted into what the user can act on.
fn connect_error(url: &DatabaseUrl, error: &mysql::Error) -> DatabaseError {
    let shown = url.to_string();
    let reason = url.mask_in(&error.to_string());
    match error {
        // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR
        mysql::Error::MySqlError(e) if e.code == 1045 => {
            DatabaseError::Credentials { url: shown, reason }
        }
        // ER_BAD_DB_ERROR
        mysql::Error::MySqlError(e) if e.code == 1049 => {
            DatabaseError::UnknownDatabase { url: shown, reason }
        }
        _ => DatabaseError::Unreachable { url: shown, reason },
    }
}

/// `` `name` ``, with inner backticks doubled.
fn quote_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params_of(text: &str) -> Params {
        params(&DatabaseUrl::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn authority_and_query() {
        let p = params_of("mysql+pymysql://scott:tiger@db:3307/app?charset=utf8mb4");
        assert_eq!(
            (p.host.as_str(), p.port, p.user.as_str()),
            ("db", 3307, "scott")
        );
        assert_eq!(p.dbname.as_deref(), Some("app"));
        assert_eq!(p.tls, Tls::Off);
        let p = params_of("mariadb://scott@/app?unix_socket=/run/mysqld/mysqld.sock");
        assert_eq!(p.socket.as_deref(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!(p.port, 3306);
    }

    #[test]
    fn tls_options() {
        for (query, tls) in [
            ("ssl_mode=DISABLED", Tls::Off),
            ("ssl_mode=preferred", Tls::Unverified),
            ("ssl_mode=REQUIRED", Tls::Unverified),
            ("ssl_mode=VERIFY_CA", Tls::VerifyCa),
            ("ssl_mode=VERIFY_IDENTITY", Tls::VerifyIdentity),
            ("ssl_ca=/etc/ca.pem", Tls::VerifyIdentity),
        ] {
            assert_eq!(
                params_of(&format!("mysql://u@h/db?{query}")).tls,
                tls,
                "{query}"
            );
        }
        let error = params(&DatabaseUrl::parse("mysql://u:pw@h/db?ssl_mode=sometimes").unwrap())
            .unwrap_err();
        assert!(error.to_string().contains("unknown ssl_mode"), "{error}");
    }

    /// Nothing listens on port 1: a clean "cannot reach", without the
    /// password.
    #[test]
    fn closed_port_is_unreachable() {
        let url = DatabaseUrl::parse("mysql+pymysql://scott:s3cret@127.0.0.1:1/app").unwrap();
        let error = read(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(error, DatabaseError::Unreachable { .. }),
            "{error}"
        );
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }
}
