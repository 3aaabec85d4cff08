//! Declarative macros that make Rust records, enums, flags and variants
//! stand for their WIT counterparts, with no hand-written ABI code.
//!
//! Names are matched at bind time, in declaration order: each WIT name is
//! spelled in Rust the way `bindgen!` spells it (host-wasmer-bindgen's
//! `names.rs`, on heck): `snake_case` for fields and flags, `UpperCamelCase`
//! for enum and variant cases, so `quota-exceeded` is `quota_exceeded` or
//! `QuotaExceeded`. A raw identifier (`r#type`) stands for the WIT name
//! without its prefix.

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::{TypeCheck, TypeMismatch};
use wit_parser::Type;

/// The Rust spelling of the WIT name `wit` of one of `what`: `"cases"`
/// are `UpperCamelCase`, `"fields"` and `"flags"` `snake_case`.
fn rust_name(wit: &str, what: &str) -> String {
    if what == "cases" {
        wit.to_upper_camel_case()
    } else {
        wit.to_snake_case()
    }
}

/// Whether the Rust name `rust` (as `stringify!` gives it) stands for the
/// WIT name `wit` of one of `what`.
fn spelled(wit: &str, what: &str, rust: &str) -> bool {
    rust_name(wit, what) == rust.strip_prefix("r#").unwrap_or(rust)
}

/// Compares the WIT names of a definition with the Rust ones, in order.
#[doc(hidden)]
pub fn check_names<R: ?Sized>(
    ty: &Type,
    cx: &TypeCheck<'_>,
    what: &str,
    wit: &[&str],
    rust: &[&str],
) -> Result<(), TypeMismatch> {
    if wit.len() != rust.len() {
        return Err(
            cx.mismatch_because::<R>(ty, format!("{} {what} against {}", wit.len(), rust.len()))
        );
    }
    for (w, r) in wit.iter().zip(rust) {
        if !spelled(w, what, r) {
            return Err(cx.mismatch_because::<R>(ty, format!("{what} `{w}` against Rust `{r}`")));
        }
    }
    Ok(())
}

/// Declares a Rust struct that stands for a WIT `record`.
///
/// # Examples
///
/// ```
/// host_wasmer::wit_record! {
///     /// A byte range.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub struct Span {
///         /// First byte.
///         pub start: u32,
///         /// One past the last byte.
///         pub end: u32,
///     }
/// }
/// let span = Span { start: 1, end: 4 };
/// assert_eq!(span.end - span.start, 3);
/// ```
#[macro_export]
macro_rules! wit_record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $fty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $fty, )*
        }

        impl $crate::typed::WitType for $name {
            fn check(
                ty: &$crate::__wit_parser::Type,
                cx: &$crate::typed::TypeCheck<'_>,
            ) -> ::std::result::Result<(), $crate::typed::TypeMismatch> {
                let Some($crate::__wit_parser::TypeDefKind::Record(record)) = cx.kind(ty) else {
                    return Err(cx.mismatch::<Self>(ty));
                };
                let wit: ::std::vec::Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
                $crate::typed::__check_names::<Self>(ty, cx, "fields", &wit, &[$(stringify!($field)),*])?;
                let mut fields = record.fields.iter();
                $(
                    if let Some(field) = fields.next() {
                        <$fty as $crate::typed::WitType>::check(&field.ty, cx)?;
                    }
                )*
                Ok(())
            }
        }

        impl $crate::typed::Lift for $name {
            fn lift(
                val: $crate::abi::Val,
                cx: &mut $crate::typed::LiftCx<'_>,
            ) -> ::std::result::Result<Self, $crate::HostError> {
                let $crate::abi::Val::Record(fields) = val else {
                    return Err($crate::HostError::Shape { rust: stringify!($name), found: val.kind() });
                };
                let mut fields = fields.into_iter();
                Ok(Self {
                    $(
                        $field: <$fty as $crate::typed::Lift>::lift(
                            fields.next().ok_or($crate::HostError::Shape {
                                rust: stringify!($name),
                                found: "a record with fewer fields",
                            })?,
                            cx,
                        )?,
                    )*
                })
            }
        }

        impl $crate::typed::Lower for $name {
            fn lower(
                self,
                cx: &mut $crate::typed::LowerCx<'_>,
            ) -> ::std::result::Result<$crate::abi::Val, $crate::HostError> {
                Ok($crate::abi::Val::Record(vec![
                    $( <$fty as $crate::typed::Lower>::lower(self.$field, cx)?, )*
                ]))
            }
        }
    };
}

/// Declares a Rust enum of unit cases that stands for a WIT `enum`.
///
/// # Examples
///
/// ```
/// host_wasmer::wit_enum! {
///     /// How urgent a message is.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Level { Low, High }
/// }
/// assert_ne!(Level::Low, Level::High);
/// ```
#[macro_export]
macro_rules! wit_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$cmeta:meta])* $case:ident ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$cmeta])* $case, )*
        }

        impl $name {
            const __CASES: &'static [$name] = &[$($name::$case),*];
        }

        impl $crate::typed::WitType for $name {
            fn check(
                ty: &$crate::__wit_parser::Type,
                cx: &$crate::typed::TypeCheck<'_>,
            ) -> ::std::result::Result<(), $crate::typed::TypeMismatch> {
                let Some($crate::__wit_parser::TypeDefKind::Enum(e)) = cx.kind(ty) else {
                    return Err(cx.mismatch::<Self>(ty));
                };
                let wit: ::std::vec::Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
                $crate::typed::__check_names::<Self>(ty, cx, "cases", &wit, &[$(stringify!($case)),*])
            }
        }

        impl $crate::typed::Lift for $name {
            fn lift(
                val: $crate::abi::Val,
                _: &mut $crate::typed::LiftCx<'_>,
            ) -> ::std::result::Result<Self, $crate::HostError> {
                match val {
                    $crate::abi::Val::Enum(case) => Self::__CASES
                        .get(case as usize)
                        .copied()
                        .ok_or($crate::HostError::Shape { rust: stringify!($name), found: "an enum case out of range" }),
                    other => Err($crate::HostError::Shape { rust: stringify!($name), found: other.kind() }),
                }
            }
        }

        impl $crate::typed::Lower for $name {
            fn lower(
                self,
                _: &mut $crate::typed::LowerCx<'_>,
            ) -> ::std::result::Result<$crate::abi::Val, $crate::HostError> {
                Ok($crate::abi::Val::Enum(self as u32))
            }
        }
    };
}

/// Declares a Rust struct of `bool`s that stands for a WIT `flags`.
///
/// # Examples
///
/// ```
/// host_wasmer::wit_flags! {
///     /// How to open a file.
///     #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
///     pub struct OpenFlags { pub read: bool, pub write: bool }
/// }
/// let flags = OpenFlags { read: true, ..Default::default() };
/// assert!(flags.read && !flags.write);
/// ```
#[macro_export]
macro_rules! wit_flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $flag:ident : bool ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $flag: bool, )*
        }

        impl $crate::typed::WitType for $name {
            fn check(
                ty: &$crate::__wit_parser::Type,
                cx: &$crate::typed::TypeCheck<'_>,
            ) -> ::std::result::Result<(), $crate::typed::TypeMismatch> {
                let Some($crate::__wit_parser::TypeDefKind::Flags(flags)) = cx.kind(ty) else {
                    return Err(cx.mismatch::<Self>(ty));
                };
                let wit: ::std::vec::Vec<&str> = flags.flags.iter().map(|f| f.name.as_str()).collect();
                $crate::typed::__check_names::<Self>(ty, cx, "flags", &wit, &[$(stringify!($flag)),*])
            }
        }

        impl $crate::typed::Lift for $name {
            #[allow(unused_assignments)]
            fn lift(
                val: $crate::abi::Val,
                _: &mut $crate::typed::LiftCx<'_>,
            ) -> ::std::result::Result<Self, $crate::HostError> {
                let $crate::abi::Val::Flags(set) = val else {
                    return Err($crate::HostError::Shape { rust: stringify!($name), found: val.kind() });
                };
                let mut index = 0u32;
                $(
                    let $flag = set.contains(&index);
                    index += 1;
                )*
                Ok(Self { $($flag),* })
            }

            /// Up to 32 flags are one `i32`, read with no `Val`; bits past
            /// the last flag are ignored, as the canonical ABI has it.
            #[allow(unused_assignments)]
            #[inline]
            fn lift_direct(
                call: &mut $crate::typed::DirectCall<'_>,
                cx: &mut $crate::typed::LiftCx<'_>,
            ) -> ::std::result::Result<Self, $crate::HostError> {
                let count = [$(stringify!($flag)),*].len();
                let word = match $crate::typed::__flags_word(call, count)? {
                    Ok(word) => word,
                    Err(val) => return Self::lift(val, cx),
                };
                let mut index = 0u32;
                $(
                    let $flag = index < 32 && word & (1 << index) != 0;
                    index += 1;
                )*
                Ok(Self { $($flag),* })
            }
        }

        impl $crate::typed::Lower for $name {
            #[allow(unused_assignments)]
            fn lower(
                self,
                _: &mut $crate::typed::LowerCx<'_>,
            ) -> ::std::result::Result<$crate::abi::Val, $crate::HostError> {
                let mut set = ::std::vec::Vec::new();
                let mut index = 0u32;
                $(
                    if self.$flag {
                        set.push(index);
                    }
                    index += 1;
                )*
                Ok($crate::abi::Val::Flags(set))
            }
        }
    };
}

/// Declares a Rust enum that stands for a WIT `variant`: each case has no
/// payload or exactly one.
///
/// # Examples
///
/// ```
/// host_wasmer::wit_variant! {
///     /// Why an operation failed.
///     #[derive(Debug, Clone, PartialEq, Eq)]
///     pub enum Failure {
///         /// Not there.
///         Missing,
///         /// Malformed, and how.
///         Invalid(String),
///     }
/// }
/// assert_eq!(Failure::Invalid("x".into()), Failure::Invalid("x".into()));
/// ```
#[macro_export]
macro_rules! wit_variant {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$cmeta:meta])* $case:ident $( ( $payload:ty ) )? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$cmeta])* $case $( ( $payload ) )?, )*
        }

        impl $crate::typed::WitType for $name {
            fn check(
                ty: &$crate::__wit_parser::Type,
                cx: &$crate::typed::TypeCheck<'_>,
            ) -> ::std::result::Result<(), $crate::typed::TypeMismatch> {
                let Some($crate::__wit_parser::TypeDefKind::Variant(variant)) = cx.kind(ty) else {
                    return Err(cx.mismatch::<Self>(ty));
                };
                let wit: ::std::vec::Vec<&str> = variant.cases.iter().map(|c| c.name.as_str()).collect();
                $crate::typed::__check_names::<Self>(ty, cx, "cases", &wit, &[$(stringify!($case)),*])?;
                let mut cases = variant.cases.iter();
                $(
                    if let Some(case) = cases.next() {
                        $crate::wit_variant!(@check cx, ty, case $(, $payload)?);
                    }
                )*
                Ok(())
            }
        }

        impl $crate::typed::Lift for $name {
            #[allow(unused_assignments, unused_variables)]
            fn lift(
                val: $crate::abi::Val,
                cx: &mut $crate::typed::LiftCx<'_>,
            ) -> ::std::result::Result<Self, $crate::HostError> {
                let $crate::abi::Val::Variant { case, payload } = val else {
                    return Err($crate::HostError::Shape { rust: stringify!($name), found: val.kind() });
                };
                let mut index = 0u32;
                $(
                    if case == index {
                        return Ok($crate::wit_variant!(@lift cx, payload, $name, $case $(, $payload)?));
                    }
                    index += 1;
                )*
                Err($crate::HostError::Shape { rust: stringify!($name), found: "a variant case out of range" })
            }
        }

        impl $crate::typed::Lower for $name {
            #[allow(unused_assignments)]
            fn lower(
                self,
                cx: &mut $crate::typed::LowerCx<'_>,
            ) -> ::std::result::Result<$crate::abi::Val, $crate::HostError> {
                let mut index = 0u32;
                $(
                    $crate::wit_variant!(@lower self, cx, index, $name, $case $(, $payload)?);
                    index += 1;
                )*
                Err($crate::HostError::Shape { rust: stringify!($name), found: "no case" })
            }
        }
    };
    (@check $cx:ident, $ty:ident, $case:ident) => {
        if $case.ty.is_some() {
            return Err($cx.mismatch_because::<Self>($ty, format!("case `{}` has a payload", $case.name)));
        }
    };
    (@check $cx:ident, $ty:ident, $case:ident, $payload:ty) => {
        match &$case.ty {
            Some(payload) => <$payload as $crate::typed::WitType>::check(payload, $cx)?,
            None => return Err($cx.mismatch_because::<Self>($ty, format!("case `{}` has no payload", $case.name))),
        }
    };
    (@lift $cx:ident, $val:ident, $name:ident, $case:ident) => {
        $name::$case
    };
    (@lift $cx:ident, $val:ident, $name:ident, $case:ident, $payload:ty) => {
        $name::$case(<$payload as $crate::typed::Lift>::lift(
            *$val.ok_or($crate::HostError::Shape { rust: stringify!($name), found: "no payload" })?,
            $cx,
        )?)
    };
    (@lower $self:ident, $cx:ident, $index:ident, $name:ident, $case:ident) => {
        if let $name::$case = $self {
            return Ok($crate::abi::Val::Variant { case: $index, payload: None });
        }
    };
    (@lower $self:ident, $cx:ident, $index:ident, $name:ident, $case:ident, $payload:ty) => {
        if let $name::$case(value) = $self {
            return Ok($crate::abi::Val::Variant {
                case: $index,
                payload: Some(Box::new(<$payload as $crate::typed::Lower>::lower(value, $cx)?)),
            });
        }
    };
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use heck::ToKebabCase;
    use wit_parser::{Resolve, TypeDefKind};

    use super::{rust_name, spelled};

    /// The comparison heck replaced: the Rust name with each `_` made `-`
    /// and each capital after the first made `-` and lowercase. A Rust
    /// name it matched with a WIT name must still match.
    fn hand_kebab(rust: &str) -> String {
        let mut out = String::new();
        for (i, c) in rust.chars().enumerate() {
            match c {
                '_' => out.push('-'),
                c if c.is_ascii_uppercase() => {
                    if i > 0 {
                        out.push('-');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Every field, flag and case name of the WIT the workspace's tests
    /// use: `wit/`, and host-wasmer's test worlds.
    fn wit_names() -> Vec<(&'static str, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut resolve = Resolve::default();
        for path in [
            "../../wit",
            "tests/support/shapes.wit",
            "tests/codegen/every-type",
        ] {
            resolve
                .push_path(root.join(path))
                .expect("the test WIT parses");
        }
        let mut names = Vec::new();
        for (_, def) in resolve.types.iter() {
            match &def.kind {
                TypeDefKind::Record(r) => {
                    names.extend(r.fields.iter().map(|f| ("fields", f.name.clone())));
                }
                TypeDefKind::Flags(f) => {
                    names.extend(f.flags.iter().map(|f| ("flags", f.name.clone())));
                }
                TypeDefKind::Enum(e) => {
                    names.extend(e.cases.iter().map(|c| ("cases", c.name.clone())));
                }
                TypeDefKind::Variant(v) => {
                    names.extend(v.cases.iter().map(|c| ("cases", c.name.clone())));
                }
                _ => {}
            }
        }
        names
    }

    #[test]
    fn every_wit_name_the_tests_use_is_spelled_as_the_hand_written_kebab_matched_it() {
        let names = wit_names();
        assert!(names.len() > 50, "only {} names found", names.len());
        for (what, wit) in &names {
            let rust = rust_name(wit, what);
            assert_eq!(hand_kebab(&rust), *wit, "{what} `{wit}` as `{rust}`");
            assert_eq!(rust.to_kebab_case(), *wit, "{what} `{wit}` as `{rust}`");
        }
    }

    #[test]
    fn the_rust_names_of_the_macro_tests_are_their_wit_names() {
        let pairs = [
            ("fields", "live-handles", "live_handles"),
            ("fields", "intern-hits", "intern_hits"),
            ("fields", "cache-misses", "cache_misses"),
            ("fields", "x", "x"),
            ("fields", "initial", "initial"),
            ("flags", "exec", "exec"),
            ("cases", "red", "Red"),
            ("cases", "circle", "Circle"),
            ("cases", "quota-exceeded", "QuotaExceeded"),
            ("cases", "utf8-error", "Utf8Error"),
            ("cases", "i-o", "IO"),
        ];
        for (what, wit, rust) in pairs {
            assert!(spelled(wit, what, rust), "{what} `{wit}` as `{rust}`");
            assert_eq!(hand_kebab(rust), wit, "{what} `{wit}`");
        }
    }

    #[test]
    fn a_raw_identifier_stands_for_the_wit_name_without_its_prefix() {
        assert!(spelled("type", "fields", "r#type"));
        assert!(spelled("match", "cases", "Match"));
        assert!(!spelled("r-type", "fields", "r#type"));
    }

    #[test]
    fn a_field_is_snake_case_and_a_case_camel_case() {
        assert!(spelled("quota-exceeded", "fields", "quota_exceeded"));
        assert!(!spelled("quota-exceeded", "fields", "QuotaExceeded"));
        assert!(spelled("quota-exceeded", "cases", "QuotaExceeded"));
        assert!(!spelled("quota-exceeded", "cases", "quota_exceeded"));
    }

    #[test]
    fn wit_words_in_upper_case_or_starting_with_a_digit_have_a_rust_spelling() {
        assert!(spelled("HTTP-error", "cases", "HttpError"));
        assert!(spelled("HTTP-error", "fields", "http_error"));
        assert!(spelled("tier-2", "cases", "Tier2"));
        assert!(spelled("tier-2", "fields", "tier_2"));
    }
}
