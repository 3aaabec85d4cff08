//! Turns a WIT world into Rust host bindings for slots on Wasmer: the code
//! behind `host_wasmer::bindgen!`.
//!
//! This crate is the generator; `host-wasmer-macro` is the thin proc macro
//! that parses the macro's options, loads the WIT with wit-parser and calls
//! [`generate`]. Keeping them apart lets the generator be tested on plain
//! [`Resolve`]s, without a macro expansion.
//!
//! For a world, [`generate`] emits:
//! - a module per imported interface (`ns::pkg::iface`, with a version
//!   segment when two versions of a package meet), holding a Rust type per
//!   record, variant, enum and flags (aliases as type aliases, resources as
//!   aliases of the embedder's types given in [`Options::with`]), each with
//!   its canonical ABI layout as constants and lift and lower code
//!   specialised to it;
//! - a trait per interface (`Host`, its free functions) and per resource
//!   (`Host<Resource>`: constructor, methods, statics, and a `drop` with a
//!   default), implemented by the embedder's per-instance data type;
//! - an `add_to_imports` per interface defining one typed Wasmer function
//!   per import in a `wasmer::Imports` the embedder owns;
//! - a world type (`Guest` for world `guest`) with `add_to_imports`,
//!   `instantiate`, `new`, and a typed `call_<export>` per export.
//!
//! The generated code calls the runtime in `host_wasmer::bindings`; nothing
//! of the canonical ABI is pasted into an expansion.
//!
//! # Examples
//!
//! ```
//! use host_wasmer_bindgen::{Options, generate};
//! use wit_parser::Resolve;
//!
//! let mut resolve = Resolve::default();
//! let pkg = resolve.push_str(
//!     "demo.wit",
//!     "package demo:math;
//!      interface api { add: func(a: u32, b: u32) -> u32; }
//!      world calc { import api; export run: func() -> u32; }",
//! )?;
//! let world = resolve.select_world(&[pkg], Some("calc"))?;
//! let code = generate(&resolve, world, &Options::default())?.to_string();
//! assert!(code.contains("pub trait Host"));
//! assert!(code.contains("fn call_run"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod abi_needs;
mod exports;
mod funcs;
mod gen_;
mod names;
mod shape;
mod types;
pub mod walk;

use std::collections::{BTreeMap, BTreeSet};

pub use abi_needs::AbiNeeds;

use proc_macro2::TokenStream;
use wit_parser::{Resolve, WorldId};

pub use gen_::generate;

/// How to generate bindings.
#[derive(Debug, Clone)]
pub struct Options {
    /// The embedder's Rust type for each WIT resource, as a path (`crate::Bucket`).
    ///
    /// Keys name a resource as `ns:pkg/iface/resource` (a version may follow
    /// the interface: `ns:pkg/iface@1.0.0/resource`), `iface/resource`, or
    /// just `resource` when that is unambiguous. Every resource of the world
    /// needs a type, and every key must name a resource.
    pub with: BTreeMap<String, TokenStream>,
    /// The imported functions whose `string` parameters the embedder takes
    /// as `&str` instead of `String`: lifted into a host buffer reused from
    /// call to call, so that a call allocates nothing for them (a keyed
    /// open whose key the instance already holds, say).
    ///
    /// Keys name a function as `ns:pkg/iface/func` (a version may follow
    /// the interface), `iface/func`, or `func` for a world-level function,
    /// where `func` is the WIT name (`[static]pattern.open`) or, for a
    /// resource's function, `resource.name` (`pattern.open`). Every key
    /// must name an imported function.
    pub borrow_strings: BTreeSet<String>,
    /// The path of the host-wasmer crate in generated code.
    pub runtime: TokenStream,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            with: BTreeMap::new(),
            borrow_strings: BTreeSet::new(),
            runtime: quote::quote!(::host_wasmer),
        }
    }
}

/// Why bindings could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A resource of the world has no Rust type in [`Options::with`].
    #[error(
        "resource `{resource}` has no Rust type: add `\"{resource}\": path::to::Type` to `with`"
    )]
    MissingResource {
        /// The resource, as `ns:pkg/iface/resource`.
        resource: String,
    },
    /// A key of [`Options::with`] names no resource of the world.
    #[error("`with` names `{key}`, which is no resource of the world (its resources: {known})")]
    UnknownWith {
        /// The key given.
        key: String,
        /// The resources the world has.
        known: String,
    },
    /// A key of [`Options::with`] names several resources.
    #[error("`with` key `{key}` names several resources ({matches}); write it in full")]
    AmbiguousWith {
        /// The key given.
        key: String,
        /// The resources it names.
        matches: String,
    },
    /// A key of [`Options::borrow_strings`] names no imported function.
    #[error(
        "`borrow_strings` names `{key}`, which is no imported function of the world (write `ns:pkg/iface/func`, `iface/func` or a world-level `func`)"
    )]
    UnknownFunction {
        /// The key given.
        key: String,
    },
    /// The world uses something the bindings do not support.
    #[error("`{item}` is not supported by bindgen: {reason}")]
    Unsupported {
        /// What is not supported.
        item: String,
        /// Why, or what to do instead.
        reason: &'static str,
    },
}

/// Generates the bindings for `world` of `resolve` as Rust source text,
/// formatted for reading (the codegen tests and `cargo expand`-like uses).
pub fn generate_source(
    resolve: &Resolve,
    world: WorldId,
    options: &Options,
) -> Result<String, Error> {
    Ok(generate(resolve, world, options)?.to_string())
}
