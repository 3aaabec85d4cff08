//! What the bindings `bindgen!` generates stand on: the value traits, the
//! import and export call steps, and the per-call views of an instance.
//!
//! Generated code reads like code a person would write against this
//! module: a Rust type per WIT type implementing [`Layout`], [`LiftGuest`]
//! and [`LowerGuest`] with its layout as constants; one typed Wasmer
//! function per import whose body lifts its core arguments, calls the
//! embedder's trait method and lowers the result through the steps in
//! [`rt`]; and a world type wrapping a [`BoundInstance`] with one typed
//! method per export.
//!
//! What a host function sees:
//! - a free function, static function or constructor gets the whole
//!   [`Ctx`](crate::Ctx) (data, table, keyed opens, grants) and each
//!   `borrow<T>` as a checked [`Handle<T>`](slots_core::Handle);
//! - a method gets its receiver as a [`Borrowed<T>`](slots_core::Borrowed)
//!   (`&mut T` when the instance owns the object, `&T` when it is shared)
//!   and other `borrow<T>` parameters as `&T`, each after one checked
//!   lookup, with a [`Caller`] for the embedder's data: the table is lent
//!   to the receiver, so the method cannot reach it;
//! - every `own<T>` parameter arrives as an [`Own<T>`](crate::typed::Own),
//!   taken out of the guest's table before the host function runs; a
//!   handle passed as both `borrow` and `own` in one call traps.

mod call;
mod canon;
mod flat;
mod handles;
mod instance;
mod lower_memory;
mod scratch;

pub use crate::shape::{CoreExport, CoreImport, WorldShape};
pub use crate::validate::validate_imports;
pub use call::Caller;
pub use canon::{Layout, LiftCx, LiftGuest, LowerGuest};
pub use flat::{CoreBits, Flat, FlatOut};
pub use instance::{BoundInstance, World, new_env};

/// The steps generated code calls; not meant to be called by hand.
pub use scratch::Scratch;

#[doc(hidden)]
pub mod rt {
    pub use super::call::{
        NoMemory, ctx, drop_import, flat_result, give, handle_bits, import, import_alloc,
        import_mem, layout_of, lift_cx, param_area, plain_cx, release, split, store_return,
    };
    pub use super::canon::{
        align_to, alloc, bad_discriminant, check_store, max, max_flat, read_tag8, read_tag16,
        read_tag32, store_list, store_string, write_tag8, write_tag16, write_tag32,
    };
    pub use super::handles::{borrow, check, raw, receiver, take};
    pub use super::instance::new_env;
    pub use super::lower_memory::{LowerMemory, Mem, View};
    pub use super::scratch::Scratch;
}
