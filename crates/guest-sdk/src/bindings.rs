//! The bindings wit-bindgen generates from `wit/`, world `guest`.
//!
//! Everything here is generated: the `slots:host` interfaces as nested modules
//! (`slots::host::patterns`, `slots::host::buckets`, `slots::host::introspect`),
//! the [`Guest`] trait a guest implements, and the `export!` macro that exports
//! it. The crate root re-exports the parts a guest needs under shorter names;
//! reach in here only for something the root does not re-export.
//!
//! The canonical ABI glue in this module is the only unsafe code of the SDK.

// wit-bindgen emits `unsafe` blocks for the ABI, `pub` items in private modules
// and undocumented modules; none of that is ours to fix.
#![allow(
    unsafe_code,
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::panic
)]

wit_bindgen::generate!({
    world: "guest",
    // Relative to this crate's Cargo.toml: `wit` links to the workspace's
    // `wit/`, so that the published crate carries the WIT it is built from.
    path: "wit",
    // Guests call `slots_guest_sdk::export!(MyGuest)`, so the macro must be
    // exported from this crate and must find these bindings through `$crate`
    // (which also keeps working if a guest renames the dependency).
    pub_export_macro: true,
    default_bindings_module: "$crate::bindings",
    // Records compare by value, so guests can `ensure_eq!` them.
    additional_derives: [PartialEq, Eq, Hash],
    // The WIT `error` variant gets a hand-written Rust type with a readable
    // `Display`; the generated one would print its `Debug` form.
    with: {
        "slots:host/types@0.1.0/error": crate::Error,
    },
});
