//! The component model's canonical ABI for core-module guests: WIT values
//! to and from core Wasm values and linear memory.
//!
//! A guest built by wit-bindgen for `wasm32-unknown-unknown` is a core
//! module that speaks the canonical ABI's synchronous 32-bit convention
//! with UTF-8 strings: scalars as `i32`/`i64`/`f32`/`f64`, strings and
//! lists as `(pointer, length)` into its memory, at most 16 flat
//! parameters (more spill to memory) and one flat result (more go through a
//! return pointer). This module converts between that and [`Val`].
//!
//! - [`Abi`] holds a WIT [`Resolve`](wit_parser::Resolve) with the layout
//!   of every type, computed by wit-parser so that host and guest agree.
//! - Per call: [`Abi::lift_import_params`] and [`Abi::lower_import_result`]
//!   when the guest calls the host; [`Abi::lower_export_params`] and
//!   [`Abi::lift_export_result`] when the host calls the guest. They look
//!   up the function's core signature, which [`Abi::new`] computed for
//!   every function of the `Resolve`; the `_with` variants
//!   ([`Abi::lift_import_params_with`], ...) take one the caller keeps.
//! - Per value: [`Abi::flatten`], [`Abi::lift_flat`], [`Abi::lower_flat`],
//!   [`Abi::load`], [`Abi::store`].
//! - [`GuestMemory`] is the guest's memory and `cabi_realloc`:
//!   [`WasmerMemory`] for a real instance, [`VecMemory`] for tests.
//! - A `list<u8>` lifts to [`Val::Bytes`], read with one memory access, and
//!   lowers from it (or from a [`Val::List`] of [`Val::U8`]) with one
//!   allocation and one write.
//!
//! Guests are untrusted. Every pointer is bounds and alignment checked,
//! every string UTF-8 checked, every discriminant and `char` range checked,
//! and every block `cabi_realloc` returns is checked before it is used.
//! Nothing reachable from guest data panics; recursion follows the host's
//! WIT types, never guest data; and the host memory one lift may allocate
//! is bounded by [`Abi::with_lift_limit`]. Handles are lifted as raw
//! integers: validating them is the caller's job.
//!
//! ```
//! use host_wasmer::abi::{Abi, Val, VecMemory};
//! use wit_parser::abi::AbiVariant;
//! use wit_parser::Resolve;
//!
//! let mut resolve = Resolve::default();
//! let pkg = resolve.push_str(
//!     "demo.wit",
//!     "package demo:pkg; interface i { greet: func(name: string) -> string; }",
//! )?;
//! let iface = resolve.packages[pkg].interfaces["i"];
//! let greet = resolve.interfaces[iface].functions["greet"].clone();
//! let abi = Abi::new(&resolve);
//! let mut mem = VecMemory::new(64);
//!
//! // The host calls the guest's export `greet("slots")`...
//! let args = abi.lower_export_params(&greet, &[Val::from("slots")], &mut mem)?;
//! // ...which a guest import with the same signature would lift like this.
//! let mut import_args = args.clone();
//! import_args.push(wasmer::Value::I32(8)); // the guest's return area
//! assert_eq!(abi.lift_import_params(&greet, &import_args, &mut mem)?, [Val::from("slots")]);
//!
//! // A string result flattens to two values, so it goes to the return area.
//! assert!(abi.lower_import_result(&greet, Some(Val::from("hi")), &import_args, &mut mem)?.is_empty());
//! assert_eq!(abi.lift_export_result(&greet, &[wasmer::Value::I32(8)], &mut mem)?, Some(Val::from("hi")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bytes;
mod core;
mod direct_io;
mod error;
mod func;
mod layout;
mod lift_flat;
mod lifter;
mod load;
mod lower_flat;
mod lowerer;
mod memory;
mod names;
mod shape;
mod signatures;
mod store;
mod val;
mod vec_memory;
mod wasmer_memory;

#[cfg(test)]
mod tests;

pub use self::core::core_type;
pub(crate) use direct_io::{check_string_len, read_utf8};
pub use error::AbiError;
pub use layout::{
    Abi, DEFAULT_LIFT_LIMIT, IntoResolve, MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH,
};
pub use memory::GuestMemory;
pub(crate) use memory::{allocate, check_aligned};
pub(crate) use names::type_name_in;
pub use val::Val;
pub use vec_memory::VecMemory;
pub use wasmer_memory::{ReallocFn, WasmerMemory};
