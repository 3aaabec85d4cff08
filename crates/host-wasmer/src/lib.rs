//! Wasmer host bindings for slots: give guests real, safe handles to host
//! objects, bound from a WIT world.
//!
//! An embedder:
//! 1. loads the WIT world its guests are built against ([`GuestWorld`]);
//! 2. makes a [`SharedHost`], the cache and limits all instances share;
//! 3. binds a Rust type to each WIT resource and a typed closure to each
//!    WIT function ([`Linker::resource`], [`Linker::func`]); the closure's
//!    types are checked against the WIT signature right there;
//! 4. instantiates guests ([`Linker::instantiate`]): the module is checked
//!    against the world first, and every problem is reported at once.
//!
//! Every instance gets its own handle table (a [`slots_core::ResourceTable`])
//! in its Wasmer `FunctionEnv`. A forged, stale, dropped or wrong-type
//! handle, a pointer outside memory, bad UTF-8, or a full table becomes a
//! trap whose message names the import, the resource type and the handle
//! ([`GuestTrap`]); the host and other instances go on. No guest input
//! reaches a panic.
//!
//! Values cross the boundary through the canonical ABI ([`abi`]); Rust types
//! take part through the traits in [`typed`].
//!
//! # Examples
//!
//! ```
//! use host_wasmer::{Ctx, GuestWorld, HostConfig, HostError, Linker, SharedHost};
//! use host_wasmer::typed::Own;
//! use slots_core::{Handle, Resource};
//!
//! struct Counter(u64);
//! impl Resource for Counter {
//!     const NAME: &'static str = "counter";
//! }
//!
//! let world = GuestWorld::from_str(
//!     "package demo:count@1.0.0;
//!      interface api {
//!          resource counter {
//!              constructor();
//!              bump: func() -> u64;
//!          }
//!      }
//!      world guest { import api; }",
//!     "guest",
//! )?;
//! let module = "demo:count/api@1.0.0";
//! let mut linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
//! linker.resource::<Counter>(module, "counter")?;
//! linker.func(module, "[constructor]counter", |_: &mut Ctx<'_, ()>| {
//!     Ok::<_, HostError>(Own::new(Counter(0)))
//! })?;
//! linker.func(module, "[method]counter.bump", |cx: &mut Ctx<'_, ()>, this: Handle<Counter>| {
//!     let counter = cx.get_mut(this)?;
//!     counter.0 += 1;
//!     Ok::<_, HostError>(counter.0)
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod abi;
pub mod bindings;
mod call_gate;
mod ctx;
mod env;
mod error;
mod host;
mod host_call;
mod instance;
mod linker;
mod plural;
mod shape;
pub mod typed;
mod validate;
#[cfg(feature = "wasi")]
pub mod wasi;
mod world;

#[doc(hidden)]
pub use slots_core as __slots_core;
#[doc(hidden)]
pub use wasmer as __wasmer;
#[doc(hidden)]
pub use wit_parser as __wit_parser;

/// Generates typed host bindings for a WIT world at compile time.
///
/// ```ignore
/// host_wasmer::bindgen!({
///     path: "wit",          // a WIT file or folder, relative to Cargo.toml
///     // inline: "package ...;", instead of `path`
///     world: "guest",
///     with: {               // the embedder's Rust type for each resource
///         "slots:host/patterns/pattern": crate::Pattern,
///         "bucket": crate::Bucket,
///     },
///     // optional: imports whose `string` parameters arrive as `&str`,
///     // lifted into a host buffer reused from call to call
///     borrow_strings: ["slots:host/patterns/pattern.open"],
/// });
/// ```
///
/// The expansion holds, at the call site:
/// - a module per imported interface (`slots::host::buckets`), with a Rust
///   type per WIT record, variant, enum and flags (docs copied from the
///   WIT), aliases as type aliases, and each resource as an alias of its
///   `with` type;
/// - a trait `Host` per interface with free functions and a trait
///   `Host<Resource>` per resource, which the embedder implements for its
///   per-instance data type `D` (see [`bindings`] for what each function
///   receives), and `add_to_imports::<D>`;
/// - a world type (`Guest<D>` for world `guest`) with `add_to_imports`,
///   `instantiate`, `new`, and `call_<export>` per exported function,
///   implementing [`bindings::World`] (with feature `wasi`,
///   `wasi::WasiState` runs it beside WASI);
/// - a trait `<World>Host` every `D` serving the whole world implements.
///
/// The README's embedding example is a complete program using it.
pub use host_wasmer_macro::bindgen;

/// The README's code, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

pub use ctx::{Ctx, KeyedOpen, OpenedFrom};
pub use env::{Counters, InstanceEnv};
pub use error::{BindError, CallError, GuestTrap, HostError, InstantiateError, TrapKind};
pub use host::{CacheKey, HostConfig, HostTotals, SharedHost, SharedObject};
pub use instance::GuestInstance;
pub use linker::{HostFunc, InstantiateOptions, Linker, UndefinedImportCalled};
/// Wasmer's codes for the traps of guest code ([`TrapKind::Wasm`]).
pub use slots_core::OpenError;
pub use validate::{Problem, UndefinedImports, ValidationError, validate_module};
pub use wasmer_types::TrapCode;
pub use world::{ExportFunc, GuestWorld, ImportFunc, ImportResource, WorldError};
