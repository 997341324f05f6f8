//! Whether `MySQL` widens a `VARCHAR` in place. `InnoDB` stores a `VARCHAR`'s
//! length in one byte up to 255 bytes and in two beyond; a longer
//! `VARCHAR` that keeps the same number of length bytes is changed in the
//! table's metadata (`ALGORITHM=INPLACE`, no copy), one that crosses 255
//! bytes copies the table. The bytes are the characters times the
//! character set's widest character, so the character set decides.
//! <https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html#online-ddl-column-operations>

/// What is known about a `VARCHAR(n)` → `VARCHAR(m)` change on MySQL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Widening {
    /// Not a `VARCHAR` widening in one character set: judged as any other
    /// type change.
    Other,
    /// In place: the length bytes stay the same.
    InPlace,
    /// The length crosses 255 bytes: the table is copied. `assumed` when
    /// neither type names the character set.
    Copies {
        charset: String,
        assumed: bool,
        old_bytes: u64,
        new_bytes: u64,
    },
}

/// The character set assumed when a type names none: MySQL 8's default,
/// and the widest common one, so "stays under 255 bytes" holds for any
/// narrower set as well.
pub(crate) const ASSUMED_CHARSET: &str = "utf8mb4";

/// Judge `old` → `new` (SQLAlchemy type sources such as `sa.String(50)`,
/// `mysql.VARCHAR(100, charset="latin1")`).
pub(crate) fn widening(old: &str, new: &str) -> Widening {
    let (Some(old), Some(new)) = (Varchar::parse(old), Varchar::parse(new)) else {
        return Widening::Other;
    };
    if new.chars < old.chars || old.national != new.national {
        return Widening::Other;
    }
    // A character set named on one side only may be a conversion.
    let charset = match (&old.charset, &new.charset) {
        (Some(a), Some(b)) if a != b => return Widening::Other,
        (Some(_), None) | (None, Some(_)) => return Widening::Other,
        (Some(a), Some(_)) => Some(a.clone()),
        (None, None) => None,
    };
    let national = old.national;
    let (charset, assumed) = match charset {
        Some(charset) => (charset, false),
        // `NVARCHAR` is MySQL's national character set, utf8mb3.
        None if national => ("utf8mb3".to_owned(), false),
        None => (ASSUMED_CHARSET.to_owned(), true),
    };
    let Some(width) = max_bytes_per_char(&charset) else {
        return Widening::Other;
    };
    let old_bytes = old.chars * width;
    let new_bytes = new.chars * width;
    if (old_bytes <= 255) == (new_bytes <= 255) {
        Widening::InPlace
    } else {
        Widening::Copies {
            charset,
            assumed,
            old_bytes,
            new_bytes,
        }
    }
}

/// A `VARCHAR` as a type source spells it.
struct Varchar {
    chars: u64,
    charset: Option<String>,
    /// `NVARCHAR` / `NCHAR VARCHAR`: the national character set.
    national: bool,
}

impl Varchar {
    fn parse(source: &str) -> Option<Self> {
        let (name, args) = source.split_once('(')?;
        let args = args.strip_suffix(')')?;
        let kind = name.rsplit('.').next()?.trim().to_ascii_lowercase();
        let national = match kind.as_str() {
            "string" | "varchar" | "unicode" => false,
            "nvarchar" => true,
            _ => return None,
        };
        let mut chars = None;
        let mut charset = None;
        for (index, arg) in args.split(',').map(str::trim).enumerate() {
            match arg.split_once('=') {
                Some((key, value)) => {
                    let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
                    match key.trim() {
                        "length" => chars = value.parse().ok(),
                        "charset" => charset = Some(value),
                        // A collation is named after its character set.
                        "collation" if charset.is_none() => {
                            charset = value.split('_').next().map(str::to_owned);
                        }
                        "national" => return None,
                        _ => {}
                    }
                }
                None if index == 0 => chars = arg.parse().ok(),
                None => {}
            }
        }
        Some(Self {
            chars: chars?,
            charset,
            national,
        })
    }
}

/// The widest character of a MySQL character set, in bytes.
fn max_bytes_per_char(charset: &str) -> Option<u64> {
    Some(match charset {
        "latin1" | "latin2" | "latin5" | "latin7" | "ascii" | "binary" | "cp1250" | "cp1251"
        | "cp1256" | "cp1257" | "cp850" | "cp852" | "cp866" | "greek" | "hebrew" | "koi8r"
        | "koi8u" | "swe7" | "tis620" | "armscii8" | "dec8" | "hp8" | "keybcs2" | "macce"
        | "macroman" | "geostd8" => 1,
        "ucs2" | "big5" | "gbk" | "sjis" | "cp932" | "euckr" | "gb2312" => 2,
        "utf8" | "utf8mb3" | "ujis" | "eucjpms" => 3,
        "utf8mb4" | "utf16" | "utf16le" | "utf32" | "gb18030" => 4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_255_byte_boundary_decides() {
        // utf8mb4 assumed: 4 bytes a character, 63 characters fit in 252.
        assert_eq!(
            widening("sa.String(50)", "sa.String(63)"),
            Widening::InPlace
        );
        assert_eq!(
            widening("sa.String(100)", "sa.String(255)"),
            Widening::InPlace
        );
        assert_eq!(
            widening("sa.String(50)", "sa.String(100)"),
            Widening::Copies {
                charset: "utf8mb4".to_owned(),
                assumed: true,
                old_bytes: 200,
                new_bytes: 400
            }
        );
        // latin1: a byte a character.
        assert_eq!(
            widening(
                "mysql.VARCHAR(50, charset='latin1')",
                "mysql.VARCHAR(length=255, charset='latin1')"
            ),
            Widening::InPlace
        );
        assert!(matches!(
            widening(
                "sa.String(200, collation='latin1_swedish_ci')",
                "sa.String(300, collation='latin1_swedish_ci')"
            ),
            Widening::Copies { assumed: false, .. }
        ));
        // Shorter, another type, another character set: not a widening.
        assert_eq!(widening("sa.String(50)", "sa.String(40)"), Widening::Other);
        assert_eq!(widening("sa.String(50)", "sa.Text()"), Widening::Other);
        assert_eq!(
            widening("sa.String(50)", "sa.String(60, charset='latin1')"),
            Widening::Other
        );
        assert_eq!(widening("sa.String()", "sa.String(60)"), Widening::Other);
    }
}
