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
