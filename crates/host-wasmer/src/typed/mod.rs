//! Typed host functions: Rust types that stand for WIT types, checked
//! against the WIT signature when a function is bound.
//!
//! A Rust type takes part through three traits:
//! - [`WitType`] says which WIT types it stands for (checked at bind time);
//! - [`Lift`] builds it from a lifted [`Val`] (parameters);
//! - [`Lower`] turns it into a [`Val`] to lower (results).
//!
//! They are implemented for the scalars, `String`, `Vec<T>`, `Option<T>`,
//! `Result<T, E>`, tuples, [`Val`] itself (any type, unchecked), and the
//! handle types [`Handle<T>`](slots_core::Handle) (`borrow<T>` parameters
//! and `own<T>` results already in the table) and [`Own<T>`] (`own<T>`
//! parameters taken from the table, and `own<T>` results inserted into it).
//! Records, enums, flags and variants get them from the declarative macros
//! [`wit_record!`](crate::wit_record), [`wit_enum!`](crate::wit_enum),
//! [`wit_flags!`](crate::wit_flags) and [`wit_variant!`](crate::wit_variant):
//! no hand-written ABI code.

mod check;
mod containers;
mod direct_call;
mod handles;
mod macros;
mod scalars;
mod wit_return;

pub use crate::error::TypeMismatch;
pub use check::{BoundResource, TypeCheck, wit_type_name};
pub use containers::ResultSide;
pub use direct_call::DirectCall;
#[doc(hidden)]
pub use direct_call::flags_word as __flags_word;
pub use handles::Own;
#[doc(hidden)]
pub use macros::check_names as __check_names;
pub use wit_return::WitReturn;

use slots_core::ResourceTable;
use wit_parser::Type;

use crate::HostError;
use crate::abi::Val;

/// A Rust type that stands for some WIT types.
pub trait WitType {
    /// Checks that `Self` can stand for the WIT type `ty`.
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch>;
}

/// A Rust type a host function can take as a parameter.
pub trait Lift: WitType + Sized {
    /// Checks `Self` as a *parameter* of WIT type `ty`; by default the same
    /// as [`WitType::check`].
    fn check_param(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        Self::check(ty, cx)
    }

    /// Builds `Self` from a value lifted from the guest. The value has
    /// already been checked against the WIT type by the ABI layer, so a
    /// shape mismatch here is a host bug, reported as an error.
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError>;

    /// Lifts `Self` straight from the core arguments of a direct call. The
    /// default goes through the ABI layer; scalars and handles read their
    /// one core value.
    #[inline]
    fn lift_direct(call: &mut DirectCall<'_>, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        let val = call.next_val()?;
        Self::lift(val, cx)
    }
}

/// A Rust type a host function can return.
pub trait Lower: WitType {
    /// Turns `self` into a value to lower into the guest.
    fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError>;

    /// Lowers `self` to its one core value, for types that have one
    /// (scalars and handles override this), else to a `Val` (the default).
    #[inline]
    fn lower_core(self, cx: &mut LowerCx<'_>) -> Result<Result<wasmer::Value, Val>, HostError>
    where
        Self: Sized,
    {
        self.lower(cx).map(Err)
    }

    /// Lowers `self` as the result of a direct call: its one core value if
    /// it has one, else a `Val` for the ABI layer to lower.
    #[inline]
    fn lower_direct(self, cx: &mut LowerCx<'_>) -> Result<Lowered, HostError>
    where
        Self: Sized,
    {
        Ok(match self.lower_core(cx)? {
            Ok(value) => Lowered::Core(value),
            Err(val) => Lowered::Val(val),
        })
    }
}

/// A result on its way to the guest.
#[derive(Debug)]
pub enum Lowered {
    /// The single core result, ready.
    Core(wasmer::Value),
    /// A value the ABI layer still has to lower, which may call the guest's
    /// `cabi_realloc`: it is lowered only once the instance state is no
    /// longer borrowed.
    Val(Val),
    /// The result `ok(x)` where `x` is one core value (a handle, a number)
    /// or absent: stored at the return pointer with no `Val` and no call
    /// into the guest.
    Ok(Option<wasmer::Value>),
    /// A `string` result: copied into memory from the guest's
    /// `cabi_realloc` and its `(ptr, len)` stored at the return pointer,
    /// with no `Val`. Lowered, like [`Lowered::Val`], once the instance
    /// state is no longer borrowed.
    String(String),
}

/// What lifting a parameter may touch: the instance's handle table, and
/// the handles the call borrows so far.
pub struct LiftCx<'a> {
    pub(crate) table: &'a mut ResourceTable<String>,
    pub(crate) lent: Lent,
}

impl<'a> LiftCx<'a> {
    pub(crate) fn new(table: &'a mut ResourceTable<String>) -> Self {
        Self {
            table,
            lent: Lent::default(),
        }
    }
}

/// The handles lent to the call being lifted (its `borrow` parameters), so
/// that an `own` of one of them in the same call is refused before anything
/// is taken, as the canonical ABI requires. A few fit inline, so the common
/// call allocates nothing.
#[derive(Default)]
pub(crate) struct Lent {
    inline: [u32; 4],
    len: usize,
    more: Vec<u32>,
}

impl Lent {
    #[inline]
    pub(crate) fn add(&mut self, bits: u32) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = bits;
                self.len += 1;
            }
            None => self.more.push(bits),
        }
    }

    pub(crate) fn contains(&self, bits: u32) -> bool {
        self.inline[..self.len].contains(&bits) || self.more.contains(&bits)
    }
}

/// What lowering a result may touch: the instance's handle table, and the
/// count of objects it creates.
pub struct LowerCx<'a> {
    pub(crate) table: &'a mut ResourceTable<String>,
    pub(crate) creations: &'a mut u64,
}

/// The error for a `Val` whose shape does not fit the Rust type; only a host
/// bug can cause it, since values are checked against the WIT type first.
#[cold]
pub(crate) fn shape<T>(val: &Val) -> HostError {
    HostError::Shape {
        rust: std::any::type_name::<T>(),
        found: val.kind(),
    }
}
