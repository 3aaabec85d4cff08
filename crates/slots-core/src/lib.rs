//! Generational handle tables, keyed interning and a shared object cache:
//! the runtime-agnostic heart of slots.
//!
//! A Wasm host that gives guests access to host objects must name those
//! objects with plain integers, since that is all a core module can hold.
//! This crate decides what those integers mean and makes every misuse of
//! one detectable:
//!
//! - [`SlotTable<T>`] stores objects in slots and names each with a 32-bit
//!   [`RawHandle`]: slot index in the low bits, the slot's generation in the
//!   high bits. Lookups are O(1). Freed slots are reused, and the generation
//!   makes an old handle fail with [`HandleError::Stale`] instead of reaching
//!   the new occupant. A slot whose generations run out is retired, never
//!   wrapped, so **a freed handle is always rejected**.
//! - [`ResourceTable`] is the per-instance table a Wasm host keeps: objects
//!   of many [`Resource`] types in one handle space, with a type check on
//!   every lookup ([`HandleError::WrongType`]), and keyed opens that are
//!   interned and reference counted, so that within an instance equal
//!   handles mean the same object.
//! - [`ObjectCache`] is shared by every instance and thread of a host: an
//!   object is pinned while any table holds it, then stays warm up to a
//!   bound, so reopening a released key is a hit, not a re-creation.
//! - [`Shared`] cells hold objects several tables share; revoking one makes
//!   every handle to it fail with [`HandleError::Revoked`].
//! - [`GrantRegistry`] issues [`Token`]s: 128 random bits, typed,
//!   single-use and expiring, that move a shared object from one table to
//!   another ([`ResourceTable::grant`], [`ResourceTable::redeem`]).
//! - [`TableLimits`], [`CacheLimits`] and [`GrantLimits`] bound all of it. Exceeding a limit
//!   is an [`InsertError`], never a panic or unbounded growth.
//!
//! The crate depends on no Wasm runtime: host-wasmer builds on it for
//! Wasmer, and it could back a wasmtime or browser host as it is.
//!
//! # Choosing the limit
//!
//! A table's live-handle limit fixes its [`HandleLayout`]: a limit of `2^k`
//! leaves `32 - k` generation bits. The default, 2^20 live handles, leaves
//! 12 bits: each slot can be reused 4,094 times before it retires, and the
//! table as a whole can issue about 2^32 handles in its life.
//!
//! # Examples
//!
//! ```
//! use slots_core::{HandleError, SlotTable};
//!
//! let mut table = SlotTable::new();
//! let h = table.insert("object")?;
//! table.remove(h)?;
//! let reused = table.insert("another")?;
//! assert!(matches!(table.get(h), Err(HandleError::Stale { .. })));
//! assert_eq!(table.get(reused)?, &"another");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Denied, not forbidden: `resource_table/typed_object.rs` allows its two
// casts, the crate's only `unsafe`.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod borrowed;
mod cache;
mod error;
mod grants;
mod handle;
mod limits;
mod resource;
mod resource_table;
mod shared;
mod stats;
mod table;

pub use borrowed::Borrowed;
pub use cache::{CacheLimits, CacheStats, Lookup, ObjectCache, UnitWeight, Weigh};
pub use error::{ConfigError, HandleError, InsertError};
pub use grants::{GrantError, GrantLimits, GrantRegistry, RedeemError, Token};
pub use handle::{Handle, HandleLayout, RawHandle};
pub use limits::TableLimits;
pub use resource::{AsHandle, Resource};
pub use resource_table::{OpenError, Opened, ResourceStats, ResourceTable, TakenObject};
pub use shared::Shared;
pub use stats::TableStats;
pub use table::SlotTable;
