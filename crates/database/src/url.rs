//! SQLAlchemy database URLs, parsed as `sqlalchemy.engine.url.make_url`
//! parses them (the same regular expression, written out by hand), and
//! rendered with the password masked as `URL.render_as_string()` does.
//!
//! The password is kept only to connect: [`DatabaseUrl`]'s `Debug` and
//! `Display` both mask it, so a URL can be printed anywhere.

use std::fmt;

/// The database a URL names, from its scheme (`+driver` is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `postgresql://`, `postgres://` and `postgresql+<driver>://`.
    Postgres,
    /// `mysql://`, `mysql+<driver>://`.
    MySql,
    /// `mariadb://`, `mariadb+<driver>://`.
    MariaDb,
    /// `sqlite://`, `sqlite+<driver>://`.
    Sqlite,
}

impl Dialect {
    /// The name SQLAlchemy gives the dialect.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgresql",
            Dialect::MySql => "mysql",
            Dialect::MariaDb => "mariadb",
            Dialect::Sqlite => "sqlite",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a URL could not be used. Never contains the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not `scheme://...` at all.
    #[error(
        "cannot parse the database URL {shown}: SQLAlchemy URLs look like \
         `postgresql://user:password@host:5432/dbname` or `sqlite:///app.db`"
    )]
    Unparsable {
        /// The text, masked as well as it can be.
        shown: String,
    },
    /// A scheme alembic-doctor cannot read.
    #[error(
        "the database URL {shown} is for `{backend}`, which alembic-doctor cannot read; \
         it reads postgresql, mysql, mariadb and sqlite"
    )]
    UnknownDialect {
        /// The URL, masked.
        shown: String,
        /// The scheme without its driver.
        backend: String,
    },
    /// The port is not a number.
    #[error("the database URL {shown} has a port that is not a number: `{port}`")]
    BadPort {
        /// The URL, masked.
        shown: String,
        /// The port as written.
        port: String,
    },
}

/// A parsed SQLAlchemy URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// The scheme as written, driver included (`postgresql+psycopg`).
    pub drivername: String,
    /// The database the scheme names.
    pub dialect: Dialect,
    /// The user name, percent-decoded.
    pub username: Option<String>,
    password: Option<String>,
    /// The host (an IPv6 address without its brackets).
    pub host: Option<String>,
    /// The port.
    pub port: Option<u16>,
    /// The database name (SQLite: the file path, `:memory:`, or a `file:`
    /// URI), percent-decoded.
    pub database: Option<String>,
    /// The query options in order, percent-decoded (`sslmode=require`).
    pub query: Vec<(String, String)>,
}

impl DatabaseUrl {
    /// Parse `text` as `sqlalchemy.engine.make_url` does.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let text = text.trim();
        let parts = split(text).ok_or_else(|| UrlError::Unparsable {
            shown: mask_unparsed(text),
        })?;
        let backend = parts.name.split('+').next().unwrap_or_default().to_owned();
        let dialect = match backend.as_str() {
            "postgresql" | "postgres" => Some(Dialect::Postgres),
            "mysql" => Some(Dialect::MySql),
            "mariadb" => Some(Dialect::MariaDb),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        };
        let port = match parts.port {
            Some(port) if !port.is_empty() => {
                Some(port.parse::<u16>().map_err(|_| UrlError::BadPort {
                    shown: mask_unparsed(text),
                    port: port.to_owned(),
                })?)
            }
            _ => None,
        };
        let url = DatabaseUrl {
            drivername: parts.name.to_owned(),
            dialect: dialect.unwrap_or(Dialect::Sqlite),
            username: parts.username.map(percent_decode),
            password: parts.password.map(percent_decode),
            host: parts.host.filter(|h| !h.is_empty()).map(str::to_owned),
            port,
            database: parts.database.map(percent_decode),
            query: parts.query.map(parse_query).unwrap_or_default(),
        };
        if dialect.is_none() {
            return Err(UrlError::UnknownDialect {
                shown: url.to_string(),
                backend,
            });
        }
        Ok(url)
    }

    /// The password, for connecting only.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The last value of query option `key`, if given.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Replace every appearance of the password in `text` (as written and
    /// percent-encoded) with `***`: for messages that come from drivers,
    /// which may quote the URL or the connection string.
    pub fn mask_in(&self, text: &str) -> String {
        let Some(password) = self.password.as_deref().filter(|p| !p.is_empty()) else {
            return text.to_owned();
        };
        let mut out = text.replace(password, "***");
        let encoded = quote(password, "");
        if encoded != password {
            out = out.replace(&encoded, "***");
        }
        out
    }
}

impl fmt::Display for DatabaseUrl {
    /// `URL.render_as_string(hide_password=True)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.drivername)?;
        if let Some(username) = &self.username {
            f.write_str(&quote(username, " +"))?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        if let Some(host) = &self.host {
            if host.contains(':') {
                write!(f, "[{host}]")?;
            } else {
                f.write_str(host)?;
            }
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(database) = &self.database {
            write!(f, "/{}", quote(database, " +/"))?;
        }
        if !self.query.is_empty() {
            let mut keys: Vec<&(String, String)> = self.query.iter().collect();
            // Sorted by key, values of one key in their order.
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            let rendered: Vec<String> = keys
                .iter()
                .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
                .collect();
            write!(f, "?{}", rendered.join("&"))?;
        }
        Ok(())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// The regular expression's groups.
struct Parts<'a> {
    name: &'a str,
    username: Option<&'a str>,
    password: Option<&'a str>,
    host: Option<&'a str>,
    port: Option<&'a str>,
    database: Option<&'a str>,
    query: Option<&'a str>,
}

/// SQLAlchemy's pattern, matched from the start of `text` as `re.match`
/// does (trailing text after the query cannot exist: the query takes the
/// rest):
///
/// ```text
/// (?P<name>[\w\+]+)://
/// (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
/// (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
/// (?:/(?P<database>[^\?]*))?
/// (?:\?(?P<query>.*))?
/// ```
fn split(text: &str) -> Option<Parts<'_>> {
    let (name, rest) = text.split_once("://")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '+')
    {
        return None;
    }
    let (username, password, rest) = userinfo(rest);
    // Host: `[v6]` or a run without `/:?`; then `:port` up to `/` or `?`.
    let mut host = None;
    let mut rest = rest;
    if let Some(inner) = rest.strip_prefix('[')
        && let Some(end) = inner.find(']')
        && end > 0
        && !inner[..end].contains(['/', '?'])
    {
        host = Some(&inner[..end]);
        rest = &inner[end + 1..];
    } else {
        let end = rest.find(['/', ':', '?']).unwrap_or(rest.len());
        if end > 0 {
            host = Some(&rest[..end]);
            rest = &rest[end..];
        }
    }
    let mut port = None;
    if let Some(after) = rest.strip_prefix(':') {
        let end = after.find(['/', '?']).unwrap_or(after.len());
        port = Some(&after[..end]);
        rest = &after[end..];
    }
    let mut database = None;
    if let Some(after) = rest.strip_prefix('/') {
        let end = after.find('?').unwrap_or(after.len());
        database = Some(&after[..end]);
        rest = &after[end..];
    }
    let query = rest.strip_prefix('?');
    if query.is_none() && !rest.is_empty() {
        // Only after a bracketed IPv6 host (`[::1]x`): SQLAlchemy's
        // `re.match` would drop the rest silently; refusing is clearer.
        return None;
    }
    Some(Parts {
        name,
        username,
        password,
        host,
        port,
        database,
        query,
    })
}

/// The optional `username[:password]@` group, with the regular
/// expression's backtracking: with a password, the user name runs to the
/// first `:` and the password to the next `@`; without one, the user name
/// runs to the last `@` before the first `:` or `/`.
fn userinfo(rest: &str) -> (Option<&str>, Option<&str>, &str) {
    let user_end = rest.find([':', '/']).unwrap_or(rest.len());
    if rest[user_end..].starts_with(':') {
        let after = &rest[user_end + 1..];
        if let Some(at) = after.find('@') {
            return (
                Some(&rest[..user_end]),
                Some(&after[..at]),
                &after[at + 1..],
            );
        }
    }
    match rest[..user_end].rfind('@') {
        Some(at) => (Some(&rest[..at]), None, &rest[at + 1..]),
        None => (None, None, rest),
    }
}

/// `urllib.parse.parse_qsl` (blank values dropped, `+` is a space).
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split(['&', ';'])
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            if value.is_empty() {
                return None;
            }
            Some((
                percent_decode(&key.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            ))
        })
        .collect()
}

/// `urllib.parse.unquote`: `%XX` escapes decoded as UTF-8, invalid bytes
/// replaced.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// `urllib.parse.quote(text, safe=safe)`.
fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || b"_.-~".contains(&byte)
            || safe.as_bytes().contains(&byte)
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `urllib.parse.quote_plus`.
fn quote_plus(text: &str) -> String {
    quote(text, " ").replace(' ', "+")
}

/// A text that is not a URL may still hold a password: show the scheme
/// and what follows the last `@`, if any.
fn mask_unparsed(text: &str) -> String {
    match (text.split_once("://"), text.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("`{scheme}://***@{}`", &text[at + 1..]),
        _ if text.contains('@') => "(not shown: it may contain a password)".to_owned(),
        _ => format!("`{text}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DatabaseUrl {
        DatabaseUrl::parse(text).unwrap()
    }

    #[test]
    fn postgres_with_driver_port_and_query() {
        let url = parse("postgresql+psycopg://scott:tiger@db.example.com:5433/app?sslmode=require");
        assert_eq!(url.dialect, Dialect::Postgres);
        assert_eq!(url.drivername, "postgresql+psycopg");
        assert_eq!(url.username.as_deref(), Some("scott"));
        assert_eq!(url.password(), Some("tiger"));
        assert_eq!(url.host.as_deref(), Some("db.example.com"));
        assert_eq!(url.port, Some(5433));
        assert_eq!(url.database.as_deref(), Some("app"));
        assert_eq!(url.query_value("sslmode"), Some("require"));
        assert_eq!(
            url.to_string(),
            "postgresql+psycopg://scott:***@db.example.com:5433/app?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("tiger"));
    }

    #[test]
    fn every_scheme_of_the_issue() {
        for (text, dialect) in [
            ("postgresql://u@h/db", Dialect::Postgres),
            ("postgres://u@h/db", Dialect::Postgres),
            ("postgresql+psycopg2://u@h/db", Dialect::Postgres),
            ("mysql+pymysql://u:p@h/db", Dialect::MySql),
            ("mysql://u:p@h/db", Dialect::MySql),
            ("mariadb://u:p@h/db", Dialect::MariaDb),
            ("mariadb+mariadbconnector://u:p@h/db", Dialect::MariaDb),
            ("sqlite:///relative.db", Dialect::Sqlite),
            ("sqlite+pysqlite:///relative.db", Dialect::Sqlite),
        ] {
            assert_eq!(parse(text).dialect, dialect, "{text}");
        }
    }

    #[test]
    fn sqlite_paths_as_sqlalchemy_reads_them() {
        assert_eq!(
            parse("sqlite:///relative.db").database.as_deref(),
            Some("relative.db")
        );
        assert_eq!(
            parse("sqlite:////absolute/app.db").database.as_deref(),
            Some("/absolute/app.db")
        );
        assert_eq!(parse("sqlite://").database, None);
        assert_eq!(
            parse("sqlite:///:memory:").database.as_deref(),
            Some(":memory:")
        );
        assert_eq!(parse("sqlite:///a b.db").to_string(), "sqlite:///a b.db");
    }

    #[test]
    fn passwords_with_special_characters() {
        // Percent-encoded `@` and `:` in the password, as SQLAlchemy's docs
        // tell users to write them.
        let url = parse("postgresql://user:p%40ss%3Aw0rd@host/db");
        assert_eq!(url.password(), Some("p@ss:w0rd"));
        assert_eq!(url.host.as_deref(), Some("host"));
        assert_eq!(url.to_string(), "postgresql://user:***@host/db");
        // The regular expression stops the password at the first `@`.
        let url = parse("postgresql://user:pa@ss@host/db");
        assert_eq!(url.password(), Some("pa"));
        assert_eq!(url.host.as_deref(), Some("ss@host"));
        // No password: the user name runs to the last `@`.
        let url = parse("mysql://a@b@host:3306/db");
        assert_eq!(url.username.as_deref(), Some("a@b"));
        assert_eq!(url.password(), None);
        assert_eq!(url.port, Some(3306));
        // `user@host:port` is not a password.
        let url = parse("postgresql://a@b:5432/db");
        assert_eq!(url.username.as_deref(), Some("a"));
        assert_eq!(url.host.as_deref(), Some("b"));
        assert_eq!(url.port, Some(5432));
    }

    #[test]
    fn ipv6_hosts() {
        let url = parse("postgresql://u:secret@[::1]:5432/db");
        assert_eq!(url.host.as_deref(), Some("::1"));
        assert_eq!(url.port, Some(5432));
        assert_eq!(url.to_string(), "postgresql://u:***@[::1]:5432/db");
    }

    #[test]
    fn query_options_keep_order_and_render_sorted() {
        let url = parse("postgresql://h/db?sslmode=verify-full&application_name=x+y&empty=");
        assert_eq!(
            url.query,
            vec![
                ("sslmode".to_owned(), "verify-full".to_owned()),
                ("application_name".to_owned(), "x y".to_owned()),
            ]
        );
        assert_eq!(
            url.to_string(),
            "postgresql://h/db?application_name=x+y&sslmode=verify-full"
        );
    }

    #[test]
    fn errors_never_show_the_password() {
        let error = DatabaseUrl::parse("oracle://scott:tiger@h/db").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("oracle"), "{text}");
        assert!(!text.contains("tiger"), "{text}");
        let error = DatabaseUrl::parse("scott:tiger@h/db").unwrap_err();
        assert!(!error.to_string().contains("tiger"), "{error}");
        let error = DatabaseUrl::parse("postgresql://scott:tiger@h:notaport/db").unwrap_err();
        assert!(!error.to_string().contains("tiger"), "{error}");
        assert!(error.to_string().contains("notaport"), "{error}");
    }

    #[test]
    fn driver_messages_are_masked() {
        let url = parse("postgresql://u:p%40ss@h/db");
        assert_eq!(
            url.mask_in("password authentication failed (p@ss, p%40ss)"),
            "password authentication failed (***, ***)"
        );
    }
}
