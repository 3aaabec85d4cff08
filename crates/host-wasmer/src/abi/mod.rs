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
//! - [`Abi`] holds a WIT [`Resolve`] with the layout
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
//!   [`WasmerMemory`] for a real instance, [`ViewMemory`] for a stretch
//!   of a host call that runs no guest code (one view of the memory, no
//!   `cabi_realloc`), [`VecMemory`] for tests.
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
mod error;
mod fast_path;
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
mod view_memory;
mod wasmer_memory;

#[cfg(test)]
mod tests;

pub use self::core::core_type;
pub use error::AbiError;
pub(crate) use fast_path::{check_string_len, read_utf8};
pub use memory::GuestMemory;
pub(crate) use memory::{allocate, check_aligned};
pub(crate) use names::type_name_in;
pub use val::Val;
pub use vec_memory::VecMemory;
pub use view_memory::ViewMemory;
pub use wasmer_memory::{ReallocFn, WasmerMemory};

use std::sync::Arc;

use wit_parser::abi::WasmType;
use wit_parser::{Resolve, SizeAlign};

use self::signatures::Signatures;

/// The canonical ABI's limit on the byte length of a string
/// (`MAX_STRING_BYTE_LENGTH`), enforced when lifting and when lowering.
pub const MAX_STRING_BYTE_LENGTH: u32 = (1 << 28) - 1;

/// The canonical ABI's limit on the byte length of a list
/// (`MAX_LIST_BYTE_LENGTH`), enforced when lifting and when lowering.
pub const MAX_LIST_BYTE_LENGTH: u32 = (1 << 28) - 1;

/// The bytes of a list of `len` elements of `elem_size` bytes, refused
/// past [`MAX_LIST_BYTE_LENGTH`]; under it, they fit in a `u32`.
pub(crate) fn list_bytes(len: u64, elem_size: u32) -> Result<u32, AbiError> {
    let bytes = len.saturating_mul(u64::from(elem_size));
    match u32::try_from(bytes) {
        Ok(bytes) if bytes <= MAX_LIST_BYTE_LENGTH => Ok(bytes),
        _ => Err(AbiError::TooLong {
            what: "list",
            len: bytes,
            max: u64::from(MAX_LIST_BYTE_LENGTH),
        }),
    }
}

/// How much host memory lifting one guest value may take by default: 256 MiB.
pub const DEFAULT_LIFT_LIMIT: u64 = 256 << 20;

/// The canonical ABI for the types of one [`Resolve`], for a 32-bit guest
/// with UTF-8 strings and the synchronous calling convention that
/// wit-bindgen uses for core modules.
///
/// Building one computes the layout of every type once
/// ([`SizeAlign`]), the flat core types of every type the ABI supports, and
/// the core signature of every function, so that calls only look them up.
/// Sizes, alignments and flattening come from wit-parser, so they agree with
/// the guest's bindings by construction.
///
/// Supported: every WIT value type of the component model's sync ABI (bool,
/// integers, floats, char, string, list, record, tuple, variant, enum,
/// option, result, flags, own, borrow). Rejected with
/// [`AbiError::UnsupportedType`]: `future`, `stream`, `error-context`, `map`,
/// fixed-length lists and async functions.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::Abi;
/// use wit_parser::{Resolve, Type};
///
/// let resolve = Resolve::default();
/// let abi = Abi::new(&resolve);
/// assert_eq!(abi.size_of(&Type::String)?, 8);
/// assert_eq!(abi.align_of(&Type::U64)?, 8);
/// # Ok::<(), host_wasmer::abi::AbiError>(())
/// ```
pub struct Abi {
    pub(crate) resolve: Arc<Resolve>,
    pub(crate) sizes: SizeAlign,
    /// Flat core types of each entry of `resolve.types`, by arena index;
    /// `None` for a type that cannot cross this ABI.
    pub(crate) flat: Vec<Option<Vec<WasmType>>>,
    /// Host bytes one lift may allocate; see [`Abi::with_lift_limit`].
    pub(crate) lift_limit: u64,
    /// The core signatures of the `Resolve`'s functions, computed once.
    pub(crate) signatures: Signatures,
}

impl Abi {
    /// Sets how much host memory lifting one value (or one function's
    /// parameters) may allocate, in bytes.
    ///
    /// The guest controls list lengths and may point many list elements at
    /// the same bytes, so without a limit a small guest memory could make
    /// the host build an enormous [`Val`]. Every lifted `Val`
    /// counts its size, and every string or list counts its bytes.
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// let resolve = wit_parser::Resolve::default();
    /// let abi = Abi::new(&resolve).with_lift_limit(1 << 20);
    /// assert_eq!(abi.lift_limit(), 1 << 20);
    /// ```
    pub fn with_lift_limit(mut self, bytes: u64) -> Self {
        self.lift_limit = bytes;
        self
    }

    /// The limit set by [`Abi::with_lift_limit`].
    pub fn lift_limit(&self) -> u64 {
        self.lift_limit
    }

    /// The `Resolve` the types come from.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The `Resolve` the types come from, shared.
    pub fn resolve_arc(&self) -> &Arc<Resolve> {
        &self.resolve
    }

    /// wit-parser's layouts of the types, for a typed fast path.
    pub fn sizes(&self) -> &SizeAlign {
        &self.sizes
    }
}

/// What [`Abi::new`] accepts as its `Resolve`.
///
/// ```
/// use std::sync::Arc;
/// use host_wasmer::abi::Abi;
/// use wit_parser::Resolve;
///
/// let shared = Arc::new(Resolve::default());
/// let abi = Abi::new(shared.clone());
/// assert!(Arc::ptr_eq(abi.resolve_arc(), &shared));
/// let borrowed = Abi::new(&Resolve::default()); // clones the Resolve
/// # drop(borrowed);
/// ```
pub trait IntoResolve {
    /// The `Resolve`, shared.
    fn into_resolve(self) -> Arc<Resolve>;
}

impl IntoResolve for Arc<Resolve> {
    fn into_resolve(self) -> Arc<Resolve> {
        self
    }
}

impl IntoResolve for &Arc<Resolve> {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::clone(self)
    }
}

impl IntoResolve for Resolve {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::new(self)
    }
}

impl IntoResolve for &Resolve {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::new(self.clone())
    }
}
