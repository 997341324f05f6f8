//! No input makes the readers panic: arbitrary text through the ini parser,
//! interpolation, the legacy splitter and TOML `%`-formatting.

use proptest::prelude::*;

use crate::ini;

/// Text built from the characters that matter to the parsers, plus any
/// character at all.
fn ini_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("=".to_owned()),
            Just(":".to_owned()),
            Just("%".to_owned()),
            Just("%(".to_owned()),
            Just(")s".to_owned()),
            Just("\n".to_owned()),
            Just("\r".to_owned()),
            Just(" ".to_owned()),
            Just("#".to_owned()),
            Just("alembic".to_owned()),
            Just("DEFAULT".to_owned()),
            any::<char>().prop_map(String::from),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn ini_parse_and_get_never_panic(text in ini_text()) {
        if let Ok(parsed) = ini::parse(&text, &[("here", "/h%%")]) {
            let names: Vec<String> = parsed.section_names().map(str::to_owned).collect();
            for section in names.iter().map(String::as_str).chain([ini::DEFAULT_SECTION]) {
                let keys: Vec<String> = parsed.raw_items(section).keys().map(|k| (*k).to_owned()).collect();
                for key in keys {
                    let _ = parsed.get(section, &key);
                }
            }
        }
        let _ = ini::check_settable(&text);
    }

    #[test]
    fn value_helpers_never_panic(text in ini_text()) {
        let _ = crate::locations::legacy_split(&text, true);
        let _ = crate::pyproject::percent_format(&text, "/h");
        let _ = crate::paths::shown(&text);
    }
}
