//! Rust names for WIT names: `kebab-case` to `snake_case` and
//! `UpperCamelCase`, keywords escaped.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust's keywords, which WIT names may be.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// An identifier for `name`, raw when it is a keyword.
pub(crate) fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        match name {
            // These cannot be raw identifiers.
            "crate" | "self" | "Self" | "super" => {
                Ident::new(&format!("{name}_"), Span::call_site())
            }
            _ => Ident::new_raw(name, Span::call_site()),
        }
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `snake_case` identifier for a WIT name.
pub(crate) fn snake(name: &str) -> Ident {
    ident(&name.to_snake_case())
}

/// `UpperCamelCase` identifier for a WIT name.
pub(crate) fn camel(name: &str) -> Ident {
    ident(&name.to_upper_camel_case())
}

#[cfg(test)]
mod tests {
    use super::{camel, snake};

    #[test]
    fn the_names_of_the_slots_world_are_spelled_as_rust_spells_them() {
        let cases = [
            ("find-all", "find_all", "FindAll"),
            ("keys-matching", "keys_matching", "KeysMatching"),
            ("match-options", "match_options", "MatchOptions"),
            ("redeem-error", "redeem_error", "RedeemError"),
            ("live-handles", "live_handles", "LiveHandles"),
            ("guest", "guest", "Guest"),
            ("utf8-error", "utf8_error", "Utf8Error"),
            ("i-o", "i_o", "IO"),
        ];
        for (wit, snake_name, camel_name) in cases {
            assert_eq!(snake(wit).to_string(), snake_name, "{wit}");
            assert_eq!(camel(wit).to_string(), camel_name, "{wit}");
        }
    }

    #[test]
    fn a_keyword_is_raw_or_given_a_trailing_underscore() {
        assert_eq!(snake("type").to_string(), "r#type");
        assert_eq!(snake("match").to_string(), "r#match");
        assert_eq!(snake("self").to_string(), "self_");
        assert_eq!(camel("self").to_string(), "Self_");
        assert_eq!(camel("type").to_string(), "Type");
    }
}
